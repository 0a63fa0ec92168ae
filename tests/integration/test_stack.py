"""`make stack` (scripts/run_stack.py): the whole stack up with one command, and down on Ctrl-C,
on the embedded default and on Cassandra (`make stack STORE=cassandra`, on the session's node)."""

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from scripts.sample_inboxes import SAMPLE_MESSAGES
from tests.support.cassandra_backend import CassandraTarget, count_rows
from tests.support.feature_store import copy_store
from tests.support.stack import running_stack

pytestmark = pytest.mark.integration

PROJECT = "sms_spam_store"
MESSAGE = {"user_id": "otto", "sender_id": "rosa", "sms_text": "Are you coming to the match?"}


@pytest.fixture(params=["sqlite", "cassandra"])
def store(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """The stack's ``--store`` and the environment it runs in (on Cassandra, a new keyspace)."""
    if request.param == "sqlite":
        yield "sqlite", {}
        return
    cluster: CassandraTarget = request.getfixturevalue("cassandra_cluster")
    with cluster.keyspace("stack") as keyspace:
        yield "cassandra", cluster.env(keyspace)


def test_one_command_brings_the_stack_up_and_ctrl_c_takes_it_down(
    feature_repo: Path, models_dir: Path, tmp_path: Path, store: tuple[str, dict[str, str]]
) -> None:
    backend, store_env = store
    repo = copy_store(feature_repo, tmp_path / "store", 2020)  # the stack moves it to 2021
    args = [
        f"--store={backend}",
        "--no-web",
        f"--feature-repo={repo}",
        f"--models-dir={models_dir}",
        f"--data-dir={tmp_path / 'data'}",
    ]
    with running_stack(args, store_env, tmp_path) as stack:
        check_the_stack(stack.url, stack.output(), store_env, repo)
        stack.process.send_signal(signal.SIGINT)
        assert stack.process.wait(timeout=90) == 0, stack.output()
    for name in ("feature_server", "model_serving", "user_data", "proxy", "inbox"):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{stack.url[name]}/health", timeout=2)


def online_features(proxy: str, features: list[str], ids: list[str]) -> dict[str, list]:
    answer = httpx.post(
        f"{proxy}/get-online-features",
        json={"features": features, "entities": {"sms_id": ids}},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {
        name: column["values"]
        for name, column in zip(body["metadata"]["feature_names"], body["results"], strict=True)
    }


def check_the_stack(url: dict[str, str], log: str, store_env: dict[str, str], repo: Path) -> None:
    for name in ("feature_server", "model_serving", "user_data", "proxy", "inbox"):
        assert httpx.get(f"{url[name]}/health").status_code == 200, name
    assert "backfill" in log
    ready = httpx.get(f"{url['inbox']}/ready").json()
    assert ready["ready"] is True
    assert set(ready["services"].values()) == {"ok"}

    # The corpus's features are online from the story's start: v1 (2019) and v2 (2020).
    offline = repo.parent / "offline_data"
    features1 = pd.read_parquet(offline / "sms_features1.parquet").set_index("sms_id")
    features2 = pd.read_parquet(offline / "sms_features2.parquet").set_index("sms_id")
    ids = list(features1.index[:50])
    online = online_features(url["proxy"], ["sms_features1:cap_r", "sms_features2:features"], ids)
    assert online["cap_r"] == features1.loc[ids, "cap_r"].tolist()
    assert online["features"] == [list(features2.loc[i, "features"]) for i in ids]

    # A new message through the webhook, its features through the proxy, v3's verdict.
    receipt = httpx.post(f"{url['inbox']}/sms", json=MESSAGE, timeout=30)
    assert receipt.status_code == 201, receipt.text
    sms_id = receipt.json()["sms_id"]
    features = online_features(url["proxy"], ["sms_features2:features"], [sms_id])["features"][0]
    verdict = httpx.post(
        f"{url['model_serving']}/model/v3/features_to_prediction",
        json={"features": features},
    )
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["top"]["label"] in ("ham", "spam")

    if store_env:
        # Everything above lives in Cassandra: the inboxes, both feature views (the v1 view
        # holds a row per feature, its event time aside), and the model API's cache and log.
        assert count_rows(store_env, "smss_by_users") == len(SAMPLE_MESSAGES) + 1
        views = f"{PROJECT}_sms_features"
        assert count_rows(store_env, f"{views}1") == len(features1) * (len(features1.columns) - 1)
        # The v2 view: the corpus, materialized, and the pushed sample inboxes and new message.
        assert count_rows(store_env, f"{views}2") == len(features1) + len(SAMPLE_MESSAGES) + 1
        assert eventually(lambda: count_rows(store_env, "call_log") > 0)
        assert count_rows(store_env, "prediction_cache") > 0


def eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
