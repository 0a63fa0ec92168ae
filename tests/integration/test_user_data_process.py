"""The user-data API as a real uvicorn process, its table and samples made by the real script."""

from pathlib import Path

import httpx
import pytest

from scripts.local_services import uvicorn_service
from tests.support.stack import initialise

pytestmark = pytest.mark.integration


def test_initialise_serve_and_use_an_inbox(tmp_path: Path) -> None:
    env = {"STORAGE_BACKEND": "sqlite", "SQLITE_PATH": str(tmp_path / "users.db")}
    for _ in range(2):  # the second run must not duplicate the samples
        printed = initialise("scripts/initialize_user_api_data.py", env)
        assert "loaded 25 sample messages" in printed
    with uvicorn_service("api.user_data.user_api:app", env, tmp_path) as service:
        inbox = httpx.get(f"{service.url}/sms/fiona", params={"limit": 100}).json()
        assert len(inbox["messages"]) == 6
        created = httpx.post(
            f"{service.url}/sms/fiona", json={"sender_id": "max", "sms_text": "See you at 6"}
        )
        assert created.status_code == 201
        sms_id = created.json()["sms_id"]
        assert httpx.get(f"{service.url}/sms/fiona/{sms_id}").json()["sms_text"] == "See you at 6"
        assert httpx.get(f"{service.url}/sms/fiona/nonsense").status_code == 422
