"""Benchmark the feature-server proxy against Feast's own feature server (part of `make bench`).

Copies the feature repo's definitions and offline sources to a temporary folder, applies stage
2021 and materializes the online store there, then starts Feast's feature server and the proxy
as real processes and measures, in interleaved rounds over one keep-alive connection each:

- ``feast serve, N ids``: ``POST /get-online-features`` on the feature server, the baseline;
- ``proxy (online_store), N ids``: the same request through the proxy as it runs by default,
  reading the online store in its own process through Feast's SDK;
- ``proxy (feature_server), N ids``: the same through the proxy relaying to the feature server;

for one and for 100 entities. The goal: the proxy adds at most 1 ms to the feature server's p50.

    python scripts/bench_feature_proxy.py [--requests 1000]
"""

import argparse
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx
import pandas as pd

from analysis.paths import FEATURE_REPO_DIR, OFFLINE_DATA_DIR
from scripts.bench_common import (
    Row,
    Startup,
    copy_feature_store,
    feast_cli,
    interleaved,
    print_report,
    rss_mb,
    verdict,
)
from scripts.local_services import feature_server, uvicorn_service

FEATURES = ["sms_features2:features"]
GOAL_ADDED_MS = 1.0
ENTITY_COUNTS = (1, 100)
SECTION = "Feature-server proxy: loopback, one keep-alive connection"
SOURCES = ("online_store", "feature_server")


def ids_label(count: int) -> str:
    return "1 id" if count == 1 else f"{count} ids"


def prepare_store(
    workdir: Path, feature_repo: Path = FEATURE_REPO_DIR, offline: Path = OFFLINE_DATA_DIR
) -> tuple[Path, list[str]]:
    """A stage-2021 copy of the store, materialized; return it and some ids it holds."""
    repo = copy_feature_store(workdir, feature_repo, offline)
    feast_cli(repo, "apply")
    feast_cli(repo, "materialize", "2019-01-01T00:00:00", "2021-01-01T00:00:00")
    ids = pd.read_parquet(offline / "sms_features2.parquet", columns=["sms_id"])["sms_id"]
    return repo, ids.tolist()


def run(
    requests: int,
    warmup: int,
    workdir: Path,
    feature_repo: Path = FEATURE_REPO_DIR,
    offline: Path = OFFLINE_DATA_DIR,
) -> tuple[list[Row], list[Startup]]:
    """The proxy rows of the table, and each server's cold start and memory."""
    repo, ids = prepare_store(workdir, feature_repo, offline)

    def ask(client: httpx.Client, count: int, i: int) -> httpx.Response:
        start = (i * count) % (len(ids) - count)
        body = {"features": FEATURES, "entities": {"sms_id": ids[start : start + count]}}
        return client.post("/get-online-features", json=body)

    with ExitStack() as stack:
        feast = stack.enter_context(feature_server(repo, {}, workdir))
        proxies = {
            source: stack.enter_context(
                uvicorn_service(
                    "api.feature_server_proxy.feature_server_proxy_api:app",
                    {
                        "PROXY_SOURCE": source,
                        "SMS_FEATURE_REPO": str(repo),
                        "FEATURE_SERVER_URL": feast.url,
                        "LOG_LEVEL": "WARNING",
                    },
                    workdir,
                )
            )
            for source in SOURCES
        }
        direct = stack.enter_context(httpx.Client(base_url=feast.url, timeout=30))
        through = {
            source: stack.enter_context(httpx.Client(base_url=svc.url, timeout=30))
            for source, svc in proxies.items()
        }
        kinds: dict[str, Callable[[int], httpx.Response]] = {}
        for count in ENTITY_COUNTS:
            label = ids_label(count)
            kinds[f"feast serve, {label}"] = partial(ask, direct, count)
            for source in SOURCES:
                kinds[f"proxy ({source}), {label}"] = partial(ask, through[source], count)
        results = {r.name: r for r in interleaved(kinds, requests, warmup)}
        startups = [Startup("feast serve", feast.ready_s, rss_mb(feast.process.pid))] + [
            Startup(f"feature proxy ({source})", svc.ready_s, rss_mb(svc.process.pid))
            for source, svc in proxies.items()
        ]

    rows = []
    for count in ENTITY_COUNTS:
        baseline = results[f"feast serve, {ids_label(count)}"]
        base_p50 = baseline.percentile_ms(0.5)
        rows.append(Row.of(SECTION, baseline, goal="the baseline of the two rows below"))
        for source in SOURCES:
            result = results[f"proxy ({source}), {ids_label(count)}"]
            added = result.percentile_ms(0.5) - base_p50
            rows.append(
                Row.of(
                    SECTION,
                    result,
                    baseline=f"feast serve: {base_p50:.3f} ms",
                    ratio=f"{added:+.3f} ms",
                    goal=f"<= {GOAL_ADDED_MS:g} ms added at p50",
                    verdict=verdict(added <= GOAL_ADDED_MS),
                )
            )
    return rows, startups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per request kind")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)
    if not (OFFLINE_DATA_DIR / "sms_features2.parquet").is_file():
        print("no offline sources: run `make demo` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        rows, startups = run(args.requests, args.warmup, Path(folder))
    print_report(rows, startups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
