"""Benchmark the inbox webhook and the user-data API over loopback (part of ``make bench``).

Starts, as real processes on temporary copies of the data, the user-data API, the model API,
Feast's feature server and the inbox webhook (the same set as ``scripts/bench_load.py``), then
measures in interleaved rounds over one keep-alive connection each:

- ``webhook POST /sms``: a new message (stored in the inbox, v2 features from the model API,
  pushed to the feature server), against ``feast /push alone``: the push of one message's
  features straight to the feature server. The goal: the webhook's p50 at most 3 x the push's;
- ``inbox GET``: the user-data API's ``GET /sms/{user_id}``, a page of 20, against that
  server's ``GET /health`` (its floor), reported.

    python scripts/bench_ingest.py [--requests 500]
"""

import argparse
import sys
import tempfile
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

from analysis.paths import FEATURE_REPO_DIR, MODELS_DIR, OFFLINE_DATA_DIR
from scripts.bench_common import (
    Row,
    Startup,
    interleaved,
    print_report,
    rss_mb,
    verdict,
)
from scripts.bench_load import start_services

GOAL_WEBHOOK_OVER_PUSH = 3.0
SECTION = "Inbox webhook and user data: loopback, one keep-alive connection"
PUSH_SOURCE = "smss2_push"


def run(
    models_dir: Path,
    requests: int,
    warmup: int,
    workdir: Path,
    feature_repo: Path = FEATURE_REPO_DIR,
    offline: Path = OFFLINE_DATA_DIR,
) -> tuple[list[Row], list[Startup]]:
    """The webhook and inbox rows of the table, and each server's cold start and memory."""
    with ExitStack() as stack:
        services = start_services(workdir, models_dir, {}, stack, feature_repo, offline)
        clients = {
            name: stack.enter_context(httpx.Client(base_url=svc.url, timeout=30))
            for name, svc in services.items()
        }
        features = clients["models"].post(
            "/model/v2/text_to_features", json={"text": "a message to push"}
        )
        features.raise_for_status()
        vector = features.json()["features"]
        run_id = uuid.uuid4().hex[:8]

        def webhook(i: int) -> httpx.Response:
            key = f"bench-{run_id}-{i}"
            return clients["inbox"].post(
                "/sms",
                json={"user_id": "otto", "sender_id": "gateway", "sms_text": f"message {key}"},
                headers={"Idempotency-Key": key},
            )

        def push(i: int) -> httpx.Response:
            return clients["feast"].post(
                "/push",
                json={
                    "push_source_name": PUSH_SOURCE,
                    "df": {
                        "sms_id": [str(uuid.uuid1())],
                        "features": [vector],
                        "event_timestamp": [datetime.now(UTC).isoformat(timespec="microseconds")],
                    },
                    "to": "online_and_offline",
                },
            )

        kinds: dict[str, Callable[[int], httpx.Response]] = {
            "feast /push alone": push,
            "webhook POST /sms": webhook,
            "user data floor (/health)": lambda i: clients["users"].get("/health"),
            "inbox GET (20 messages)": lambda i: clients["users"].get(
                "/sms/fiona", params={"limit": 20}
            ),
        }
        results = {r.name: r for r in interleaved(kinds, requests, warmup)}
        names = {"users": "user data", "inbox": "inbox webhook"}
        startups = [
            Startup(label, services[key].ready_s, rss_mb(services[key].process.pid))
            for key, label in names.items()
        ]

    push_result, webhook_result = results["feast /push alone"], results["webhook POST /sms"]
    ratio = webhook_result.percentile_ms(0.5) / push_result.percentile_ms(0.5)
    floor, inbox = results["user data floor (/health)"], results["inbox GET (20 messages)"]
    inbox_ratio = inbox.percentile_ms(0.5) / floor.percentile_ms(0.5)
    rows = [
        Row.of(SECTION, push_result, goal="the baseline of the row below"),
        Row.of(
            SECTION,
            webhook_result,
            baseline=f"feast /push alone: {push_result.percentile_ms(0.5):.3f} ms",
            ratio=f"{ratio:.2f} x",
            goal=f"p50 <= {GOAL_WEBHOOK_OVER_PUSH:g} x",
            verdict=verdict(ratio <= GOAL_WEBHOOK_OVER_PUSH),
        ),
        Row.of(SECTION, floor, goal="the floor of the row below"),
        Row.of(
            SECTION,
            inbox,
            baseline=f"user data floor: {floor.percentile_ms(0.5):.3f} ms",
            ratio=f"{inbox_ratio:.2f} x",
            goal="report",
        ),
    ]
    return rows, startups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="per request kind")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    if not (OFFLINE_DATA_DIR / "sms_features2.parquet").is_file():
        print("no offline sources: run `make demo` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        rows, startups = run(args.models_dir, args.requests, args.warmup, Path(folder))
    print_report(rows, startups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
