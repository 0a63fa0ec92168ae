"""``scripts/online_store_sampler.py`` at the tutorial's story points, run as a user runs it, on
the embedded SQLite store and on Cassandra (the repo's own ``feature_store.cassandra.yaml``, on the
session's real node, in a keyspace of its own): before anything is online, after ``materialize``
to the end of 2019, after ``materialize-incremental`` to 2021, and after a push.
"""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.paths import PROJECT_ROOT
from tests.support.feature_store import OnlineStore, copy_store, environment

pytestmark = pytest.mark.integration

SAMPLER = PROJECT_ROOT / "scripts" / "online_store_sampler.py"
EXPLORER = PROJECT_ROOT / "scripts" / "feature_store_explorer.py"
UNSEEN = "sms-never-seen"


@pytest.fixture(scope="module")
def repo(feature_repo: Path, online: OnlineStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(feature_repo, tmp_path_factory.mktemp("sampler"), 2021, online)


def run_script(
    script: Path, online: OnlineStore, cwd: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """A script as a user runs it, from ``cwd``, with the store's settings in the environment."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **online.env, **env},
        timeout=300,
        check=False,
    )


def options(online: OnlineStore, repo: Path) -> list[str]:
    """``-c REPO -f YAML``, as Feast's CLI takes them."""
    return ["-c", str(repo), "-f", str(online.yaml(repo))]


def sample_json(online: OnlineStore, repo: Path, ids: list[str]) -> list[Any]:
    result = run_script(SAMPLER, online, repo.parent, *options(online, repo), "--json", *ids)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_service(samples: list[Any]) -> dict[str, Any]:
    return {sample["service"]: sample for sample in samples}


def view_of(sample: dict[str, Any], sms_id: str, view: str) -> dict[str, Any]:
    (found,) = [v for v in sample["messages"][sms_id] if v["view"] == view]
    return found


@pytest.fixture(scope="module")
def offline(repo: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = repo.parent / "offline_data"
    return (
        pd.read_parquet(folder / "sms_features1.parquet").set_index("sms_id"),
        pd.read_parquet(folder / "sms_features2.parquet").set_index("sms_id"),
    )


def test_the_sampler_follows_the_story(
    repo: Path, online: OnlineStore, offline: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    features1, features2 = offline
    ids = [*features1.index[:3], UNSEEN]
    v1_names = [c for c in features1.columns if c != "event_timestamp"]

    # Nothing is online before the first materialize.
    services = by_service(sample_json(online, repo, ids))
    assert set(services) == {"labeled_sms_1", "labeled_sms_2"}
    for name, view in (("labeled_sms_1", "sms_features1"), ("labeled_sms_2", "sms_features2")):
        assert services[name]["online_views"] == [view]
        assert services[name]["offline_views"] == ["sms_labels"]
        for sms_id in ids:
            assert view_of(services[name], sms_id, view)["status"] == "NOT_FOUND"

    # The end of 2019: the v1 features of 2019-02-03 are online, the v2 ones of 2020 are not.
    online.cli(repo, "materialize", "2019-01-01T00:00:00", "2020-01-01T00:00:00")
    services = by_service(sample_json(online, repo, ids))
    for sms_id in ids[:3]:
        v1 = view_of(services["labeled_sms_1"], sms_id, "sms_features1")
        assert v1["status"] == "PRESENT"
        assert v1["values"] == features1.loc[sms_id, v1_names].to_dict()
        assert v1["event_time"] == features1.loc[sms_id, "event_timestamp"].isoformat()
        assert view_of(services["labeled_sms_2"], sms_id, "sms_features2")["status"] == "NOT_FOUND"
    assert view_of(services["labeled_sms_1"], UNSEEN, "sms_features1")["status"] == "NOT_FOUND"

    # Catching up to 2021 brings the v2 token ids of June 2020.
    online.cli(repo, "materialize-incremental", "2021-01-01T00:00:00")
    services = by_service(sample_json(online, repo, ids))
    for sms_id in ids[:3]:
        v2 = view_of(services["labeled_sms_2"], sms_id, "sms_features2")
        assert v2["status"] == "PRESENT"
        assert v2["values"] == {"features": list(features2.loc[sms_id, "features"])}
    assert view_of(services["labeled_sms_2"], UNSEEN, "sms_features2")["status"] == "NOT_FOUND"

    # A new message's v2 features, pushed as the webhook pushes them, are online at once.
    pushed_at = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    token_ids = [0] * 45 + [12, 7, 301]
    with environment(online.env):
        online.sdk(repo).push(
            "smss2_push",
            pd.DataFrame(
                {"sms_id": [UNSEEN], "features": [token_ids], "event_timestamp": [pushed_at]}
            ),
        )
    services = by_service(sample_json(online, repo, [UNSEEN]))
    pushed = view_of(services["labeled_sms_2"], UNSEEN, "sms_features2")
    assert pushed == {
        "view": "sms_features2",
        "status": "PRESENT",
        "event_time": pushed_at.isoformat(),
        "values": {"features": token_ids},
    }
    # The push fed the v2 view only.
    assert view_of(services["labeled_sms_1"], UNSEEN, "sms_features1")["status"] == "NOT_FOUND"

    # What a user reads: each message under each service, the unknown one plainly named.
    result = run_script(SAMPLER, online, repo.parent, *options(online, repo), ids[0], UNSEEN)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "labeled_sms_1: online views sms_features1; sms_labels offline only" in text
    assert f"{UNSEEN}  sms_features1: not online yet" in text
    assert f"{UNSEEN}  sms_features2 as of {pushed_at.isoformat()}" in text
    assert "features [0]*45 + [12, 7, 301]" in text
    assert f"cap_r {features1.loc[ids[0], 'cap_r']:.4g}" in text

    # The same, with the repo and yaml named the other way Feast's CLI takes them: variables.
    result = run_script(
        SAMPLER,
        online,
        PROJECT_ROOT,
        "--json",
        UNSEEN,
        FEATURE_REPO_DIR_ENV_VAR=str(repo),
        FEAST_FS_YAML_FILE_PATH=str(online.yaml(repo)),
    )
    assert result.returncode == 0, result.stderr
    assert view_of(by_service(json.loads(result.stdout))["labeled_sms_2"], UNSEEN, "sms_features2")[
        "values"
    ] == {"features": token_ids}


def test_a_service_not_in_the_registry_is_refused_by_name(repo: Path, online: OnlineStore) -> None:
    result = run_script(
        SAMPLER, online, repo.parent, *options(online, repo), "--service", "labeled_sms_9", "x"
    )
    assert result.returncode == 2
    assert "no feature service labeled_sms_9 in the registry" in result.stderr
    assert "labeled_sms_1, labeled_sms_2" in result.stderr


def test_the_explorer_reads_the_registry_of_each_yaml(repo: Path, online: OnlineStore) -> None:
    result = run_script(EXPLORER, online, repo.parent, *options(online, repo), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    registry = "registry.db" if online.name == "sqlite" else f"registry_{online.name}.db"
    assert info["registry"] == str(repo / "data" / registry)
    assert [view["name"] for view in info["feature_views"]] == [
        "sms_features1",
        "sms_features2",
        "sms_labels",
    ]
