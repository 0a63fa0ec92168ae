"""Who the caller is, over real uvicorn processes: X-Forwarded-For is believed only from
TRUSTED_PROXIES, whatever uvicorn's own proxy handling does."""

from pathlib import Path

import httpx
import pytest

from scripts.local_services import Service, uvicorn_service
from tests.support.stack import initialise

pytestmark = pytest.mark.integration

APP = "api.model_serving.model_serving_api:app"
PREDICT = "/model/v1/text_to_prediction"
CALL_LOG = "/model/v1/recent_call_log"
SPOOFED = {"X-Forwarded-For": "203.0.113.5"}


def serving_env(models_dir: Path, workdir: Path, **settings: str) -> dict[str, str]:
    env = {
        "SPAM_MODEL_VERSIONS": "v1",
        "MODELS_DIR": str(models_dir),
        "SQLITE_PATH": str(workdir / "serving.db"),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    initialise("scripts/initialize_model_serving_api_caches.py", env)
    return env


def calls(service: Service, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(f"{service.url}{CALL_LOG}", headers=headers)


def test_a_local_client_cannot_pose_as_another_under_the_readme_command(
    models_dir: Path, tmp_path: Path
) -> None:
    # uvicorn exactly as the README starts it: its own proxy handling on, trusting 127.0.0.1.
    with uvicorn_service(APP, serving_env(models_dir, tmp_path), tmp_path) as service:
        assert httpx.post(f"{service.url}{PREDICT}", json={"text": "hi"}).status_code == 200
        posed = httpx.post(f"{service.url}{PREDICT}", json={"text": "hi"}, headers=SPOOFED)
        assert posed.status_code == 400
        assert posed.json()["detail"]["code"] == "forwarded_for_not_trusted"
        read_as_other = calls(service, SPOOFED)
        assert read_as_other.status_code == 400
        own = calls(service).json()
        assert [call["input"] for call in own] == [["hi"]]  # the refused call was not served


def test_a_trusted_proxy_names_the_caller(models_dir: Path, tmp_path: Path) -> None:
    # Behind a proxy: the proxy in TRUSTED_PROXIES, uvicorn's own handling off.
    env = serving_env(models_dir, tmp_path, TRUSTED_PROXIES="127.0.0.1")
    with uvicorn_service(APP, env, tmp_path, options=("--no-proxy-headers",)) as service:
        forwarded = httpx.post(f"{service.url}{PREDICT}", json={"text": "hi"}, headers=SPOOFED)
        assert forwarded.status_code == 200
        assert len(calls(service, SPOOFED).json()) == 1
        assert calls(service, {"X-Forwarded-For": "198.51.100.1"}).json() == []
        assert calls(service).json() == []  # the proxy's own calls: none


def test_uvicorn_trusting_a_proxy_the_app_does_not_is_refused(
    models_dir: Path, tmp_path: Path
) -> None:
    # uvicorn told to trust every host, the app trusting none: uvicorn's answer is not taken.
    env = serving_env(models_dir, tmp_path)
    with uvicorn_service(APP, env, tmp_path, options=("--forwarded-allow-ips", "*")) as service:
        posed = httpx.post(f"{service.url}{PREDICT}", json={"text": "hi"}, headers=SPOOFED)
        assert posed.status_code == 400
        assert httpx.post(f"{service.url}{PREDICT}", json={"text": "hi"}).status_code == 200
