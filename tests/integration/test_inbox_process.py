"""The inbox webhook end to end, every service a real process: user-data API, model-serving API,
Feast's feature server and the webhook, on the embedded default."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from analysis.paths import PROJECT_ROOT
from scripts.local_services import feature_server, free_port, uvicorn_service
from scripts.sample_inboxes import SAMPLE_MESSAGES
from tests.support.feature_store import copy_store
from tests.support.stack import initialise

pytestmark = pytest.mark.integration

MESSAGE = {"user_id": "fiona", "sender_id": "max", "sms_text": "WINNER! Claim your free prize now"}


def prepare(
    feature_repo: Path, models_dir: Path, tmp_path: Path
) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A private stage-2021 store, and the environments of the user-data API (its table made,
    with the sample inboxes) and of the model API serving v2 (its tables made)."""
    repo = copy_store(feature_repo, tmp_path / "store", 2021)
    users_env = {"SQLITE_PATH": str(tmp_path / "users.db"), "LOG_LEVEL": "WARNING"}
    models_env = {
        "SPAM_MODEL_VERSIONS": "v2",
        "MODELS_DIR": str(models_dir),
        "SQLITE_PATH": str(tmp_path / "serving.db"),
        "LOG_LEVEL": "WARNING",
    }
    initialise("scripts/initialize_user_api_data.py", users_env)
    initialise("scripts/initialize_model_serving_api_caches.py", models_env)
    return repo, users_env, models_env


def eventually(condition: Callable[[], bool], timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_new_messages_reach_the_inbox_and_the_feature_store_even_with_a_service_down(
    feature_repo: Path, models_dir: Path, tmp_path: Path
) -> None:
    repo, users_env, models_env = prepare(feature_repo, models_dir, tmp_path)
    models_port = free_port()
    models_app = "api.model_serving.model_serving_api:app"

    with (
        uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users,
        feature_server(repo, {}, tmp_path) as feast,
    ):
        inbox_env = {
            "USER_DATA_API_URL": users.url,
            "MODEL_SERVING_API_URL": f"http://127.0.0.1:{models_port}",
            "FEATURE_SERVER_URL": feast.url,
            "OUTBOX_PATH": str(tmp_path / "outbox.db"),
            "RETRY_FIRST_SECONDS": "0.2",
            "RETRY_MAX_SECONDS": "1",
        }

        def online(sms_id: str) -> list[int] | None:
            answer = httpx.post(
                f"{feast.url}/get-online-features",
                json={"features": ["sms_features2:features"], "entities": {"sms_id": [sms_id]}},
                timeout=30,
            ).json()
            columns = dict(zip(answer["metadata"]["feature_names"], answer["results"], strict=True))
            return columns["features"]["values"][0]

        with uvicorn_service("api.inbox.inbox_api:app", inbox_env, tmp_path) as inbox:
            with uvicorn_service(models_app, models_env, tmp_path, port=models_port) as models:
                expected = httpx.post(
                    f"{models.url}/model/v2/text_to_features", json={"text": MESSAGE["sms_text"]}
                ).json()["features"]
                received = httpx.post(f"{inbox.url}/sms", json=MESSAGE, timeout=30)
                assert received.status_code == 201, received.text
                sms_id = received.json()["sms_id"]
                stored = httpx.get(f"{users.url}/sms/fiona/{sms_id}").json()
                assert stored["sms_text"] == MESSAGE["sms_text"]
                assert online(sms_id) == expected

            # The model API is down: the message is still accepted, its features wait...
            later = httpx.post(f"{inbox.url}/sms", json=MESSAGE, timeout=30)
            assert later.status_code == 202, later.text
            later_id = later.json()["sms_id"]
            assert httpx.get(f"{users.url}/sms/fiona/{later_id}").status_code == 200
            assert online(later_id) is None
            assert httpx.get(f"{inbox.url}/ready").json()["pending_pushes"] == 1

            # ...and are pushed once it is back.
            with uvicorn_service(models_app, models_env, tmp_path, port=models_port):
                assert eventually(lambda: online(later_id) == expected)
                assert httpx.get(f"{inbox.url}/ready").json()["pending_pushes"] == 0

            # The inbox itself is down: nothing is accepted, and the sender is told to retry.
            users.stop()
            refused = httpx.post(f"{inbox.url}/sms", json=MESSAGE, timeout=30)
            assert refused.status_code == 503
            assert refused.json()["detail"]["code"] == "inbox_unavailable"


def test_the_backfill_pushes_what_the_inboxes_lack_once(
    feature_repo: Path, models_dir: Path, tmp_path: Path
) -> None:
    repo, users_env, models_env = prepare(feature_repo, models_dir, tmp_path)
    samples = {user: sum(1 for m in SAMPLE_MESSAGES if m[0] == user) for user in ("fiona", "max")}
    with (
        uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users,
        uvicorn_service("api.model_serving.model_serving_api:app", models_env, tmp_path) as models,
        feature_server(repo, {}, tmp_path) as feast,
    ):
        env = {
            "USER_DATA_API_URL": users.url,
            "MODEL_SERVING_API_URL": models.url,
            "FEATURE_SERVER_URL": feast.url,
            "PATH": str(Path(sys.executable).parent),
        }

        def backfill() -> str:
            return subprocess.run(
                [sys.executable, "scripts/backfill_features_2.py", "--users", "fiona,max"],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout

        # A message stored today, beside samples sent on whole seconds: one push mixes both.
        posted = httpx.post(
            f"{users.url}/sms/fiona", json={"sender_id": "max", "sms_text": "Lunch at 1?"}
        )
        assert posted.status_code == 201
        samples["fiona"] += 1

        first = backfill()
        for user, count in samples.items():
            assert f"{user}: {count} messages, {count} pushed, 0 already online" in first

        inbox = httpx.get(f"{users.url}/sms/fiona", params={"limit": 100}).json()["messages"]
        ids = [m["sms_id"] for m in inbox]
        texts = [m["sms_text"] for m in inbox]
        expected = httpx.post(
            f"{models.url}/model/v2/text_to_features/batch", json={"texts": texts}
        ).json()["results"]
        answer = httpx.post(
            f"{feast.url}/get-online-features",
            json={"features": ["sms_features2:features"], "entities": {"sms_id": ids}},
            timeout=30,
        ).json()
        columns = dict(zip(answer["metadata"]["feature_names"], answer["results"], strict=True))
        assert columns["features"]["values"] == [r["features"] for r in expected]

        again = backfill()
        for user, count in samples.items():
            assert f"{user}: {count} messages, 0 pushed, {count} already online" in again
