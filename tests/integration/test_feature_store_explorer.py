"""``scripts/feature_store_explorer.py`` against registries made by the real ``feast apply``: what
it prints must be what ``sms_feature_store/feature_definitions.py`` declares at that stage."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from feast import FeatureService, FeatureView, PushSource

from analysis.paths import FEATURE_REPO_DIR, PROJECT_ROOT
from scripts.feature_store_explorer import type_name
from tests.support.feature_store import SQLITE, copy_store

pytestmark = pytest.mark.integration

EXPLORER = PROJECT_ROOT / "scripts" / "feature_store_explorer.py"


def definitions(stage: int, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``feature_definitions.py`` imported afresh at ``stage``, as ``feast apply`` imports it."""
    monkeypatch.setenv("FEAST_STORE_STAGE", str(stage))
    spec = importlib.util.spec_from_file_location(
        f"feature_definitions_{stage}", FEATURE_REPO_DIR / "feature_definitions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def objects(module: ModuleType, kind: type) -> dict[str, Any]:
    return {o.name: o for o in vars(module).values() if isinstance(o, kind)}


def explore(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(EXPLORER), "-c", str(repo), *args],
        cwd=repo.parent,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_stage_2021_is_shown_as_the_definitions_declare_it(
    feature_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_store(feature_repo, tmp_path, 2021)
    info = json.loads(explore(repo, "--json").stdout)
    declared = definitions(2021, monkeypatch)

    assert info["project"] == "sms_spam_store"
    assert [(e["name"], e["join_key"], e["value_type"]) for e in info["entities"]] == [
        ("sms", "sms_id", "STRING")
    ]

    views = objects(declared, FeatureView)
    assert [v["name"] for v in info["feature_views"]] == sorted(views)
    for shown in info["feature_views"]:
        view: FeatureView = views[shown["name"]]
        assert [(f["name"], f["dtype"]) for f in shown["fields"]] == [
            (f.name, type_name(f.dtype)) for f in view.features
        ]
        assert shown["online"] == view.online
        assert shown["ttl_seconds"] == view.ttl.total_seconds()
        assert shown["entities"] == ["sms"]
        assert [(k["name"], k["dtype"]) for k in shown["join_keys"]] == [("sms_id", "String")]
        assert shown["batch_source"]["path"] == view.batch_source.path
        stream = view.stream_source
        assert shown["push_source"] == (stream.name if stream is not None else None)
        assert shown["materialized"] == []
    # The types as a reader of feature_definitions.py knows them.
    fields = {
        v["name"]: {f["name"]: f["dtype"] for f in v["fields"]} for v in info["feature_views"]
    }
    assert fields["sms_features2"] == {"features": "Array(Int64)"}
    assert fields["sms_labels"] == {"label": "String"}
    assert fields["sms_features1"]["cap_r"] == "Float64"
    assert fields["sms_features1"]["cw_scores_6"] == "Int64"

    services = objects(declared, FeatureService)
    assert [s["name"] for s in info["feature_services"]] == sorted(services)
    for shown in info["feature_services"]:
        service: FeatureService = services[shown["name"]]
        assert shown["views"] == {
            p.name: [f.name for f in p.features] for p in service.feature_view_projections
        }

    pushes = objects(declared, PushSource)
    assert set(pushes) == {"smss2_push"}
    shown_pushes = [s for s in info["data_sources"] if s["kind"] == "push"]
    assert shown_pushes == [
        {
            "name": "smss2_push",
            "kind": "push",
            "path": None,
            "timestamp_field": None,
            "batch_source": "sms_features2_source",
            "description": pushes["smss2_push"].description,
        }
    ]

    # The text a user reads says the same.
    text = explore(repo).stdout
    assert "  sms: join key sms_id (STRING)" in text
    assert "  sms_features2: served online, TTL none (kept forever)" in text
    assert "  sms_labels: offline only, TTL none (kept forever)" in text
    assert "    push source  smss2_push" in text
    assert "      features  Array(Int64)" in text
    assert "    sms_labels: label" in text
    assert "  smss2_push (push; pushed rows also go to sms_features2_source)" in text


def test_stage_2019_has_none_of_the_later_objects(
    feature_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_store(feature_repo, tmp_path, 2019)
    info = json.loads(explore(repo, "--json").stdout)
    declared = definitions(2019, monkeypatch)
    assert [v["name"] for v in info["feature_views"]] == sorted(objects(declared, FeatureView))
    assert [v["name"] for v in info["feature_views"]] == ["sms_features1", "sms_labels"]
    assert [s["name"] for s in info["feature_services"]] == ["labeled_sms_1"]
    assert {s["name"] for s in info["data_sources"]} == {
        "sms_features1_source",
        "sms_labels_source",
    }
    assert all(v["push_source"] is None for v in info["feature_views"])
    text = explore(repo).stdout
    for later in ("sms_features2", "labeled_sms_2", "smss2_push"):
        assert later not in text


def test_materialized_ranges_are_shown(feature_repo: Path, tmp_path: Path) -> None:
    repo = copy_store(feature_repo, tmp_path, 2021)
    SQLITE.cli(repo, "materialize", "2019-01-01T00:00:00", "2020-01-01T00:00:00")
    info = json.loads(explore(repo, "--json").stdout)
    ranges = {v["name"]: v["materialized"] for v in info["feature_views"] if v["online"]}
    story_2019 = [["2019-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00"]]
    assert ranges == {"sms_features1": story_2019, "sms_features2": story_2019}
    assert "    materialized 2019-01-01T00:00:00+00:00 to 2020-01-01T00:00:00+00:00" in (
        explore(repo).stdout
    )
