"""Load bench (part of ``make bench``): many clients at once against the services, with wrk.

Starts, on temporary copies of the feature store and of the services' databases, the user-data
API, the model API (v2 and v3), Feast's feature server and the inbox webhook, as real processes
on loopback. Then, for ``--duration`` seconds each, ``--connections`` keep-alive connections
(32 by default, from Debian's wrk) send:

- ``model /health``: the trivial endpoint of the model API, the floor of the model rows;
- ``model v3 hit``: ``text_to_prediction`` for one text, answered from the cache;
- ``model v3 miss``: ``text_to_prediction`` for a new text every time;
- ``user data GET``: one page of an inbox;
- ``webhook POST``: a new message every time, each with its own Idempotency-Key (stored in the
  inbox, v2 features from the model API, pushed to the feature server).

It prints requests, requests per second, p50 and p99 latency and errors (socket errors and non-2xx
answers) for each, then the model API's call log: calls served, rows written, rows dropped.

    python scripts/bench_load.py [--duration 30] [--connections 32] [--storage KEY=VALUE ...]

``--storage`` settings go to the user-data API and the model API, and their tables are made with
``--create-keyspace``: ``--storage STORAGE_BACKEND=cassandra --storage CASSANDRA_HOSTS=127.0.0.1
--storage CASSANDRA_PORT=9042 --storage CASSANDRA_KEYSPACE=sms_spam_bench`` runs it on Cassandra.
"""

import argparse
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from analysis.paths import FEATURE_REPO_DIR, MODELS_DIR, OFFLINE_DATA_DIR
from scripts.bench_common import copy_feature_store, feast_cli, initialise_tables
from scripts.local_services import Service, feature_server, uvicorn_service

HIT_TEXT = "Are we still on for lunch tomorrow?"

# wrk runs each thread's script in a Lua state of its own: ``setup`` numbers the threads so that
# the texts they make never repeat across threads, and RUN keeps them apart across runs.
_NUMBERED_THREADS = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
local counter = 0
"""

LUA = {
    "health": 'wrk.method = "GET"\n',
    "hit": (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.body = \'{{"text": "{HIT_TEXT}"}}\'\n'
    ),
    "miss": _NUMBERED_THREADS
    + """
request = function()
  counter = counter + 1
  local body = '{"text": "load RUN ' .. thread_id .. ' message ' .. counter .. '"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
""",
    "inbox": 'wrk.method = "GET"\n',
    "webhook": _NUMBERED_THREADS
    + """
request = function()
  counter = counter + 1
  local key = 'RUN-' .. thread_id .. '-' .. counter
  local body = '{"user_id": "otto", "sender_id": "gateway", "sms_text": "load message '
    .. key .. '"}'
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}
  return wrk.format("POST", nil, headers, body)
end
""",
}

# name, service, path, script
SCENARIOS = (
    ("model /health", "models", "/health", "health"),
    ("model v3 hit", "models", "/model/v3/text_to_prediction", "hit"),
    ("model v3 miss", "models", "/model/v3/text_to_prediction", "miss"),
    ("user data GET", "users", "/sms/fiona?limit=20", "inbox"),
    ("webhook POST", "inbox", "/sms", "webhook"),
)

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def _latency_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def parse_wrk(name: str, output: str) -> WrkResult:
    """wrk's report (run with ``--latency``) as numbers."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    if done is None:
        raise RuntimeError(f"{name}: wrk printed no result:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, flags=re.MULTILINE))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket.groups()) if socket else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        name=name,
        requests=int(done.group(1)),
        seconds=_latency_ms(done.group(2) + done.group(3)) / 1000,
        p50_ms=_latency_ms(percentiles["50"]),
        p99_ms=_latency_ms(percentiles["99"]),
        errors=errors,
    )


def run_wrk(
    name: str, url: str, script: Path, connections: int, duration_s: int, wrk: str
) -> WrkResult:
    # wrk needs at least one connection per thread.
    threads = min(2, connections)
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency"]
    args += ["-s", str(script)]
    result = subprocess.run(
        [*args, url], capture_output=True, text=True, timeout=duration_s + 60, check=True
    )
    return parse_wrk(name, result.stdout)


def metric(metrics: str, name: str) -> float:
    """The sum of a Prometheus sample over its labels (0 if absent)."""
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def start_services(
    workdir: Path,
    models_dir: Path,
    storage: dict[str, str],
    stack: ExitStack,
    feature_repo: Path = FEATURE_REPO_DIR,
    offline: Path = OFFLINE_DATA_DIR,
) -> dict[str, Service]:
    """The services on temporary copies of the data (``feature_repo`` and its ``offline``
    sources), each a real process."""
    repo = copy_feature_store(workdir, feature_repo, offline)
    feast_cli(repo, "apply")
    quiet = {"LOG_LEVEL": "WARNING"}
    users_env = {**quiet, "SQLITE_PATH": str(workdir / "users.db"), **storage}
    models_env = {
        **quiet,
        "SPAM_MODEL_VERSIONS": "v2,v3",
        "MODELS_DIR": str(models_dir),
        "SQLITE_PATH": str(workdir / "serving.db"),
        **storage,
    }
    keyspace = ("--create-keyspace",) if storage else ()
    initialise_tables("scripts/initialize_user_api_data.py", users_env, *keyspace)
    initialise_tables("scripts/initialize_model_serving_api_caches.py", models_env, *keyspace)
    # Without an access log: 32 clients would spend the server's time writing it.
    options = ("--no-access-log",)
    users = stack.enter_context(
        uvicorn_service("api.user_data.user_api:app", users_env, workdir, options=options)
    )
    models = stack.enter_context(
        uvicorn_service(
            "api.model_serving.model_serving_api:app", models_env, workdir, options=options
        )
    )
    feature_store = stack.enter_context(feature_server(repo, {}, workdir))
    inbox_env = {
        **quiet,
        "USER_DATA_API_URL": users.url,
        "MODEL_SERVING_API_URL": models.url,
        "FEATURE_SERVER_URL": feature_store.url,
        "OUTBOX_PATH": str(workdir / "outbox.db"),
    }
    inbox = stack.enter_context(
        uvicorn_service("api.inbox.inbox_api:app", inbox_env, workdir, options=options)
    )
    return {"users": users, "models": models, "inbox": inbox, "feast": feature_store}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument(
        "--storage", action="append", default=[], metavar="KEY=VALUE", help="a storage setting"
    )
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench_load: wrk is missing (make wrk installs Debian's)", file=sys.stderr)
        return 2
    for folder in ("model2_2020/classifier", "model3_2021/classifier"):
        if not (args.models_dir / folder / "metadata.json").is_file():
            print(f"no model in {args.models_dir / folder}: run `make demo` first", file=sys.stderr)
            return 2
    if not (OFFLINE_DATA_DIR / "sms_features2.parquet").is_file():
        print("no offline sources: run `make demo` first", file=sys.stderr)
        return 2
    storage = dict(item.split("=", 1) for item in args.storage)
    backend = storage.get("STORAGE_BACKEND", "sqlite")

    results = []
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        workdir = Path(folder)
        services = start_services(workdir, args.models_dir, storage, stack)
        models = services["models"].url
        httpx.post(f"{models}/model/v3/text_to_prediction", json={"text": HIT_TEXT})
        run_id = secrets.token_hex(4)
        for name, service, path, kind in SCENARIOS:
            script = workdir / f"{kind}.lua"
            script.write_text(LUA[kind].replace("RUN", run_id))
            url = services[service].url + path
            results.append(run_wrk(name, url, script, args.connections, args.duration, wrk))
        # Everything served is written within the flush delay; wait for it, boundedly.
        deadline = time.monotonic() + 30
        while True:
            metrics = httpx.get(f"{models}/metrics").text
            pending = metric(metrics, 'spam_write_behind_pending{queue="call_log"}')
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)

    served = metric(metrics, "spam_request_seconds_count")
    written = metric(metrics, 'spam_write_behind_written_total{queue="call_log"}')
    dropped = metric(metrics, 'spam_storage_errors_total{operation="call_log_dropped"}')
    print(
        f"load, wrk on loopback, {args.connections} connections x {args.duration} s per row, "
        f"{backend} storage"
    )
    print(
        f"{'scenario':<16} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for result in results:
        print(
            f"{result.name:<16} {result.requests:>9} {result.throughput:>8.0f} "
            f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {result.errors:>7}"
        )
    print(
        f"model API call log: {served:.0f} model calls served, {written:.0f} rows written, "
        f"{dropped:.0f} dropped, {pending:.0f} still pending"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
