"""Benchmark the model-serving API over loopback (the first part of ``make bench``).

Starts real uvicorn processes on temporary SQLite databases and, with one keep-alive HTTP
connection and bounded loops, measures in the same run:

- ``floor``: ``GET /health``, a trivial endpoint on the same server stack;
- ``v1 hit``: ``POST /model/v1/text_to_prediction`` for a text already in the cache;
- ``v1 miss``: the endpoint for a text never seen before (features, model, cache write);
- ``v1 hit/db``: a hit with the in-memory front off, so that it reads SQLite (a second
  server, compared with that server's own floor).

It prints p50, p95, p99 and requests per second for each, and each p50's ratio to the floor.

    python scripts/bench_model_serving.py [--requests 2000] [--models-dir models]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from analysis.paths import MODELS_DIR, PROJECT_ROOT
from scripts.local_services import uvicorn_service

GOAL_HIT_OVER_FLOOR = 1.5
PREDICT = "/model/v1/text_to_prediction"
CACHED_TEXT = "the cached message"


@dataclass
class Result:
    name: str
    latencies_s: list[float]
    elapsed_s: float

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies_s) / self.elapsed_s


def measure(name: str, send: Callable[[int], httpx.Response], requests: int, warmup: int) -> Result:
    for i in range(warmup):
        send(-1 - i).raise_for_status()
    latencies = []
    started = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        response = send(i)
        latencies.append(time.perf_counter() - t0)
        response.raise_for_status()
    return Result(name, latencies, time.perf_counter() - started)


def run_server(models_dir: Path, requests: int, warmup: int, memory_items: int) -> list[Result]:
    """Start one server; measure its floor, cache hits and, with the memory front on, misses."""
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            "SPAM_MODEL_VERSIONS": "v1",
            "MODELS_DIR": str(models_dir),
            "STORAGE_BACKEND": "sqlite",
            "SQLITE_PATH": str(Path(workdir) / "serving.db"),
            "PREDICTION_CACHE_MEMORY_ITEMS": str(memory_items),
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "scripts/initialize_model_serving_api_caches.py"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        with (
            uvicorn_service("api.model_serving.model_serving_api:app", env, Path(workdir)) as svc,
            httpx.Client(base_url=svc.url, timeout=10) as client,
        ):
            client.post(PREDICT, json={"text": CACHED_TEXT}).raise_for_status()
            time.sleep(0.2)  # let the background cache write land
            floor = measure("floor", lambda i: client.get("/health"), requests, warmup)
            hit = measure(
                "v1 hit" if memory_items else "v1 hit/db",
                lambda i: client.post(PREDICT, json={"text": CACHED_TEXT}),
                requests,
                warmup,
            )
            if not memory_items:
                return [floor, hit]
            miss = measure(
                "v1 miss",
                lambda i: client.post(PREDICT, json={"text": f"never seen before, number {i}"}),
                requests,
                warmup,
            )
            return [floor, hit, miss]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per request kind")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    if not (args.models_dir / "model1_2019" / "metadata.json").is_file():
        print(f"no model v1 in {args.models_dir}: run `make demo` first", file=sys.stderr)
        return 2

    floor, hit, miss = run_server(args.models_dir, args.requests, args.warmup, 10_000)
    floor_db, hit_db = run_server(args.models_dir, args.requests, args.warmup, 0)
    print(f"model serving, loopback, one keep-alive connection, {args.requests} requests each")
    print(
        f"{'request':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p50/floor':>10}"
    )
    for result, its_floor in ((floor, floor), (hit, floor), (miss, floor), (hit_db, floor_db)):
        p50 = result.percentile_ms(0.5)
        print(
            f"{result.name:<10} {p50:8.3f} {result.percentile_ms(0.95):8.3f} "
            f"{result.percentile_ms(0.99):8.3f} {result.throughput:8.0f} "
            f"{p50 / its_floor.percentile_ms(0.5):10.2f}"
        )
    ratio = hit.percentile_ms(0.5) / floor.percentile_ms(0.5)
    verdict = "met" if ratio <= GOAL_HIT_OVER_FLOOR else "NOT met"
    print(f"goal: cache-hit p50 <= {GOAL_HIT_OVER_FLOOR} x floor p50: {ratio:.2f} x, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
