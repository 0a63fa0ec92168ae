"""The model-serving API as a real uvicorn process, set up with the real initialisation script."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.local_services import Service, uvicorn_service
from tests.support.stack import initialise

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    workdir = tmp_path_factory.mktemp("serving")
    env = {
        "SPAM_MODEL_VERSIONS": "v1",
        "MODELS_DIR": str(models_dir),
        "STORAGE_BACKEND": "sqlite",
        "SQLITE_PATH": str(workdir / "serving.db"),
    }
    printed = initialise("scripts/initialize_model_serving_api_caches.py", env)
    assert "are ready in SQLite database" in printed
    with uvicorn_service("api.model_serving.model_serving_api:app", env, workdir) as running:
        yield running


def test_the_readme_requests_work(service: Service) -> None:
    first = httpx.post(
        f"{service.url}/model/v1/text_to_prediction", json={"text": "I have a dream"}
    )
    assert first.status_code == 200
    assert first.json()["top"]["label"] == "ham"
    assert first.json()["from_cache"] is False
    features = httpx.post(
        f"{service.url}/model/v1/features_to_prediction",
        json={"features": [0.09090909090909091, 0.0, 0, 0, 0, 0, 0, 0, 0]},
    )
    assert features.status_code == 200
    assert features.json()["prediction"] == first.json()["prediction"]


def test_the_cache_and_call_log_persist_across_requests(service: Service) -> None:
    body = {"text": "see you at the cinema at eight"}
    httpx.post(f"{service.url}/model/v1/text_to_prediction", json=body)
    # The cache write happens after the response; give the background task a moment.
    deadline = time.monotonic() + 5
    while True:
        again = httpx.post(f"{service.url}/model/v1/text_to_prediction", json=body).json()
        if again["from_cache"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert again["from_cache"] is True
    calls = httpx.get(f"{service.url}/model/v1/recent_call_log").json()
    assert calls[0]["input"] == [body["text"]]
    assert httpx.get(f"{service.url}/ready").json()["ready"] is True


def test_bad_input_over_the_wire(service: Service) -> None:
    malformed = httpx.post(
        f"{service.url}/model/v1/text_to_prediction",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["detail"]["code"] == "malformed_json"
    huge = httpx.post(f"{service.url}/model/v1/text_to_prediction", json={"text": "x" * 2_000_000})
    assert huge.status_code == 413
    unknown = httpx.post(f"{service.url}/model/v9/text_to_prediction", json={"text": "hi"})
    assert unknown.status_code == 404
    assert "internal" not in service.output().lower()
