"""SQLite and Cassandra side by side, in one run (part of ``make bench``).

The same work on the embedded default and on Cassandra (the cluster ``.env`` names, or the
project's local node, in a keyspace of the benchmark's own that is dropped at the end):

- ``materialize``: Feast's materialize of the full corpus (both feature views) into the online
  store, timed through the SDK in this process;
- ``online, 1 id`` / ``online, 100 ids``: ``POST /get-online-features`` on Feast's feature server;
- ``v1 hit``: ``text_to_prediction`` of a cached text, the in-memory front off so that the hit
  is read from storage;
- ``v1 miss``: a new text (a storage read that finds nothing, the model, a write-behind);
- ``inbox``: the user-data API's ``GET /sms/{user_id}``, a page of 20 messages.

Every request kind of both backends is measured in interleaved rounds over one keep-alive
connection each, SQLite being each row's baseline.

    python scripts/bench_storage.py [--requests 1000]
"""

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pandas as pd

from analysis.paths import FEATURE_REPO_DIR, MODELS_DIR, PROJECT_ROOT
from api.common.settings import CassandraConfig
from api.common.storage import cassandra
from scripts.bench_common import (
    Result,
    copy_feature_store,
    feast_cli,
    initialise_tables,
    interleaved,
)
from scripts.cassandra.cluster import cassandra_environment
from scripts.feast_sdk import open_feature_store
from scripts.local_services import feature_server, uvicorn_service

BACKENDS = ("sqlite", "cassandra")
KEYSPACE = "sms_spam_bench"
FEATURES = ["sms_features1:cap_r", "sms_features2:features"]
PREDICT = "/model/v1/text_to_prediction"
CACHED_TEXT = "the cached message"
STORY_START = datetime(2019, 1, 1, tzinfo=UTC)
STORY_2021 = datetime(2021, 1, 1, tzinfo=UTC)


def materialize(repo: Path, fs_yaml: Path, env: dict[str, str]) -> float:
    """Seconds Feast's SDK takes to materialize the whole corpus into this online store."""
    store = open_feature_store(repo, fs_yaml, env)
    started = time.perf_counter()
    store.materialize(STORY_START, STORY_2021)
    return time.perf_counter() - started


@contextmanager
def cassandra_keyspace() -> Iterator[dict[str, str]]:
    with cassandra_environment(KEYSPACE) as env:
        try:
            yield env
        finally:
            config = CassandraConfig(
                keyspace=KEYSPACE,
                hosts=tuple(env["CASSANDRA_HOSTS"].split(",")),
                port=int(env["CASSANDRA_PORT"]),
            )
            session = cassandra.connect(config)
            try:
                session.execute(f"DROP KEYSPACE IF EXISTS {KEYSPACE}", timeout=120)
            finally:
                cassandra.shutdown(session)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per request kind")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    offline = PROJECT_ROOT / "offline_data"
    if (
        not (offline / "sms_features2.parquet").is_file()
        or not (args.models_dir / "model1_2019" / "metadata.json").is_file()
    ):
        print("no offline sources or model v1: run `make demo` first", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    ids = pd.read_parquet(offline / "sms_features2.parquet", columns=["sms_id"])["sms_id"].tolist()

    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        workdir = Path(folder)
        repo = copy_feature_store(workdir, FEATURE_REPO_DIR, offline)
        envs = {
            "sqlite": {"STORAGE_BACKEND": "sqlite"},
            "cassandra": {
                "STORAGE_BACKEND": "cassandra",
                **stack.enter_context(cassandra_keyspace()),
            },
        }
        yamls = {
            "sqlite": repo / "feature_store.yaml",
            "cassandra": repo / "feature_store.cassandra.yaml",
        }
        materialized: dict[str, float] = {}
        kinds: dict[str, Callable[[int], httpx.Response]] = {}
        for backend in BACKENDS:
            env = {**envs[backend], "LOG_LEVEL": "WARNING"}
            feast_cli(repo, "apply", env=env, fs_yaml=yamls[backend])
            materialized[backend] = materialize(repo, yamls[backend], env)
            data = workdir / backend
            data.mkdir()
            env_users = {**env, "SQLITE_PATH": str(data / "users.db")}
            env_models = {
                **env,
                "SQLITE_PATH": str(data / "serving.db"),
                "SPAM_MODEL_VERSIONS": "v1",
                "MODELS_DIR": str(args.models_dir),
                "PREDICTION_CACHE_MEMORY_ITEMS": "0",
            }
            initialise_tables("scripts/initialize_user_api_data.py", env_users)
            initialise_tables("scripts/initialize_model_serving_api_caches.py", env_models)
            feast = stack.enter_context(feature_server(repo, env, data, fs_yaml=yamls[backend]))
            models = stack.enter_context(
                uvicorn_service("api.model_serving.model_serving_api:app", env_models, data)
            )
            users = stack.enter_context(
                uvicorn_service("api.user_data.user_api:app", env_users, data)
            )
            to_feast = stack.enter_context(httpx.Client(base_url=feast.url, timeout=30))
            to_models = stack.enter_context(httpx.Client(base_url=models.url, timeout=30))
            to_users = stack.enter_context(httpx.Client(base_url=users.url, timeout=30))
            to_models.post(PREDICT, json={"text": CACHED_TEXT}).raise_for_status()
            kinds |= requests_of(backend, ids, to_feast, to_models, to_users)
        time.sleep(0.5)  # the cached text's write-behind has landed
        results = {r.name: r for r in interleaved(kinds, args.requests, args.warmup)}

    report(results, materialized, len(ids), args.requests)
    return 0


def requests_of(
    backend: str,
    ids: list[str],
    feast: httpx.Client,
    models: httpx.Client,
    users: httpx.Client,
) -> dict[str, Callable[[int], httpx.Response]]:
    def online(count: int) -> Callable[[int], httpx.Response]:
        def send(i: int) -> httpx.Response:
            start = (i * count) % (len(ids) - count)
            chosen = ids[start : start + count]
            return feast.post(
                "/get-online-features",
                json={"features": FEATURES, "entities": {"sms_id": chosen}},
            )

        return send

    return {
        f"{backend}|online, 1 id": online(1),
        f"{backend}|online, 100 ids": online(100),
        f"{backend}|v1 hit": lambda i: models.post(PREDICT, json={"text": CACHED_TEXT}),
        f"{backend}|v1 miss": lambda i: models.post(
            PREDICT, json={"text": f"a text never seen on {backend}, number {i}"}
        ),
        f"{backend}|inbox": lambda i: users.get("/sms/fiona", params={"limit": 20}),
    }


def report(
    results: dict[str, Result], materialized: dict[str, float], rows: int, requests: int
) -> None:
    print(
        f"storage, SQLite and Cassandra side by side: loopback, one keep-alive connection per "
        f"server, {requests} requests per kind, interleaved"
    )
    header = f"{'measure':<16}"
    for backend in BACKENDS:
        header += f" | {backend + ' p50':>14} {'p99':>8} {'req/s':>7}"
    print(header + f" | {'cassandra/sqlite p50':>20}")
    for measure in ("online, 1 id", "online, 100 ids", "v1 hit", "v1 miss", "inbox"):
        line = f"{measure:<16}"
        for backend in BACKENDS:
            result = results[f"{backend}|{measure}"]
            line += (
                f" | {result.percentile_ms(0.5):11.3f} ms {result.percentile_ms(0.99):8.3f}"
                f" {result.throughput:7.0f}"
            )
        ratio = results[f"cassandra|{measure}"].percentile_ms(0.5) / results[
            f"sqlite|{measure}"
        ].percentile_ms(0.5)
        print(line + f" | {ratio:19.2f}x")
    line = f"{'materialize':<16}"
    for backend in BACKENDS:
        seconds = materialized[backend]
        line += f" | {seconds:12.1f} s  {rows / seconds:8.0f} msgs/s"
    ratio = materialized["cassandra"] / materialized["sqlite"]
    print(line + f" | {ratio:19.2f}x")
    print(f"(materialize: {rows} messages, both online feature views, through Feast's SDK)")


if __name__ == "__main__":
    sys.exit(main())
