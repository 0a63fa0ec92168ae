"""No training/serving skew: a message's features are the same offline, online and recomputed.

For every message of the test corpus, on each online store (SQLite and Cassandra):

- offline: Feast's point-in-time historical retrieval, as the training notebooks read them;
- online after ``feast materialize``, through Feast's real feature server;
- recomputed from the text by the model API (``text_to_features`` of v1 and v2, a real uvicorn
  process), as the inbox webhook computes them for a new message;
- online after pushing those recomputed v2 features through ``smss2_push`` under new ids, as the
  webhook does, and reading them back through the feature server.

All four must be identical, value for value: floats are compared exactly.
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest

from analysis import corpus
from analysis.features1 import Features1Extractor
from api.common.timeuuid import new_timeuuid
from scripts.local_services import feature_server, uvicorn_service
from tests.support.feature_store import OnlineStore, copy_store, run

pytestmark = pytest.mark.integration

V1_NAMES = Features1Extractor().feature_names
V1_FEATURES = [f"sms_features1:{name}" for name in V1_NAMES]
V2_FEATURE = "sms_features2:features"
CHUNK = 100
RETRIEVED_AT = datetime(2021, 1, 1, tzinfo=UTC)


def offline_features(online: OnlineStore, repo: Path, ids: list[str]) -> dict[str, tuple]:
    """(v1 vector, v2 token ids) per id, from point-in-time historical retrieval."""
    store = online.sdk(repo)
    entities = pd.DataFrame({"sms_id": ids, "event_timestamp": RETRIEVED_AT})
    frame = store.get_historical_features(
        entity_df=entities, features=[*V1_FEATURES, V2_FEATURE]
    ).to_df()
    assert len(frame) == len(ids), "the file offline store dropped rows"
    return {
        row["sms_id"]: ([float(row[name]) for name in V1_NAMES], [int(i) for i in row["features"]])
        for row in frame.to_dict("records")
    }


def read_online(client: httpx.Client, ids: list[str]) -> dict[str, tuple]:
    """(v1 vector, v2 token ids) per id, from the feature server; columns mapped by name."""
    found: dict[str, tuple] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        answer = client.post(
            "/get-online-features",
            json={"features": [*V1_FEATURES, V2_FEATURE], "entities": {"sms_id": chunk}},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        columns = dict(zip(body["metadata"]["feature_names"], body["results"], strict=True))
        for n, sms_id in enumerate(chunk):
            found[sms_id] = (
                [columns[name]["values"][n] for name in V1_NAMES],
                columns["features"]["values"][n],
            )
    return found


def recompute(client: httpx.Client, texts: list[str]) -> list[tuple]:
    """(v1 vector, v2 token ids) per text, from the model API's text_to_features."""
    by_version = {}
    for version in ("v1", "v2"):
        results = []
        for start in range(0, len(texts), CHUNK):
            answer = client.post(
                f"/model/{version}/text_to_features/batch",
                json={"texts": texts[start : start + CHUNK], "skip_cache": True},
            )
            assert answer.status_code == 200, answer.text
            results += [r["features"] for r in answer.json()["results"]]
        by_version[version] = results
    return list(zip(by_version["v1"], by_version["v2"], strict=True))


def test_features_are_identical_offline_online_and_recomputed(
    trained_store: Path, corpus_csv: Path, online: OnlineStore, tmp_path: Path
) -> None:
    messages = corpus.read_messages(corpus_csv)
    ids = [m.sms_id for m in messages]
    repo = copy_store(trained_store / "sms_feature_store", tmp_path / "store", 2021, online)
    online.cli(
        repo, "materialize", "2019-01-01T00:00:00", RETRIEVED_AT.strftime("%Y-%m-%dT%H:%M:%S")
    )
    offline = offline_features(online, repo, ids)

    models_env = {
        "SPAM_MODEL_VERSIONS": "v1,v2",
        "MODELS_DIR": str(trained_store / "models"),
        "SQLITE_PATH": str(tmp_path / "serving.db"),
        "MAX_BATCH_SIZE": str(CHUNK),
        "LOG_LEVEL": "WARNING",
    }
    run([sys.executable, "scripts/initialize_model_serving_api_caches.py"], **models_env)
    fs_yaml = online.yaml(repo)
    with (
        uvicorn_service("api.model_serving.model_serving_api:app", models_env, tmp_path) as api,
        feature_server(repo, online.env, tmp_path, fs_yaml=fs_yaml) as server,
        httpx.Client(base_url=api.url, timeout=60) as models,
        httpx.Client(base_url=server.url, timeout=60) as feast,
    ):
        materialized = read_online(feast, ids)
        recomputed = dict(zip(ids, recompute(models, [m.text for m in messages]), strict=True))

        # The webhook's path: recomputed v2 features pushed under new ids, read back online.
        new_ids = {sms_id: str(new_timeuuid()) for sms_id in ids}
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        pushed = feast.post(
            "/push",
            json={
                "push_source_name": "smss2_push",
                "df": {
                    "sms_id": [new_ids[i] for i in ids],
                    "features": [recomputed[i][1] for i in ids],
                    "event_timestamp": [now] * len(ids),
                },
                "to": "online",
            },
        )
        assert pushed.status_code == 200, pushed.text
        after_push = read_online(feast, [new_ids[i] for i in ids])

    for sms_id in ids:
        assert offline[sms_id] == materialized[sms_id], sms_id
        assert offline[sms_id] == recomputed[sms_id], sms_id
        assert after_push[new_ids[sms_id]][1] == offline[sms_id][1], sms_id
    print(f"\n{online.name}: v1 and v2 features identical four ways for {len(ids)} messages")
