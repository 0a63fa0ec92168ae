"""SIGTERM under load: what a service has answered, it has also written.

The model API writes its call log and its cache behind the requests; here the flush delay is
longer than the test, so everything it answered is still pending in memory when SIGTERM comes,
and only its shutdown can write it. The webhook writes its outbox and its receipts during the
request; SIGTERM must let the requests in flight finish.
"""

import signal
import sqlite3
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.local_services import Service, free_port, uvicorn_service
from tests.support.stack import initialise

pytestmark = pytest.mark.integration

CLIENTS = 4
CALLS_BEFORE_SIGTERM = 200


Body = Callable[[], dict[str, Any]]


def load(service: Service, path: str, body: Body, answered: list, stop: threading.Event) -> None:
    """Post until ``stop`` is set or the server goes away; keep the bodies answered 2xx."""
    with httpx.Client(base_url=service.url, timeout=30) as client:
        while not stop.is_set():
            sent = body()
            try:
                answer = client.post(path, json=sent, headers=sent.pop("_headers", {}))
            except httpx.TransportError:
                return
            if answer.is_success:
                answered.append((sent, answer.json()))


def run_load_then_sigterm(service: Service, path: str, body: Body) -> list:
    answered: list = []
    stop = threading.Event()
    clients = [
        threading.Thread(target=load, args=(service, path, body, answered, stop))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    while len(answered) < CALLS_BEFORE_SIGTERM and any(c.is_alive() for c in clients):
        threading.Event().wait(0.05)
    service.process.terminate()  # SIGTERM, with the clients still sending
    exit_code = service.process.wait(timeout=60)
    stop.set()
    for client in clients:
        client.join(timeout=60)
    # uvicorn shuts down, then ends by the signal it received (it re-raises SIGTERM).
    assert exit_code in (0, -signal.SIGTERM), service.output()
    assert "Application shutdown complete" in service.output()
    return answered


def test_the_model_api_writes_its_call_log_and_cache_at_sigterm(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "serving.db"
    env = {
        "SPAM_MODEL_VERSIONS": "v1",
        "MODELS_DIR": str(models_dir),
        "SQLITE_PATH": str(database),
        "STORAGE_FLUSH_SECONDS": "600",  # nothing is written before SIGTERM
        "LOG_LEVEL": "WARNING",
    }
    initialise("scripts/initialize_model_serving_api_caches.py", env)

    def body() -> dict[str, Any]:
        return {"text": f"shutdown test {uuid.uuid4()}"}

    with uvicorn_service("api.model_serving.model_serving_api:app", env, tmp_path) as service:
        answered = run_load_then_sigterm(service, "/model/v1/text_to_prediction", body)

    with sqlite3.connect(database) as db:
        logged = {row[0] for row in db.execute("SELECT input FROM call_log")}
        cached = db.execute("SELECT COUNT(*) FROM prediction_cache").fetchone()[0]
    texts = {f'["{sent["text"]}"]' for sent, _ in answered}
    with capsys.disabled():
        print(
            f"\nshutdown, model API: {len(answered)} calls answered before and during SIGTERM; "
            f"{len(logged)} call-log rows and {cached} cache entries written at shutdown"
        )
    assert len(answered) >= CALLS_BEFORE_SIGTERM
    assert texts <= logged  # every answered call is in the call log
    assert cached >= len(texts)  # and every computed result in the cache


def test_the_webhook_keeps_every_accepted_message_at_sigterm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users_env = {"SQLITE_PATH": str(tmp_path / "users.db"), "LOG_LEVEL": "WARNING"}
    initialise("scripts/initialize_user_api_data.py", users_env, "--no-samples")
    outbox = tmp_path / "outbox.db"
    with uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users:
        # No model API and no feature server: every accepted message waits in the outbox.
        inbox_env = {
            "USER_DATA_API_URL": users.url,
            "MODEL_SERVING_API_URL": f"http://127.0.0.1:{free_port()}",
            "FEATURE_SERVER_URL": f"http://127.0.0.1:{free_port()}",
            "OUTBOX_PATH": str(outbox),
            "LOG_LEVEL": "WARNING",
        }

        def body() -> dict[str, Any]:
            key = str(uuid.uuid4())
            return {
                "user_id": "otto",
                "sender_id": "gateway",
                "sms_text": f"shutdown {key}",
                "_headers": {"Idempotency-Key": key},
            }

        with uvicorn_service("api.inbox.inbox_api:app", inbox_env, tmp_path) as inbox:
            answered = run_load_then_sigterm(inbox, "/sms", body)

    with sqlite3.connect(outbox) as db:
        waiting = {row[0] for row in db.execute("SELECT sms_id FROM pending_pushes")}
        receipts = {row[0] for row in db.execute("SELECT idempotency_key FROM receipts")}
    accepted = {receipt["sms_id"] for _, receipt in answered}
    keys = {sent["sms_text"].removeprefix("shutdown ") for sent, _ in answered}
    with capsys.disabled():
        print(
            f"\nshutdown, webhook: {len(answered)} messages accepted before and during SIGTERM; "
            f"{len(waiting)} in the outbox, {len(receipts)} receipts"
        )
    assert len(answered) >= CALLS_BEFORE_SIGTERM
    assert accepted <= waiting
    assert keys <= receipts
