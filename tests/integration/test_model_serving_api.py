"""The model-serving API in process: the app factory under its lifespan, driven by httpx."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from api.model_serving.app import create_app
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.factory import create_serving_tables
from tests.support.asgi import TIMEOUTS_S, running

pytestmark = pytest.mark.anyio

HAM = "I have a dream"
SPAM = "WINNER!! Call 0800123456 now, txt CLAIM to 80088, check www.prizes4u.com"
V1_FEATURES = [0.09090909090909091, 0.0, 0, 0, 0, 0, 0, 0, 0]


def make_settings(tmp_path: Path, models_dir: Path, **overrides: Any) -> ModelServingSettings:
    values: dict[str, Any] = {
        "spam_model_versions": ["v1"],
        "models_dir": models_dir,
        "sqlite_path": tmp_path / "serving.db",
        "max_text_length": 200,
        "max_batch_size": 5,
        "max_body_bytes": 20_000,
        **overrides,
    }
    return ModelServingSettings(_env_file=None, **values)


@pytest.fixture
async def settings(tmp_path: Path, models_dir: Path) -> ModelServingSettings:
    settings = make_settings(tmp_path, models_dir)
    await create_serving_tables(settings)
    return settings


@pytest.fixture
def app(settings: ModelServingSettings) -> FastAPI:
    return create_app(settings)


async def post(client: httpx.AsyncClient, path: str, body: Any) -> httpx.Response:
    return await client.post(path, json=body)


# --- the endpoints --------------------------------------------------------------------------


async def test_text_to_prediction_answers_then_hits_the_cache(client: httpx.AsyncClient) -> None:
    first = await post(client, "/model/v1/text_to_prediction", {"text": HAM})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"prediction", "top", "from_cache"}
    assert set(body["prediction"]) == {"ham", "spam"}
    assert sum(body["prediction"].values()) == pytest.approx(1.0)
    assert body["top"] == {"label": "ham", "value": body["prediction"]["ham"]}
    assert body["from_cache"] is False

    second = (await post(client, "/model/v1/text_to_prediction", {"text": HAM})).json()
    assert second["from_cache"] is True
    assert second["prediction"] == body["prediction"]


async def test_spam_is_spam(client: httpx.AsyncClient) -> None:
    body = (await post(client, "/model/v1/text_to_prediction", {"text": SPAM})).json()
    assert body["top"]["label"] == "spam"


async def test_skip_cache_computes_afresh(client: httpx.AsyncClient) -> None:
    await post(client, "/model/v1/text_to_prediction", {"text": HAM})
    again = await post(client, "/model/v1/text_to_prediction", {"text": HAM, "skip_cache": True})
    assert again.json()["from_cache"] is False


async def test_echo_input(client: httpx.AsyncClient) -> None:
    body = (
        await post(client, "/model/v1/text_to_prediction", {"text": HAM, "echo_input": True})
    ).json()
    assert body["input"] == HAM
    features = (
        await post(
            client,
            "/model/v1/features_to_prediction",
            {"features": V1_FEATURES, "echo_input": True},
        )
    ).json()
    assert features["input"] == V1_FEATURES


async def test_text_to_features_matches_the_extractor(client: httpx.AsyncClient) -> None:
    body = (await post(client, "/model/v1/text_to_features", {"text": HAM})).json()
    assert body == {"features": V1_FEATURES, "from_cache": False}


async def test_features_to_prediction_agrees_with_text_to_prediction(
    client: httpx.AsyncClient,
) -> None:
    from_text = (await post(client, "/model/v1/text_to_prediction", {"text": HAM})).json()
    from_features = (
        await post(client, "/model/v1/features_to_prediction", {"features": V1_FEATURES})
    ).json()
    assert from_features["prediction"] == from_text["prediction"]


async def test_ints_and_floats_share_a_cache_entry(client: httpx.AsyncClient) -> None:
    await post(
        client, "/model/v1/features_to_prediction", {"features": [0.5, 0.5, 1, 0, 0, 0, 0, 0, 0]}
    )
    again = await post(
        client,
        "/model/v1/features_to_prediction",
        {"features": [0.5, 0.5, 1.0, 0, 0, 0, 0, 0, 0.0]},
    )
    assert again.json()["from_cache"] is True


async def test_models_info_health_and_ready(client: httpx.AsyncClient, models_dir: Path) -> None:
    models = (await client.get("/models")).json()["models"]
    assert [m["version"] for m in models] == ["v1"]
    card = json.loads((models_dir / "model1_2019" / "metadata.json").read_text())
    assert models[0]["artifact_sha256"] == card["artifact"]["sha256"]
    info = (await client.get("/model/v1/info")).json()
    assert info["feature_names"] == card["feature_names"]
    assert info["metrics"] == card["metrics"]
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "models": {"v1": True}, "storage": "ok"}


async def test_not_ready_without_tables(tmp_path: Path, models_dir: Path) -> None:
    app = create_app(make_settings(tmp_path, models_dir, sqlite_path=tmp_path / "empty.db"))
    async with running(app) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert "initialize_model_serving_api_caches" in ready.json()["storage"]
        # ...and the model still answers, without cache.
        served = await post(client, "/model/v1/text_to_prediction", {"text": HAM})
        assert served.status_code == 200
        assert served.json()["from_cache"] is False


def metric(text: str, sample: str) -> float:
    """The value of one sample (name and labels, as exposed) in Prometheus text, 0 if absent."""
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            return float(value)
    return 0.0


async def metrics_delta(client: httpx.AsyncClient, samples: list[str], action: Any) -> list[float]:
    """How much each sample grows while ``action`` runs."""
    before = (await client.get("/metrics")).text
    await action()
    after = (await client.get("/metrics")).text
    return [metric(after, s) - metric(before, s) for s in samples]


async def test_metrics_count_hits_misses_and_latency(client: httpx.AsyncClient) -> None:
    async def two_calls() -> None:
        await post(client, "/model/v1/text_to_prediction", {"text": HAM})
        await post(client, "/model/v1/text_to_prediction", {"text": HAM})

    labels = '{endpoint="text_to_prediction",version="v1"}'
    samples = [
        f"spam_cache_hits_total{labels}",
        f"spam_cache_misses_total{labels}",
        f"spam_request_seconds_count{labels}",
    ]
    assert await metrics_delta(client, samples, two_calls) == [1.0, 1.0, 2.0]


# --- batches --------------------------------------------------------------------------------


class PredictSpy:
    """Wraps a model's predict_proba and records every call."""

    def __init__(self, app: FastAPI) -> None:
        self.model = app.state.models["v1"]
        self.original = self.model.predict_proba
        self.calls: list[list[list[Any]]] = []

    def __call__(self, vectors: Any) -> Any:
        self.calls.append([list(v) for v in vectors])
        return self.original(vectors)


async def test_batch_sends_only_novel_items_to_the_model_in_one_call(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await post(client, "/model/v1/text_to_prediction", {"text": HAM})
    await post(client, "/model/v1/text_to_prediction", {"text": SPAM})
    spy = PredictSpy(app)
    monkeypatch.setattr(spy.model, "predict_proba", spy)

    texts = ["new one", HAM, "another new one", SPAM, "new one"]
    response = await post(
        client, "/model/v1/text_to_prediction/batch", {"texts": texts, "echo_input": True}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["input"] for r in results] == texts
    assert [r["from_cache"] for r in results] == [False, True, False, True, False]
    assert len(spy.calls) == 1
    extractor = spy.model.extractor
    assert spy.calls[0] == extractor.vectors(["new one", "another new one"])
    assert results[0]["prediction"] == results[4]["prediction"]
    single = (
        await post(client, "/model/v1/text_to_prediction", {"text": "another new one"})
    ).json()
    assert single["from_cache"] is True
    assert single["prediction"] == results[2]["prediction"]


async def test_features_batch_and_text_to_features_batch(client: httpx.AsyncClient) -> None:
    vectors = [V1_FEATURES, [0.6, 0.3, 1, 1, 1, 0, 0, 1, 1]]
    predictions = (
        await post(client, "/model/v1/features_to_prediction/batch", {"features": vectors})
    ).json()
    assert [r["from_cache"] for r in predictions["results"]] == [False, False]
    assert predictions["results"][1]["top"]["label"] == "spam"
    features = (await post(client, "/model/v1/text_to_features/batch", {"texts": [HAM, ""]})).json()
    assert [r["features"] for r in features["results"]] == [
        V1_FEATURES,
        [0.0, 0.0, 0, 0, 0, 0, 0, 0, 0],
    ]


# --- background writes ----------------------------------------------------------------------


async def test_cache_and_call_log_are_written_after_the_response(
    app: FastAPI, settings: ModelServingSettings
) -> None:
    events: list[str] = []

    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        async def recording_send(message: dict) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("response sent")
            await send(message)

        await app(scope, receive, recording_send)

    async with LifespanManager(app, **TIMEOUTS_S):
        service = app.state.service
        storage = service.storage
        original_put, original_append = storage.cache.put_many, storage.call_log.append_many

        async def put_many(entries: Any) -> None:
            events.append("cache written")
            await original_put(entries)

        async def append_many(entries: Any) -> None:
            events.append("call logged")
            await original_append(entries)

        storage.cache.put_many, storage.call_log.append_many = put_many, append_many
        transport = httpx.ASGITransport(app=recording_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post("/model/v1/text_to_prediction", json={"text": HAM})
            assert response.status_code == 200
            # Nothing was written while the request was served...
            assert events == ["response sent"]
            # ...the writes come after it, batched (or when the call log is read).
            await service.cache.flush()
            calls = (await http.get("/model/v1/recent_call_log")).json()
    assert events == ["response sent", "cache written", "call logged", "response sent"]
    assert [c["input"] for c in calls] == [[HAM]]


# --- storage failures -----------------------------------------------------------------------


async def test_a_failing_cache_is_logged_and_bypassed(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    storage = app.state.service.storage

    async def broken(*_: Any) -> Any:
        raise ConnectionError("storage is down")

    storage.cache.get_many = broken
    storage.cache.put_many = broken
    storage.call_log.append_many = broken

    async def call() -> None:
        response = await post(client, "/model/v1/text_to_prediction", {"text": HAM})
        assert response.status_code == 200
        assert response.json()["from_cache"] is False
        await app.state.service.cache.flush()
        await app.state.service.call_log.flush()

    operations = ("cache_read", "cache_write", "call_log_write")
    samples = [f'spam_storage_errors_total{{operation="{o}"}}' for o in operations]
    assert await metrics_delta(client, samples, call) == [1.0, 1.0, 1.0]
    assert "prediction cache read failed" in caplog.text


async def test_a_failing_call_log_read_is_a_503(app: FastAPI, client: httpx.AsyncClient) -> None:
    def broken(*_: Any) -> Any:
        async def rows() -> AsyncIterator[Any]:
            raise ConnectionError("storage is down")
            yield  # pragma: no cover

        return rows()

    app.state.service.storage.call_log.recent = broken
    response = await client.get("/model/v1/recent_call_log")
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "service_unavailable"


# --- the call log and who the caller is -----------------------------------------------------


async def test_recent_call_log_is_newest_first(client: httpx.AsyncClient) -> None:
    await post(client, "/model/v1/text_to_prediction", {"text": "first"})
    await post(client, "/model/v1/text_to_features", {"text": "second"})
    await post(client, "/model/v1/text_to_prediction/batch", {"texts": ["third", "first"]})
    response = await client.get("/model/v1/recent_call_log")
    assert response.headers["content-type"] == "application/json"
    calls = response.json()
    assert [c["input"] for c in calls] == [["third", "first"], ["second"], ["first"]]
    assert [c["endpoint"] for c in calls] == [
        "text_to_prediction",
        "text_to_features",
        "text_to_prediction",
    ]
    assert [c["items"] for c in calls] == [2, 1, 1]
    assert [c["from_cache"] for c in calls] == [1, 0, 0]
    assert calls[2]["output"][0]["top"]["label"] in ("ham", "spam")
    limited = (await client.get("/model/v1/recent_call_log", params={"limit": 1})).json()
    assert [c["input"] for c in limited] == [["third", "first"]]


async def test_empty_call_log_is_an_empty_array(client: httpx.AsyncClient) -> None:
    response = await client.get("/model/v1/recent_call_log")
    assert response.status_code == 200
    assert response.json() == []


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(app: FastAPI) -> None:
    async with running(app, client=("198.51.100.7", 4000)) as client:
        await client.post(
            "/model/v1/text_to_prediction",
            json={"text": HAM},
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
        assert len((await client.get("/model/v1/recent_call_log")).json()) == 1
        spoofed = await client.get(
            "/model/v1/recent_call_log", headers={"X-Forwarded-For": "203.0.113.5"}
        )
        assert len(spoofed.json()) == 1  # still the peer's own log: the header was ignored


async def test_forwarded_for_is_honoured_from_a_trusted_proxy(
    tmp_path: Path, models_dir: Path
) -> None:
    settings = make_settings(tmp_path, models_dir, trusted_proxies=["10.0.0.0/8"])
    await create_serving_tables(settings)
    app = create_app(settings)
    async with running(app, client=("10.1.2.3", 4000)) as proxy:
        await proxy.post(
            "/model/v1/text_to_prediction",
            json={"text": HAM},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.5, 10.9.9.9"},
        )
        as_client = await proxy.get(
            "/model/v1/recent_call_log", headers={"X-Forwarded-For": "203.0.113.5"}
        )
        assert len(as_client.json()) == 1
        as_other = await proxy.get(
            "/model/v1/recent_call_log", headers={"X-Forwarded-For": "198.51.100.1"}
        )
        assert as_other.json() == []
        as_proxy = await proxy.get("/model/v1/recent_call_log")
        assert as_proxy.json() == []


async def test_an_address_the_server_took_from_forwarded_for_is_refused(app: FastAPI) -> None:
    # What uvicorn's own proxy handling leaves for the app: a client address read out of the
    # request's own X-Forwarded-For. The real peer is unknown, so the request is refused.
    async with running(app, client=("203.0.113.5", 0)) as client:
        refused = await client.get(
            "/model/v1/recent_call_log", headers={"X-Forwarded-For": "203.0.113.5"}
        )
        assert refused.status_code == 400
        assert refused.json()["detail"]["code"] == "forwarded_for_not_trusted"
        with_port = await client.post(
            "/model/v1/text_to_prediction",
            json={"text": HAM},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.5:4711"},
        )
        assert with_port.status_code == 400


@pytest.mark.parametrize(
    ("entries", "normalised"),
    [
        ("", []),
        ("10.0.0.1, 10.1.2.3/8", ["10.0.0.1", "10.0.0.0/8"]),
        ("::1,fd00::/8", ["::1", "fd00::/8"]),
    ],
)
def test_trusted_proxies_are_read_as_uvicorn_reads_them(
    entries: str, normalised: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", entries)
    assert ModelServingSettings(_env_file=None).trusted_proxies == normalised


@pytest.mark.parametrize("entries", ["*", "proxy.example", "10.0.0.300"])
def test_trusted_proxies_refuse_what_is_not_an_address(
    entries: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", entries)
    with pytest.raises(ValueError, match=r"TRUSTED_PROXIES|does not appear to be"):
        ModelServingSettings(_env_file=None)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/model/v1/features_to_prediction", {"features": [0.1, 0.2]}, 422, "invalid_features"),
        ("/model/v1/features_to_prediction", {"features": ["0.1"] * 9}, 422, "invalid_request"),
        ("/model/v1/features_to_prediction", {"features": [True] * 9}, 422, "invalid_request"),
        ("/model/v1/features_to_prediction", {"features": [None] * 9}, 422, "invalid_request"),
        (
            "/model/v1/features_to_prediction",
            {"features": [2.0] + [0] * 8},
            422,
            "invalid_features",
        ),
        (
            "/model/v1/features_to_prediction",
            {"features": [0.1, 0.1, 0.5] + [0] * 6},
            422,
            "invalid_features",
        ),
        ("/model/v1/features_to_prediction", {"features": "nope"}, 422, "invalid_request"),
        ("/model/v1/text_to_prediction", {"text": "x" * 201}, 422, "text_too_long"),
        ("/model/v1/text_to_prediction", {"text": 42}, 422, "invalid_request"),
        ("/model/v1/text_to_prediction", {}, 422, "invalid_request"),
        ("/model/v1/text_to_prediction", {"text": "hi", "surprise": 1}, 422, "invalid_request"),
        ("/model/v1/text_to_prediction", ["hi"], 422, "invalid_request"),
        ("/model/v1/text_to_prediction/batch", {"texts": ["a"] * 6}, 422, "batch_too_large"),
        ("/model/v1/text_to_prediction/batch", {"texts": []}, 422, "empty_batch"),
        (
            "/model/v1/features_to_prediction/batch",
            {"features": [V1_FEATURES] * 6},
            422,
            "batch_too_large",
        ),
        (
            "/model/v1/features_to_prediction/batch",
            {"features": [V1_FEATURES, [1]]},
            422,
            "invalid_features",
        ),
        ("/model/v1/text_to_features/batch", {"texts": ["ok", "x" * 201]}, 422, "text_too_long"),
        ("/model/v2/text_to_prediction", {"text": "hi"}, 404, "unknown_model_version"),
        ("/model/v1/text_to_nothing", {"text": "hi"}, 404, "not_found"),
    ],
)
async def test_bad_input_gets_a_clear_4xx(
    client: httpx.AsyncClient, path: str, body: Any, status: int, code: str
) -> None:
    response = await post(client, path, body)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["code"] == code
    assert detail["message"]


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/model/v1/text_to_prediction",
        content=b'{"text": "unterminated',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "malformed_json"


async def test_a_huge_body_is_a_413(client: httpx.AsyncClient) -> None:
    response = await post(client, "/model/v1/text_to_prediction", {"text": "x" * 50_000})
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "payload_too_large"


async def test_a_huge_chunked_body_is_a_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    response = await client.post(
        "/model/v1/text_to_prediction",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "payload_too_large"


async def test_a_bad_call_log_limit_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/model/v1/recent_call_log", params={"limit": 0})
    assert response.status_code == 422


async def test_wrong_method_is_a_clear_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/model/v1/text_to_prediction")
    assert response.status_code == 405
    assert response.json()["detail"]["code"] == "method_not_allowed"


# --- configuration, CORS and docs -----------------------------------------------------------


async def test_cors_allows_only_the_configured_origins(client: httpx.AsyncClient) -> None:
    allowed = await client.options(
        "/model/v1/text_to_prediction",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    refused = await client.options(
        "/model/v1/text_to_prediction",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers


def test_unknown_configured_version_is_refused(tmp_path: Path, models_dir: Path) -> None:
    with pytest.raises(ValueError, match="unknown versions"):
        create_app(make_settings(tmp_path, models_dir, spam_model_versions=["v1", "v7"]))


async def test_an_untrained_model_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    from api.model_serving.models.catalog import ModelNotAvailableError

    app = create_app(make_settings(tmp_path, tmp_path / "no-models"))
    with pytest.raises(ModelNotAvailableError, match="make train"):
        async with running(app):
            pass


async def test_openapi_documents_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("description"), f"{method} {path} has no description"
    schemas = spec["components"]["schemas"]
    assert schemas["TextInput"]["properties"]["text"]["examples"] == [HAM]
    assert "/model/v1/text_to_prediction/batch" in spec["paths"]


# --- what the specification promises, found by fuzzing (tests/integration/test_api_fuzzing.py) --


@pytest.mark.parametrize(
    "flags", [{"echo_input": 0}, {"skip_cache": 1}, {"echo_input": "true"}, {"skip_cache": None}]
)
async def test_flags_are_json_booleans_only(client: httpx.AsyncClient, flags: dict) -> None:
    answer = await post(client, "/model/v1/text_to_prediction", {"text": HAM, **flags})
    assert answer.status_code == 422
    assert answer.json()["detail"]["code"] == "invalid_request"


async def test_the_specification_has_the_limits_the_routes_enforce(
    client: httpx.AsyncClient, settings: ModelServingSettings
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["TextInput"]["properties"]["text"]["maxLength"] == settings.max_text_length
    texts = schemas["TextBatchInput"]["properties"]["texts"]
    assert (texts["minItems"], texts["maxItems"]) == (1, settings.max_batch_size)
    vector = schemas["FeaturesInputV1"]["properties"]["features"]
    assert vector["minItems"] == vector["maxItems"] == 9
    assert vector["examples"] == [V1_FEATURES]
    assert vector["prefixItems"][0] == {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "title": "cap_r",
    }
    assert vector["prefixItems"][2] == {"enum": [0, 1], "title": "cw_scores_0"}
    # The example the specification gives is one the route accepts.
    example = await post(client, "/model/v1/features_to_prediction", {"features": V1_FEATURES})
    assert example.status_code == 200


async def test_a_405_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    answer = await client.put("/model/v1/text_to_prediction")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


# --- the per-caller rate limit --------------------------------------------------------------


async def test_no_rate_limit_by_default(client: httpx.AsyncClient) -> None:
    for n in range(30):
        answer = await post(client, "/model/v1/text_to_prediction", {"text": f"call {n}"})
        assert answer.status_code == 200


async def test_a_caller_over_its_limit_gets_a_429_with_retry_after(
    tmp_path: Path, models_dir: Path
) -> None:
    settings = make_settings(tmp_path, models_dir, rate_limit_per_minute=3)
    await create_serving_tables(settings)
    app = create_app(settings)
    async with running(app, client=("198.51.100.7", 4000)) as busy:
        for n in range(3):
            answer = await post(busy, "/model/v1/text_to_features", {"text": f"call {n}"})
            assert answer.status_code == 200
        refused = await post(busy, "/model/v1/text_to_prediction", {"text": "one more"})
        assert refused.status_code == 429
        assert refused.json()["detail"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # Only model calls count, and only this caller is held back.
        assert (await busy.get("/model/v1/recent_call_log")).status_code == 200
    async with running(app, client=("198.51.100.8", 4000)) as other:
        assert (
            await post(other, "/model/v1/text_to_prediction", {"text": "hi"})
        ).status_code == 200
