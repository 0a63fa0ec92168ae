"""Benchmark the model-serving API over loopback (part of ``make bench``).

Starts real uvicorn processes on temporary SQLite databases, as the README starts them, and with
one keep-alive HTTP connection and bounded loops (warm-up excluded) measures in the same run:

- ``floor``: ``GET /health``, a trivial endpoint on the same server stack;
- ``vN hit``: ``POST /model/vN/text_to_prediction`` for a text already in the cache (v1, v2, v3);
- ``vN miss``: the endpoint for a text never seen before (features, model, cache write-behind),
  judged against ``floor + vN call``: the same work (features and model) called in this
  process, without HTTP or storage;
- ``v1 hit/db``: a hit with the in-memory front off, so that it reads SQLite (a second
  server, compared with that server's own floor);
- ``naive v3 miss``: the naive server of ``scripts/bench_naive_server.py`` (per-request
  ``model.predict``, a synchronous cache write), interleaved with the API's ``v3 miss``;
- ``/batch of N``: ``text_to_prediction/batch`` of N new texts against N single calls;
- ``v3 miss, C clients``: wrk with C keep-alive connections (1, 8, 32);
- the server's cold start (process start to its first ``/health``) and its RSS after the runs.

The goals: a hit's p50 at most 1.5 x the floor's; a miss's p50 at most 1.5 x (floor + call);
v3 miss at least 10 x faster than the naive server at p50; a batch of 1,000 at least 20 x the
throughput of 1,000 single calls.

    python scripts/bench_model_serving.py [--requests 2000] [--models-dir models]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from analysis.paths import MODELS_DIR, PROJECT_ROOT
from scripts.bench_common import (
    Result,
    Row,
    Startup,
    interleaved,
    print_report,
    rss_mb,
    verdict,
)
from scripts.bench_load import LUA, run_wrk
from scripts.local_services import Service, uvicorn_service

GOAL_HIT_OVER_FLOOR = 1.5
GOAL_MISS_OVER_FLOOR_PLUS_CALL = 1.5
GOAL_NAIVE_OVER_MISS = 10.0
GOAL_BATCH_SPEEDUP = 20.0
VERSIONS = ("v1", "v2", "v3")
CACHED_TEXT = "the cached message"
SECTION = "Model serving, text_to_prediction: loopback, one keep-alive connection"
BATCH_SECTION = "Model serving, v3 /batch of new texts against as many single calls"
LOAD_SECTION = "Model serving, v3 misses under concurrent clients (wrk)"
MODEL_FOLDERS = ("model1_2019", "model2_2020/classifier", "model3_2021/classifier")


def predict_path(version: str) -> str:
    return f"/model/{version}/text_to_prediction"


def post_text(client: httpx.Client, version: str, text: str, i: int) -> httpx.Response:
    """``text_to_prediction`` of ``text``, where ``{i}`` becomes the request's number."""
    return client.post(predict_path(version), json={"text": text.format(i=i)})


@dataclass
class Settings:
    """How much to measure: the defaults for ``make bench``, tiny counts for the smoke run."""

    requests: int = 2000
    warmup: int = 200
    batch_sizes: tuple[int, ...] = (100, 1000)
    batch_rounds: int = 5
    naive_requests: int = 200
    clients: tuple[int, ...] = (1, 8, 32)
    wrk_seconds: int = 10


def serving_env(models_dir: Path, workdir: Path, memory_items: int, versions: str) -> dict:
    env = {
        "SPAM_MODEL_VERSIONS": versions,
        "MODELS_DIR": str(models_dir),
        "STORAGE_BACKEND": "sqlite",
        "SQLITE_PATH": str(workdir / f"serving-{memory_items}.db"),
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
    return env


def measure_calls(models_dir: Path, requests: int, warmup: int) -> dict[str, Result]:
    """The work of a miss (features + one model call) for each version, in this process."""
    from api.model_serving.models.base import SpamModel
    from api.model_serving.models.catalog import load_model
    from api.model_serving.serving import text_prediction_payloads

    results = {}
    for version in VERSIONS:
        model = load_model(version, models_dir)

        def call(i: int, model: SpamModel = model, version: str = version) -> None:
            text_prediction_payloads(model, [f"a new one for {version}, number {i}"])

        for i in range(warmup):
            call(-1 - i)
        latencies = []
        started = time.perf_counter()
        for i in range(requests):
            t0 = time.perf_counter()
            call(i)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        results[version] = Result(f"{version} call (in process)", latencies, elapsed)
    return results


def measure_batches(client: httpx.Client, size: int, rounds: int) -> tuple[Result, Result]:
    """``rounds`` batches of ``size`` new v3 texts, and ``rounds`` times ``size`` single calls
    of new texts, alternated; a warm-up round of each first. Latencies are per round."""
    batch = Result(f"/batch of {size:,}", [], 0.0)
    singles = Result(f"{size:,} single calls", [], 0.0)
    path = predict_path("v3")
    for number in range(-1, rounds):
        texts = [f"batch {size} round {number} text {j}" for j in range(size)]
        t0 = time.perf_counter()
        answer = client.post(f"{path}/batch", json={"texts": texts})
        took = time.perf_counter() - t0
        answer.raise_for_status()
        if number >= 0:
            batch.latencies_s.append(took)
            batch.elapsed_s += took
        t0 = time.perf_counter()
        for j in range(size):
            client.post(path, json={"text": f"single {size} round {number} text {j}"})
        took = time.perf_counter() - t0
        if number >= 0:
            singles.latencies_s.append(took)
            singles.elapsed_s += took
    return batch, singles


def measure_clients(svc: Service, workdir: Path, clients: int, seconds: int) -> Row:
    wrk = shutil.which("wrk")
    name = f"v3 miss, {clients} client{'s' if clients > 1 else ''}"
    if wrk is None:
        return Row(LOAD_SECTION, name, None, None, None, goal="skipped: wrk is missing")
    script = workdir / f"miss-{clients}.lua"
    script.write_text(LUA["miss"].replace("RUN", f"c{clients}"))
    result = run_wrk(name, svc.url + predict_path("v3"), script, clients, seconds, wrk)
    errors = f"{result.errors} errors" if result.errors else "no errors"
    return Row(
        LOAD_SECTION,
        name,
        result.p50_ms,
        result.p99_ms,
        result.throughput,
        goal=f"report ({result.requests:,} requests in {seconds} s, {errors})",
    )


def ratio_row(
    result: Result,
    baseline_name: str,
    baseline_p50: float,
    goal_factor: float,
    section: str = SECTION,
) -> Row:
    ratio = result.percentile_ms(0.5) / baseline_p50
    return Row.of(
        section,
        result,
        baseline=f"{baseline_name}: {baseline_p50:.3f} ms",
        ratio=f"{ratio:.2f} x",
        goal=f"p50 <= {goal_factor} x",
        verdict=verdict(ratio <= goal_factor),
    )


def run(models_dir: Path, settings: Settings, workdir: Path) -> tuple[list[Row], list[Startup]]:
    """Every model-serving row of the table, and the servers' cold starts and memory."""
    rows: list[Row] = []
    startups: list[Startup] = []
    calls = measure_calls(models_dir, settings.requests, settings.warmup)
    env = serving_env(models_dir, workdir, 10_000, ",".join(VERSIONS))
    naive_env = {
        "MODELS_DIR": str(models_dir),
        "NAIVE_CACHE_PATH": str(workdir / "naive.db"),
        "LOG_LEVEL": "WARNING",
    }
    with (
        uvicorn_service("api.model_serving.model_serving_api:app", env, workdir) as svc,
        uvicorn_service("scripts.bench_naive_server:app", naive_env, workdir) as naive_svc,
        httpx.Client(base_url=svc.url, timeout=60) as client,
        httpx.Client(base_url=naive_svc.url, timeout=60) as naive,
    ):
        for version in VERSIONS:
            client.post(predict_path(version), json={"text": CACHED_TEXT}).raise_for_status()
        time.sleep(0.2)  # let the cache writes land
        kinds: dict[str, Callable[[int], httpx.Response]] = {
            "floor": lambda i: client.get("/health")
        }
        for version in VERSIONS:
            kinds[f"{version} hit"] = partial(post_text, client, version, CACHED_TEXT)
        for version in VERSIONS:
            text = f"never seen by {version}, number {{i}}"
            kinds[f"{version} miss"] = partial(post_text, client, version, text)
        measured = {r.name: r for r in interleaved(kinds, settings.requests, settings.warmup)}
        floor = measured["floor"]
        floor_p50 = floor.percentile_ms(0.5)
        rows.append(Row.of(SECTION, floor, goal="the floor"))
        for version in VERSIONS:
            rows.append(
                ratio_row(measured[f"{version} hit"], "floor", floor_p50, GOAL_HIT_OVER_FLOOR)
            )
        for version in VERSIONS:
            call = calls[version]
            budget = floor_p50 + call.percentile_ms(0.5)
            rows.append(Row.of(SECTION, call, goal="baseline of the miss below"))
            rows.append(
                ratio_row(
                    measured[f"{version} miss"],
                    f"floor + {version} call",
                    budget,
                    GOAL_MISS_OVER_FLOOR_PLUS_CALL,
                )
            )

        naive_kinds: dict[str, Callable[[int], httpx.Response]] = {
            "v3 miss (API)": lambda i: client.post(
                predict_path("v3"), json={"text": f"against naive, number {i}"}
            ),
            "naive v3 miss": lambda i: naive.post(
                predict_path("v3"), json={"text": f"naive, number {i}"}
            ),
        }
        api_miss, naive_miss = interleaved(
            naive_kinds, settings.naive_requests, max(settings.naive_requests // 10, 2)
        )
        speedup = naive_miss.percentile_ms(0.5) / api_miss.percentile_ms(0.5)
        rows.append(Row.of(SECTION, naive_miss, goal="baseline of the miss below"))
        rows.append(
            Row.of(
                SECTION,
                api_miss,
                baseline=f"naive v3 miss: {naive_miss.percentile_ms(0.5):.3f} ms",
                ratio=f"{speedup:.1f} x faster",
                goal=f"p50 >= {GOAL_NAIVE_OVER_MISS:g} x faster",
                verdict=verdict(speedup >= GOAL_NAIVE_OVER_MISS),
            )
        )

        for size in settings.batch_sizes:
            batch, singles = measure_batches(client, size, settings.batch_rounds)
            gain = (size / batch.elapsed_s * len(batch.latencies_s)) / (
                size / singles.elapsed_s * len(singles.latencies_s)
            )
            rows.append(
                Row(
                    BATCH_SECTION,
                    f"{singles.name} (p50: time of all {size:,})",
                    singles.percentile_ms(0.5),
                    singles.percentile_ms(0.99),
                    size * len(singles.latencies_s) / singles.elapsed_s,
                    goal="baseline of the batch below",
                    unit="texts/s",
                )
            )
            goal_met = gain >= GOAL_BATCH_SPEEDUP if size >= 1000 else None
            rows.append(
                Row(
                    BATCH_SECTION,
                    batch.name,
                    batch.percentile_ms(0.5),
                    batch.percentile_ms(0.99),
                    size * len(batch.latencies_s) / batch.elapsed_s,
                    baseline=f"{singles.name}",
                    ratio=f"{gain:.1f} x the throughput",
                    goal=(f">= {GOAL_BATCH_SPEEDUP:g} x at 1,000" if size >= 1000 else "report"),
                    verdict=None if goal_met is None else verdict(goal_met),
                    unit="texts/s",
                )
            )

        for clients in settings.clients:
            rows.append(measure_clients(svc, workdir, clients, settings.wrk_seconds))
        for name, service in (
            ("model serving (v1, v2, v3)", svc),
            ("naive v3 server (bench only)", naive_svc),
        ):
            startups.append(Startup(name, service.ready_s, rss_mb(service.process.pid)))

    env_db = serving_env(models_dir, workdir, 0, "v1")
    with (
        uvicorn_service("api.model_serving.model_serving_api:app", env_db, workdir) as svc_db,
        httpx.Client(base_url=svc_db.url, timeout=60) as client_db,
    ):
        client_db.post(predict_path("v1"), json={"text": CACHED_TEXT}).raise_for_status()
        time.sleep(0.2)
        floor_db, hit_db = interleaved(
            {
                "floor (memory front off)": lambda i: client_db.get("/health"),
                "v1 hit/db": lambda i: client_db.post(
                    predict_path("v1"), json={"text": CACHED_TEXT}
                ),
            },
            settings.requests,
            settings.warmup,
        )
    rows.append(Row.of(SECTION, floor_db, goal="the floor of the row below"))
    rows.append(ratio_row(hit_db, "its floor", floor_db.percentile_ms(0.5), GOAL_HIT_OVER_FLOOR))
    return rows, startups


def missing_models(models_dir: Path) -> str | None:
    for folder in MODEL_FOLDERS:
        if not (models_dir / folder / "metadata.json").is_file():
            return f"no model in {models_dir / folder}: run `make demo` first"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=Settings.requests, help="per kind")
    parser.add_argument("--warmup", type=int, default=Settings.warmup)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    problem = missing_models(args.models_dir)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    settings = Settings(requests=args.requests, warmup=args.warmup)
    with tempfile.TemporaryDirectory() as folder:
        rows, startups = run(args.models_dir, settings, Path(folder))
    print_report(rows, startups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
