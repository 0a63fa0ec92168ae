"""The inbox webhook's Idempotency-Key over real processes, with answers lost on the way: between
the gateway and the webhook, and between the webhook and the user-data API, each lost after the
message was written."""

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from scripts.local_services import free_port, uvicorn_service
from tests.support.fault_proxy import answer_dropping_proxy
from tests.support.stack import initialise

pytestmark = pytest.mark.integration

MESSAGE = {"user_id": "fiona", "sender_id": "max", "sms_text": "Sent once, whatever happens"}


def copies(users_url: str, text: str) -> int:
    inbox = httpx.get(f"{users_url}/sms/fiona", params={"limit": 100}).json()["messages"]
    return sum(message["sms_text"] == text for message in inbox)


def test_lost_answers_neither_lose_nor_duplicate_a_message(tmp_path: Path) -> None:
    users_env = {"SQLITE_PATH": str(tmp_path / "users.db"), "LOG_LEVEL": "WARNING"}
    initialise("scripts/initialize_user_api_data.py", users_env)
    inbox_port = free_port()
    with uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users:
        users_port = urlsplit(users.url).port
        assert users_port is not None
        with answer_dropping_proxy(users_port) as to_users:
            # The model API and the feature server are not running: accepted messages are
            # answered 202, their features queued.
            inbox_env = {
                "USER_DATA_API_URL": to_users.url,
                "MODEL_SERVING_API_URL": f"http://127.0.0.1:{free_port()}",
                "FEATURE_SERVER_URL": f"http://127.0.0.1:{free_port()}",
                "OUTBOX_PATH": str(tmp_path / "outbox.db"),
                "LOG_LEVEL": "WARNING",
            }
            app = "api.inbox.inbox_api:app"
            with (
                uvicorn_service(app, inbox_env, tmp_path, port=inbox_port) as inbox,
                answer_dropping_proxy(inbox_port) as to_inbox,
            ):
                # 1. The user-data API stores the message, its answer is lost: the webhook
                # sends it again under the same key and is told which message it stored.
                to_users.drop_next("POST")
                key = {"Idempotency-Key": "gateway-0001"}
                first = httpx.post(f"{inbox.url}/sms", json=MESSAGE, headers=key, timeout=30)
                assert first.status_code == 202, first.text
                assert to_users.dropped == 1
                assert copies(users.url, MESSAGE["sms_text"]) == 1

                # 2. The webhook answers, the answer is lost on the way to the gateway, which
                # sends the message again with its key: the first receipt comes back.
                second, second_key = (
                    {**MESSAGE, "sms_text": "Answered, not heard"},
                    {"Idempotency-Key": "gateway-0002"},
                )
                to_inbox.drop_next("POST")
                with pytest.raises(httpx.RemoteProtocolError):
                    httpx.post(f"{to_inbox.url}/sms", json=second, headers=second_key, timeout=30)
                assert to_inbox.dropped == 1
                again = httpx.post(
                    f"{to_inbox.url}/sms", json=second, headers=second_key, timeout=30
                )
                assert again.status_code == 202
                assert again.headers["Idempotent-Replayed"] == "true"
                assert copies(users.url, second["sms_text"]) == 1

            # 3. After a restart of the webhook, the receipts are still there.
            with uvicorn_service(app, inbox_env, tmp_path, port=inbox_port) as inbox:
                later = httpx.post(f"{inbox.url}/sms", json=MESSAGE, headers=key, timeout=30)
                assert later.json() == first.json()
                repeat = httpx.post(f"{inbox.url}/sms", json=second, headers=second_key)
                assert repeat.json() == again.json()

        assert copies(users.url, MESSAGE["sms_text"]) == 1
        assert copies(users.url, second["sms_text"]) == 1
