"""The inbox webhook in process, in front of fake downstream services (httpx.MockTransport).

With the real services as processes, it runs in tests/integration/test_inbox_process.py.
"""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from api.inbox.app import create_app
from api.inbox.delivery import FeatureDelivery
from api.inbox.downstream import Downstream
from api.inbox.settings import InboxSettings
from api.inbox.storage.outbox import Outbox, PendingPush
from tests.support.asgi import running

pytestmark = pytest.mark.anyio

USERS, MODELS, FEATURES = "http://users.test", "http://models.test", "http://features.test"
TOKEN_IDS = [0] * 44 + [11, 12, 13, 14]
MESSAGE = {"user_id": "fiona", "sender_id": "max", "sms_text": "Climbing at 10?"}


class FakeNetwork:
    """The user-data API, the model API and the feature server, each up or failing at will."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = {"store": [], "features": [], "push": []}
        self.failures: dict[str, httpx.Response | Exception] = {}
        # The user-data API's messages, one per (user, Idempotency-Key), as it stores them.
        self.messages: dict[tuple[str, str | None], httpx.Response] = {}
        self.answers_to_lose = 0  # store answers lost after the message was stored

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.endswith(("/health", "/ready")):
            return self._answer("health:" + url.rsplit("/", 1)[0], httpx.Response(200))
        body = json.loads(request.content)
        if url.startswith(f"{USERS}/sms/"):
            user_id, key = url.rsplit("/", 1)[1], request.headers.get("Idempotency-Key")
            answer = self._call("store", body, self.messages.get((user_id, key)))
            if answer is None:
                answer = self.messages[user_id, key] = self._stored(user_id, body)
            if self.answers_to_lose:
                self.answers_to_lose -= 1
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            return answer
        if url == f"{MODELS}/model/v2/text_to_features":
            return self._call(
                "features",
                body,
                httpx.Response(200, json={"features": TOKEN_IDS, "from_cache": False}),
            )
        if url == f"{FEATURES}/push":
            return self._call("push", body, httpx.Response(200))
        return httpx.Response(404)

    def _stored(self, user_id: str, body: dict[str, Any]) -> httpx.Response:
        sms_id = new_timeuuid()
        return httpx.Response(
            201,
            json={
                "sms_id": str(sms_id),
                "user_id": user_id,
                **body,
                "date_sent": timeuuid_datetime(sms_id).isoformat(),
            },
        )

    def _call(self, kind: str, body: dict[str, Any], success: Any) -> Any:
        self.calls[kind].append(body)
        return self._answer(kind, success)

    def _answer(self, kind: str, success: Any) -> Any:
        failure = self.failures.get(kind)
        if isinstance(failure, Exception):
            raise failure
        return failure or success


def make_settings(tmp_path: Path, **overrides: Any) -> InboxSettings:
    values: dict[str, Any] = {
        "user_data_api_url": USERS,
        "model_serving_api_url": MODELS,
        "feature_server_url": FEATURES,
        "outbox_path": tmp_path / "outbox.db",
        "retry_first_seconds": 0.05,
        "max_sms_length": 50,
        "max_body_bytes": 2_000,
        **overrides,
    }
    return InboxSettings(_env_file=None, **values)


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
def app(tmp_path: Path, network: FakeNetwork) -> FastAPI:
    return create_app(make_settings(tmp_path), httpx.MockTransport(network), run_retries=False)


async def pending(client: httpx.AsyncClient) -> int:
    return (await client.get("/ready")).json()["pending_pushes"]


async def drain(app: FastAPI) -> int:
    return await app.state.delivery.drain_once()


async def test_a_message_is_stored_then_its_features_pushed_as_of_its_timeuuid(
    client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    answer = await client.post("/sms", json=MESSAGE)
    assert answer.status_code == 201
    receipt = answer.json()
    assert receipt["features"] == "pushed"
    assert receipt["user_id"] == "fiona"
    sms_id = UUID(receipt["sms_id"])
    assert datetime.fromisoformat(receipt["date_sent"]) == timeuuid_datetime(sms_id)

    assert network.calls["store"] == [{"sender_id": "max", "sms_text": "Climbing at 10?"}]
    assert network.calls["features"] == [{"text": "Climbing at 10?"}]
    (push,) = network.calls["push"]
    assert push == {
        "push_source_name": "smss2_push",
        "to": "online_and_offline",
        "df": {
            "sms_id": [receipt["sms_id"]],
            "features": [TOKEN_IDS],
            "event_timestamp": [timeuuid_datetime(sms_id).isoformat(timespec="microseconds")],
        },
    }
    assert await pending(client) == 0


@pytest.mark.parametrize(
    ("service", "failure"),
    [
        ("features", httpx.ConnectError("model API down")),
        ("features", httpx.Response(503, json={"detail": {"code": "x", "message": "busy"}})),
        ("push", httpx.ReadTimeout("feature server too slow")),
        ("push", httpx.Response(500, text="feature server broke")),
    ],
)
async def test_when_features_fail_the_message_is_accepted_and_its_features_retried(
    app: FastAPI, client: httpx.AsyncClient, network: FakeNetwork, service: str, failure: Any
) -> None:
    network.failures[service] = failure
    answer = await client.post("/sms", json=MESSAGE)
    assert answer.status_code == 202
    assert answer.json()["features"] == "queued"
    assert len(network.calls["store"]) == 1
    assert await pending(client) == 1

    assert await drain(app) == 0  # not due yet: the first retry waits 0.05 s
    attempts = len(network.calls[service])
    await asyncio.sleep(0.1)
    assert await drain(app) == 0  # due, tried, still failing: it stays
    assert len(network.calls[service]) == attempts + 1
    assert await pending(client) == 1

    del network.failures[service]
    await asyncio.sleep(0.3)  # past the backoff of the next attempt (0.1 s)
    assert await drain(app) == 1
    assert await pending(client) == 0
    assert network.calls["push"][-1]["df"]["sms_id"] == [answer.json()["sms_id"]]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("down"),
        httpx.ReadTimeout("slow"),
        httpx.Response(503),
        httpx.Response(500),
    ],
)
async def test_when_the_inbox_cannot_store_nothing_is_accepted_or_queued(
    client: httpx.AsyncClient, network: FakeNetwork, failure: Any
) -> None:
    network.failures["store"] = failure
    answer = await client.post("/sms", json=MESSAGE)
    assert answer.status_code == 503
    assert answer.json()["detail"]["code"] == "inbox_unavailable"
    assert network.calls["features"] == network.calls["push"] == []
    assert await pending(client) == 0


async def test_a_refusal_by_the_user_data_api_is_passed_on(
    client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    network.failures["store"] = httpx.Response(
        422, json={"detail": {"code": "text_too_long", "message": "too long", "limit": 10}}
    )
    answer = await client.post("/sms", json=MESSAGE)
    assert answer.status_code == 422
    assert answer.json()["detail"]["code"] == "text_too_long"
    assert answer.json()["detail"]["limit"] == 10
    assert network.calls["features"] == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**MESSAGE, "user_id": "no spaces allowed"}, 422, "invalid_request"),
        ({**MESSAGE, "sms_text": ""}, 422, "invalid_request"),
        ({**MESSAGE, "sms_text": "x" * 51}, 422, "text_too_long"),
        ({**MESSAGE, "extra": 1}, 422, "invalid_request"),
        ({"user_id": "fiona"}, 422, "invalid_request"),
        ({**MESSAGE, "sms_text": 42}, 422, "invalid_request"),
    ],
)
async def test_bad_messages_are_refused_before_anything_is_stored(
    client: httpx.AsyncClient, network: FakeNetwork, body: dict[str, Any], status: int, code: str
) -> None:
    answer = await client.post("/sms", json=body)
    assert answer.status_code == status
    assert answer.json()["detail"]["code"] == code
    assert network.calls["store"] == []


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    malformed = await client.post("/sms", content=b'{"user_id": ', headers=headers)
    assert malformed.status_code == 400
    huge = json.dumps({**MESSAGE, "sms_text": "x" * 5_000}).encode()
    assert (await client.post("/sms", content=huge, headers=headers)).status_code == 413


async def test_readiness_needs_the_inbox_and_reports_the_rest(
    client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert set(ready.json()["services"].values()) == {"ok"}
    network.failures[f"health:{MODELS}"] = httpx.ConnectError("down")
    degraded = await client.get("/ready")
    assert degraded.status_code == 200  # messages are still accepted; features wait
    assert degraded.json()["services"]["model-serving API"].startswith("unreachable")
    network.failures[f"health:{USERS}"] = httpx.Response(503)
    assert (await client.get("/ready")).status_code == 503


async def test_queued_features_survive_a_restart_and_are_pushed_by_the_retry_task(
    tmp_path: Path, network: FakeNetwork
) -> None:
    settings = make_settings(tmp_path)
    network.failures["push"] = httpx.ConnectError("feature server down")
    first = create_app(settings, httpx.MockTransport(network), run_retries=False)
    async with running(first) as http:
        queued = (await http.post("/sms", json=MESSAGE)).json()
        assert queued["features"] == "queued"

    del network.failures["push"]
    second = create_app(settings, httpx.MockTransport(network))  # its retry task runs
    async with running(second) as http:
        for _ in range(100):
            if (await http.get("/ready")).json()["pending_pushes"] == 0:
                break
            await asyncio.sleep(0.05)
        assert (await http.get("/ready")).json()["pending_pushes"] == 0
    assert network.calls["push"][-1]["df"]["sms_id"] == [queued["sms_id"]]


async def test_retries_back_off_exponentially_up_to_the_limit(
    tmp_path: Path, network: FakeNetwork
) -> None:
    now = [1_000.0]
    settings = make_settings(tmp_path, retry_first_seconds=1, retry_max_seconds=10)
    outbox = await Outbox.open(settings.outbox_path)
    try:
        async with httpx.AsyncClient(transport=httpx.MockTransport(network)) as http:
            delivery = FeatureDelivery(Downstream(http, settings), outbox, settings, lambda: now[0])
            network.failures["features"] = httpx.ConnectError("down")
            item = PendingPush(str(new_timeuuid()), "fiona", "hi", datetime.now().astimezone())
            assert await delivery.deliver(item) is False
            waits = []
            for _ in range(5):
                next_at = await outbox.next_attempt_at()
                assert next_at is not None
                waits.append(next_at - now[0])
                now[0] = next_at
                assert await delivery.drain_once() == 0
            assert waits == [1, 2, 4, 8, 10]
    finally:
        await outbox.close()


async def test_pushed_timestamps_share_one_format_even_on_a_whole_second(
    network: FakeNetwork, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    async with httpx.AsyncClient(transport=httpx.MockTransport(network)) as http:
        on_the_second = datetime(2019, 3, 18, 21, 9, tzinfo=UTC)
        later = datetime(2021, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC)
        await Downstream(http, settings).push_many(
            [("a", TOKEN_IDS, on_the_second), ("b", TOKEN_IDS, later)]
        )
    (push,) = network.calls["push"]
    assert push["df"]["event_timestamp"] == [
        "2019-03-18T21:09:00.000000+00:00",
        "2021-03-01T08:00:00.250000+00:00",
    ]


# --- Idempotency-Key ------------------------------------------------------------------------

KEY = {"Idempotency-Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}


@pytest.mark.parametrize("features", ["pushed", "queued"])
async def test_a_repeat_with_its_idempotency_key_gets_the_first_answer(
    client: httpx.AsyncClient, network: FakeNetwork, features: str
) -> None:
    if features == "queued":
        network.failures["push"] = httpx.ConnectError("feature server down")
    first = await client.post("/sms", json=MESSAGE, headers=KEY)
    again = await client.post("/sms", json=MESSAGE, headers=KEY)
    assert first.status_code == again.status_code == (201 if features == "pushed" else 202)
    assert again.json() == first.json()
    assert again.json()["features"] == features
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(network.messages) == 1
    assert len(network.calls["store"]) == len(network.calls["features"]) == 1


async def test_an_idempotency_key_reused_for_another_message_is_refused(
    client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    await client.post("/sms", json=MESSAGE, headers=KEY)
    other = await client.post("/sms", json={**MESSAGE, "sms_text": "Something else"}, headers=KEY)
    assert other.status_code == 409
    assert other.json()["detail"]["code"] == "idempotency_key_reused"
    assert len(network.messages) == 1


async def test_the_first_answer_is_kept_across_a_restart(
    tmp_path: Path, network: FakeNetwork
) -> None:
    settings = make_settings(tmp_path)
    async with running(create_app(settings, httpx.MockTransport(network), False)) as http:
        first = await http.post("/sms", json=MESSAGE, headers=KEY)
    async with running(create_app(settings, httpx.MockTransport(network), False)) as http:
        again = await http.post("/sms", json=MESSAGE, headers=KEY)
    assert again.json() == first.json()
    assert len(network.messages) == 1


@pytest.mark.parametrize("headers", [KEY, {}])
async def test_an_answer_lost_after_the_write_stores_the_message_once(
    client: httpx.AsyncClient, network: FakeNetwork, headers: dict[str, str]
) -> None:
    # The user-data API stores the message, then its answer never arrives: the webhook sends
    # it again under the same key and gets the stored message back.
    network.answers_to_lose = 1
    answer = await client.post("/sms", json=MESSAGE, headers=headers)
    assert answer.status_code == 201
    assert len(network.calls["store"]) == 2
    assert len(network.messages) == 1
    (stored,) = network.messages.values()
    assert answer.json()["sms_id"] == stored.json()["sms_id"]


async def test_a_repeat_while_the_first_is_served_is_a_409(
    tmp_path: Path, network: FakeNetwork
) -> None:
    storing, release = asyncio.Event(), asyncio.Event()

    async def slow_network(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/sms/"):
            storing.set()
            await release.wait()
        return network(request)

    app = create_app(make_settings(tmp_path), httpx.MockTransport(slow_network), False)
    async with running(app) as http:
        first = asyncio.create_task(http.post("/sms", json=MESSAGE, headers=KEY))
        await storing.wait()
        repeat = await http.post("/sms", json=MESSAGE, headers=KEY)
        release.set()
        assert repeat.status_code == 409
        assert repeat.json()["detail"]["code"] == "idempotency_key_in_use"
        assert (await first).status_code == 201
    assert len(network.messages) == 1


async def test_the_specification_has_the_text_limit(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["IncomingSms"]["properties"]["sms_text"]["maxLength"] == 50
