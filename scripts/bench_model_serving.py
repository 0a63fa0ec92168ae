"""Benchmark the model-serving API over loopback (the first part of ``make bench``).

Starts real uvicorn processes on temporary SQLite databases and, with one keep-alive HTTP
connection and bounded loops, measures in the same run:

- ``floor``: ``GET /health``, a trivial endpoint on the same server stack;
- ``v1 hit``: ``POST /model/v1/text_to_prediction`` for a text already in the cache;
- ``v1 miss``: the endpoint for a text never seen before (features, model, cache write);
- ``v1 hit/db``: a hit with the in-memory front off, so that it reads SQLite (a second
  server, compared with that server's own floor);
- ``v2 miss``: ``POST /model/v2/text_to_prediction`` for a new text, next to ``v2 call``: the
  same work (tokenizer and model) called in this process, without HTTP or storage.

It prints p50, p95, p99 and requests per second for each, and each p50's ratio to the floor.
The goals: a v1 hit's p50 at most 1.5 x the floor's, and a v2 miss's p50 at most
1.5 x (floor + v2 call).

    python scripts/bench_model_serving.py [--requests 2000] [--models-dir models]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from analysis.paths import MODELS_DIR, PROJECT_ROOT
from scripts.bench_common import Result, interleaved
from scripts.local_services import uvicorn_service

GOAL_HIT_OVER_FLOOR = 1.5
GOAL_V2_MISS_OVER_FLOOR_PLUS_CALL = 1.5
PREDICT = "/model/v1/text_to_prediction"
PREDICT_V2 = "/model/v2/text_to_prediction"
CACHED_TEXT = "the cached message"


def run_server(
    models_dir: Path, requests: int, warmup: int, memory_items: int, versions: str
) -> list[Result]:
    """Start one server and measure its floor, cache hits and, with the memory front on, misses."""
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            "SPAM_MODEL_VERSIONS": versions,
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
            time.sleep(0.2)  # let the cache write land
            kinds: dict[str, Callable[[int], httpx.Response]] = {
                "floor": lambda i: client.get("/health"),
                ("v1 hit" if memory_items else "v1 hit/db"): lambda i: client.post(
                    PREDICT, json={"text": CACHED_TEXT}
                ),
            }
            if memory_items:
                kinds["v1 miss"] = lambda i: client.post(
                    PREDICT, json={"text": f"never seen before, number {i}"}
                )
                kinds["v2 miss"] = lambda i: client.post(
                    PREDICT_V2, json={"text": f"a new one for v2, number {i}"}
                )
            results = interleaved(kinds, requests, warmup)
            if memory_items:
                print_handler_means(client.get("/metrics").text)
            return results


def print_handler_means(metrics: str) -> None:
    """The server's own view, from its histograms: the mean time inside the route handler (cache
    lookup, model, bookkeeping; no HTTP parsing, routing or network), and the mean time of the
    model call on a miss, as it runs inside the server rather than in a tight loop."""
    values: dict[str, float] = {}
    for line in metrics.splitlines():
        if 'endpoint="text_to_prediction"' in line and line.startswith("spam_"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)

    def mean(histogram: str, labels: str) -> tuple[float, float]:
        count = values.get(f"{histogram}_count{labels}", 0.0)
        total = values.get(f"{histogram}_sum{labels}", 0.0)
        return count, (total / count * 1000 if count else float("nan"))

    print("server side, text_to_prediction, from /metrics:")
    for version in ("v1", "v2"):
        labels = f'{{endpoint="text_to_prediction",version="{version}"}}'
        requests, handler_ms = mean("spam_request_seconds", labels)
        misses, compute_ms = mean("spam_compute_seconds", labels)
        print(
            f"  {version}: handler mean {handler_ms:.3f} ms over {requests:.0f} requests; "
            f"model call mean {compute_ms:.3f} ms over {misses:.0f} misses"
        )


def measure_v2_call(models_dir: Path, requests: int, warmup: int) -> Result:
    """The v2 work of a miss (tokenizer + one model call) in this process, without HTTP."""
    from api.model_serving.models.catalog import load_model
    from api.model_serving.serving import text_prediction_payloads

    model = load_model("v2", models_dir)

    def call(i: int) -> None:
        text_prediction_payloads(model, [f"a new one for v2, number {i}"])

    for i in range(warmup):
        call(-1 - i)
    latencies = []
    started = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        call(i)
        latencies.append(time.perf_counter() - t0)
    return Result("v2 call", latencies, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per request kind")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    for folder in ("model1_2019", "model2_2020/classifier"):
        if not (args.models_dir / folder / "metadata.json").is_file():
            print(f"no model in {args.models_dir / folder}: run `make demo` first", file=sys.stderr)
            return 2

    floor, hit, miss, miss_v2 = run_server(
        args.models_dir, args.requests, args.warmup, 10_000, "v1,v2"
    )
    floor_db, hit_db = run_server(args.models_dir, args.requests, args.warmup, 0, "v1")
    call_v2 = measure_v2_call(args.models_dir, args.requests, args.warmup)
    print(f"model serving, loopback, one keep-alive connection, {args.requests} requests each")
    print(
        f"{'request':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p50/floor':>10}"
    )
    rows = (
        (floor, floor),
        (hit, floor),
        (miss, floor),
        (hit_db, floor_db),
        (miss_v2, floor),
        (call_v2, floor),
    )
    for result, its_floor in rows:
        p50 = result.percentile_ms(0.5)
        print(
            f"{result.name:<10} {p50:8.3f} {result.percentile_ms(0.95):8.3f} "
            f"{result.percentile_ms(0.99):8.3f} {result.throughput:8.0f} "
            f"{p50 / its_floor.percentile_ms(0.5):10.2f}"
        )
    ratio = hit.percentile_ms(0.5) / floor.percentile_ms(0.5)
    verdict = "met" if ratio <= GOAL_HIT_OVER_FLOOR else "NOT met"
    print(f"goal: cache-hit p50 <= {GOAL_HIT_OVER_FLOOR} x floor p50: {ratio:.2f} x, {verdict}")
    budget = floor.percentile_ms(0.5) + call_v2.percentile_ms(0.5)
    ratio_v2 = miss_v2.percentile_ms(0.5) / budget
    verdict_v2 = "met" if ratio_v2 <= GOAL_V2_MISS_OVER_FLOOR_PLUS_CALL else "NOT met"
    print(
        f"goal: v2 miss p50 <= {GOAL_V2_MISS_OVER_FLOOR_PLUS_CALL} x (floor + v2 call) p50 "
        f"= {budget:.3f} ms: {ratio_v2:.2f} x, {verdict_v2}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
