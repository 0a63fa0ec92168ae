"""The feature-server proxy in process, reading from a fake feature server (httpx.MockTransport).

Reading the online store itself, and from Feast's real feature server, it runs in
tests/integration/test_feature_server_proxy.py.
"""

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.feature_server_proxy.app import create_app
from api.feature_server_proxy.settings import DEFAULT_ALLOWED_FEATURES, FeatureProxySettings

pytestmark = pytest.mark.anyio

FEATURES = ["sms_features2:features"]
ANSWER = {
    "metadata": {"feature_names": ["sms_id", "features"]},
    "results": [
        {
            "values": ["sms10001"],
            "statuses": ["PRESENT"],
            "event_timestamps": ["1970-01-01T00:00:00Z"],
        },
        {
            "values": [[0, 0, 7, 9]],
            "statuses": ["PRESENT"],
            "event_timestamps": ["2020-06-01T00:00:00Z"],
        },
    ],
}

Handler = Callable[[httpx.Request], httpx.Response]


class FakeFeatureServer:
    """Records what reaches it and answers with ``handler`` (by default, ``ANSWER``)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.handler: Handler = lambda _: httpx.Response(200, json=ANSWER)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def settings(**overrides: Any) -> FeatureProxySettings:
    values: dict[str, Any] = {
        "proxy_source": "feature_server",
        "proxy_max_entities": 3,
        "max_body_bytes": 2_000,
        **overrides,
    }
    return FeatureProxySettings(_env_file=None, **values)


@pytest.fixture
def upstream() -> FakeFeatureServer:
    return FakeFeatureServer()


@pytest.fixture
def app(upstream: FakeFeatureServer) -> FastAPI:
    return create_app(settings(), transport=httpx.MockTransport(upstream))


def ask(features: list[str], ids: list[str]) -> dict[str, Any]:
    return {"features": features, "entities": {"sms_id": ids}}


async def test_an_allowed_request_is_passed_on_and_its_answer_returned_unchanged(
    client: httpx.AsyncClient, upstream: FakeFeatureServer
) -> None:
    answer = await client.post("/get-online-features", json=ask(FEATURES, ["sms10001"]))
    assert answer.status_code == 200
    assert answer.json() == ANSWER
    assert answer.headers["content-type"] == "application/json"
    (forwarded,) = upstream.requests
    assert forwarded.url.path == "/get-online-features"
    assert json.loads(forwarded.content) == ask(FEATURES, ["sms10001"])


@pytest.mark.parametrize(
    "features",
    [["sms_labels:label"], ["sms_features2:features", "sms_labels:label"], ["nope:nothing"]],
)
async def test_a_feature_off_the_allow_list_is_refused_before_feast(
    client: httpx.AsyncClient, upstream: FakeFeatureServer, features: list[str]
) -> None:
    answer = await client.post("/get-online-features", json=ask(features, ["sms10001"]))
    assert answer.status_code == 403
    detail = answer.json()["detail"]
    assert detail["code"] == "feature_not_allowed"
    assert "sms_features2:features" in detail["allowed"]
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (ask(["features"], ["sms10001"]), 422, "invalid_request"),  # not view:feature
        (ask([], ["sms10001"]), 422, "invalid_request"),
        (ask(FEATURES, []), 422, "invalid_request"),
        (ask(FEATURES, [""]), 422, "invalid_request"),
        (ask(FEATURES, ["x" * 65]), 422, "invalid_request"),
        (ask(FEATURES, [17]), 422, "invalid_request"),  # type: ignore[list-item]
        ({"features": FEATURES, "entities": {"user_id": ["fiona"]}}, 422, "invalid_request"),
        ({**ask(FEATURES, ["sms10001"]), "full_feature_names": True}, 422, "invalid_request"),
        (ask(FEATURES, ["a", "b", "c", "d"]), 422, "too_many_entities"),
    ],
)
async def test_bad_requests_get_a_clear_4xx_and_never_reach_feast(
    client: httpx.AsyncClient,
    upstream: FakeFeatureServer,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    answer = await client.post("/get-online-features", json=body)
    assert answer.status_code == status
    assert answer.json()["detail"]["code"] == code
    assert upstream.requests == []


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    malformed = await client.post("/get-online-features", content=b"{nope", headers=headers)
    assert malformed.status_code == 400
    assert malformed.json()["detail"]["code"] == "malformed_json"
    huge = json.dumps(ask(FEATURES, ["sms1"] * 1_000)).encode()
    oversized = await client.post("/get-online-features", content=huge, headers=headers)
    assert oversized.status_code == 413
    assert oversized.json()["detail"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (httpx.ConnectError("connection refused"), 503, "feature_server_unavailable"),
        (httpx.ReadTimeout("too slow"), 503, "feature_server_timeout"),
    ],
)
async def test_a_feature_server_that_is_down_is_a_503(
    client: httpx.AsyncClient,
    upstream: FakeFeatureServer,
    failure: Exception,
    status: int,
    code: str,
) -> None:
    def fail(_: httpx.Request) -> httpx.Response:
        raise failure

    upstream.handler = fail
    answer = await client.post("/get-online-features", json=ask(FEATURES, ["sms10001"]))
    assert answer.status_code == status
    assert answer.json()["detail"]["code"] == code
    ready = await client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(500, text='"Feature nope not found in projection sms_features2"'),
        httpx.Response(404, json={"message": "Feature view nope does not exist"}),
        httpx.Response(200, text="<html>not json</html>", headers={"content-type": "text/html"}),
    ],
)
async def test_an_error_from_the_feature_server_is_a_502_that_quotes_it(
    client: httpx.AsyncClient, upstream: FakeFeatureServer, reply: httpx.Response
) -> None:
    upstream.handler = lambda _: reply
    answer = await client.post("/get-online-features", json=ask(FEATURES, ["sms10001"]))
    assert answer.status_code == 502
    detail = answer.json()["detail"]
    assert detail["code"] == "feature_server_error"
    assert detail["upstream"] == reply.text[:500]


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "source": "feature_server", "status": "ok"}


async def test_cors_answers_only_the_allowed_origins(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = await client.options(
        "/get-online-features", headers={"Origin": "http://localhost:3000", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    refused = await client.options(
        "/get-online-features", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers


def test_the_allow_list_is_configurable_and_refuses_a_wildcard_origin() -> None:
    configured = settings(proxy_allowed_features="sms_features2:features, sms_features1:cap_r")
    assert configured.proxy_allowed_features == ["sms_features2:features", "sms_features1:cap_r"]
    assert "sms_labels:label" not in DEFAULT_ALLOWED_FEATURES
    with pytest.raises(ValueError, match="'\\*' is not allowed"):
        settings(cors_allow_origins="*")
