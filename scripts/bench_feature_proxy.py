"""Benchmark the feature-server proxy against Feast's own feature server (part of `make bench`).

Copies the feature repo's definitions and offline sources to a temporary folder, applies stage
2021 and materializes the online store there, then starts Feast's feature server and the proxy
as real processes and measures, in interleaved rounds over one keep-alive connection each:

- ``feast direct``: ``POST /get-online-features`` on the feature server, the baseline;
- ``via proxy``: the same request through the proxy (checks, then the same call to Feast).

It prints p50, p95, p99 and requests per second, and what the proxy adds at p50.

    python scripts/bench_feature_proxy.py [--requests 1000]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pandas as pd

from analysis.paths import FEATURE_REPO_DIR, PROJECT_ROOT
from scripts.bench_common import Result, interleaved
from scripts.local_services import feature_server, uvicorn_service

FEATURES = ["sms_features2:features"]


def prepare_store(workdir: Path) -> tuple[Path, list[str]]:
    """A stage-2021 copy of the store, materialized; return it and some ids it holds."""
    offline = PROJECT_ROOT / "offline_data"
    repo = workdir / FEATURE_REPO_DIR.name
    shutil.copytree(FEATURE_REPO_DIR, repo, ignore=shutil.ignore_patterns("data", "__pycache__"))
    shutil.copytree(offline, workdir / "offline_data")
    feast = str(Path(sys.executable).with_name("feast"))
    for args in (["apply"], ["materialize", "2019-01-01T00:00:00", "2021-01-01T00:00:00"]):
        subprocess.run(
            [feast, "-c", str(repo), *args],
            cwd=PROJECT_ROOT,
            env={"FEAST_STORE_STAGE": "2021", "PATH": str(Path(sys.executable).parent)},
            check=True,
            capture_output=True,
        )
    ids = pd.read_parquet(offline / "sms_features2.parquet", columns=["sms_id"])["sms_id"]
    return repo, ids.tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per request kind")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)
    if not (PROJECT_ROOT / "offline_data" / "sms_features2.parquet").is_file():
        print("no offline sources: run `make demo` first", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        repo, ids = prepare_store(workdir)

        def ask(i: int) -> dict:
            return {"features": FEATURES, "entities": {"sms_id": [ids[i % len(ids)]]}}

        with (
            feature_server(repo, {}, workdir) as feast,
            uvicorn_service(
                "api.feature_server_proxy.feature_server_proxy_api:app",
                {
                    "SMS_FEATURE_REPO": str(repo),
                    "FEATURE_SERVER_URL": feast.url,
                    "LOG_LEVEL": "WARNING",
                },
                workdir,
            ) as proxy,
            httpx.Client(base_url=feast.url, timeout=30) as direct,
            httpx.Client(base_url=proxy.url, timeout=30) as through,
        ):
            results: list[Result] = interleaved(
                {
                    "feast direct": lambda i: direct.post("/get-online-features", json=ask(i)),
                    "via proxy": lambda i: through.post("/get-online-features", json=ask(i)),
                },
                args.requests,
                args.warmup,
            )
    baseline, proxied = results
    print(f"feature-server proxy, loopback, one keep-alive connection, {args.requests} each")
    print(
        f"{'request':<13} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p50 ratio':>10}"
    )
    for result in results:
        p50 = result.percentile_ms(0.5)
        print(
            f"{result.name:<13} {p50:8.3f} {result.percentile_ms(0.95):8.3f} "
            f"{result.percentile_ms(0.99):8.3f} {result.throughput:8.0f} "
            f"{p50 / baseline.percentile_ms(0.5):10.2f}"
        )
    added = proxied.percentile_ms(0.5) - baseline.percentile_ms(0.5)
    print(f"the proxy adds {added:.3f} ms at p50 to a one-message read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
