"""The user-data API in process: the app factory under its lifespan, driven by httpx."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from api.user_data.app import create_app
from api.user_data.settings import UserDataSettings
from api.user_data.storage.factory import create_inbox_tables
from api.user_data.storage.interfaces import PAGE_TOKEN_PATTERN, encode_page_token
from scripts.initialize_user_api_data import load
from scripts.sample_inboxes import SAMPLE_MESSAGES
from tests.support.asgi import running

pytestmark = pytest.mark.anyio


def make_settings(tmp_path: Path, **overrides: Any) -> UserDataSettings:
    values: dict[str, Any] = {
        "sqlite_path": tmp_path / "users.db",
        "max_sms_length": 300,
        "inbox_page_size": 4,
        "inbox_max_page_size": 5,
        "max_body_bytes": 5_000,
        **overrides,
    }
    return UserDataSettings(_env_file=None, **values)


@pytest.fixture
async def settings(tmp_path: Path) -> UserDataSettings:
    settings = make_settings(tmp_path)
    await create_inbox_tables(settings)
    await load(settings)
    return settings


@pytest.fixture
def app(settings: UserDataSettings) -> FastAPI:
    return create_app(settings)


def samples_of(user: str) -> list[tuple[str, str, datetime, str]]:
    return sorted((m for m in SAMPLE_MESSAGES if m[0] == user), key=lambda m: m[2], reverse=True)


async def test_inbox_lists_the_samples_newest_first(client: httpx.AsyncClient) -> None:
    body = (await client.get("/sms/fiona")).json()
    expected = samples_of("fiona")
    assert body["user_id"] == "fiona"
    assert [m["sms_text"] for m in body["messages"]] == [m[3] for m in expected[:4]]
    first = body["messages"][0]
    assert set(first) == {"sms_id", "user_id", "sender_id", "sms_text", "date_sent"}
    assert first["sender_id"] == expected[0][1]
    assert datetime.fromisoformat(first["date_sent"]) == expected[0][2]


async def test_paging_with_limit_and_token(client: httpx.AsyncClient) -> None:
    texts, token = [], None
    while True:
        params = {"limit": 4, **({"page_token": token} if token else {})}
        body = (await client.get("/sms/fiona", params=params)).json()
        texts += [m["sms_text"] for m in body["messages"]]
        token = body.get("next_page_token")
        if token is None:
            break
    assert texts == [m[3] for m in samples_of("fiona")]


async def test_limit_is_capped(client: httpx.AsyncClient) -> None:
    body = (await client.get("/sms/fiona", params={"limit": 1000})).json()
    assert len(body["messages"]) == 5


async def test_unknown_user_has_an_empty_inbox(client: httpx.AsyncClient) -> None:
    response = await client.get("/sms/nobody")
    assert response.status_code == 200
    assert response.json() == {"user_id": "nobody", "messages": []}


async def test_post_then_read_back(client: httpx.AsyncClient) -> None:
    before = datetime.now(UTC)
    created = await client.post(
        "/sms/fiona", json={"sender_id": "+44 7700 900123", "sms_text": "On my way"}
    )
    assert created.status_code == 201
    sms = created.json()
    assert sms["user_id"] == "fiona"
    assert sms["sender_id"] == "+44 7700 900123"
    from uuid import UUID

    sent = datetime.fromisoformat(sms["date_sent"])
    assert sent == timeuuid_datetime(UUID(sms["sms_id"]))
    assert before - timedelta(seconds=1) <= sent <= datetime.now(UTC) + timedelta(seconds=1)
    read = await client.get(f"/sms/fiona/{sms['sms_id']}")
    assert read.json() == sms
    newest = (await client.get("/sms/fiona")).json()["messages"][0]
    assert newest == sms


async def test_a_post_sent_again_with_its_idempotency_key_stores_nothing_twice(
    client: httpx.AsyncClient,
) -> None:
    body = {"sender_id": "max", "sms_text": "Sent once, answered twice"}
    key = {"Idempotency-Key": "6f1c2f0e-3c1b-4d5e-9a6b-1f2e3d4c5b6a"}
    first = await client.post("/sms/otto", json=body, headers=key)
    again = await client.post("/sms/otto", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    # The draft's quoted form names the same key.
    quoted = await client.post(
        "/sms/otto", json=body, headers={"Idempotency-Key": f'"{key["Idempotency-Key"]}"'}
    )
    assert quoted.json() == first.json()
    inbox = (await client.get("/sms/otto", params={"limit": 5})).json()["messages"]
    assert [m["sms_text"] for m in inbox].count(body["sms_text"]) == 1
    # Without a key, or with another one, the same text is another message.
    other = await client.post("/sms/otto", json=body, headers={"Idempotency-Key": "another"})
    assert other.json()["sms_id"] != first.json()["sms_id"]


async def test_an_idempotency_key_reused_for_another_body_is_refused(
    client: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": "key-reused"}
    await client.post("/sms/otto", json={"sender_id": "max", "sms_text": "one"}, headers=key)
    reused = await client.post(
        "/sms/otto", json={"sender_id": "max", "sms_text": "two"}, headers=key
    )
    assert reused.status_code == 409
    assert reused.json()["detail"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", "with space", '"', "x" * 256])
async def test_a_malformed_idempotency_key_is_a_422(client: httpx.AsyncClient, key: str) -> None:
    answer = await client.post(
        "/sms/otto", json={"sender_id": "max", "sms_text": "hi"}, headers={"Idempotency-Key": key}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["code"] == "invalid_request"


async def test_a_replay_completes_a_message_whose_first_store_failed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # The key was claimed, then storing the message failed: the retry stores it, once.
    store = app.state.inbox
    real_add = store.add

    async def failing_add(*_: Any) -> None:
        raise ConnectionError("storage is down")

    body, key = {"sender_id": "max", "sms_text": "Half-kept"}, {"Idempotency-Key": "half"}
    store.add = failing_add
    assert (await client.post("/sms/otto", json=body, headers=key)).status_code == 503
    store.add = real_add
    retried = await client.post("/sms/otto", json=body, headers=key)
    assert retried.status_code == 201
    stored = await client.get(f"/sms/otto/{retried.json()['sms_id']}")
    assert stored.json()["sms_text"] == "Half-kept"


async def test_a_message_belongs_to_its_inbox(client: httpx.AsyncClient) -> None:
    sms = (await client.post("/sms/fiona", json={"sender_id": "max", "sms_text": "hi"})).json()
    response = await client.get(f"/sms/max/{sms['sms_id']}")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "sms_not_found"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/sms/fiona/not-a-uuid", None, 422, "invalid_request"),
        ("GET", "/sms/fiona/1bb7ddbc-e67c-41f1-af62-02fc00000001", None, 422, "invalid_request"),
        ("GET", "/sms/fiona/0cdffe00-49c2-11e9-9f6f-000000000000", None, 404, "sms_not_found"),
        ("GET", "/sms/fiona?page_token=forged!!", None, 422, "invalid_request"),
        ("GET", "/sms/fiona?limit=0", None, 422, "invalid_request"),
        ("GET", "/sms/bad%20user", None, 422, "invalid_request"),
        ("GET", "/sms/" + "u" * 65, None, 422, "invalid_request"),
        ("POST", "/sms/fiona", {"sender_id": "max", "sms_text": ""}, 422, "invalid_request"),
        ("POST", "/sms/fiona", {"sender_id": "max", "sms_text": "x" * 301}, 422, "text_too_long"),
        ("POST", "/sms/fiona", {"sender_id": "", "sms_text": "hi"}, 422, "invalid_request"),
        ("POST", "/sms/fiona", {"sender_id": "a\nb", "sms_text": "hi"}, 422, "invalid_request"),
        ("POST", "/sms/fiona", {"sender_id": "max", "sms_text": 5}, 422, "invalid_request"),
        ("POST", "/sms/fiona", {"sender_id": "max"}, 422, "invalid_request"),
        (
            "POST",
            "/sms/fiona",
            {"sender_id": "max", "sms_text": "hi", "x": 1},
            422,
            "invalid_request",
        ),
        ("POST", "/sms/-fiona", {"sender_id": "max", "sms_text": "hi"}, 422, "invalid_request"),
        (
            "POST",
            "/sms/fiona",
            {"sender_id": "max", "sms_text": "x" * 6000},
            413,
            "payload_too_large",
        ),
    ],
)
async def test_bad_input_gets_a_clear_4xx(
    client: httpx.AsyncClient, method: str, path: str, body: Any, status: int, code: str
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]["code"] == code


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/sms/fiona", content=b'{"sender_id": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "malformed_json"


async def test_storage_failure_is_a_503_and_nothing_is_claimed_stored(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def broken(*_: Any) -> Any:
        raise ConnectionError("disk gone")

    app.state.inbox.add = broken
    response = await client.post("/sms/fiona", json={"sender_id": "max", "sms_text": "hi"})
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "service_unavailable"


async def test_health_and_ready(client: httpx.AsyncClient, tmp_path: Path) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"ready": True, "storage": "ok"}
    bare = create_app(make_settings(tmp_path, sqlite_path=tmp_path / "no-table.db"))
    async with running(bare) as other:
        ready = await other.get("/ready")
        assert ready.status_code == 503
        assert "initialize_user_api_data" in ready.json()["storage"]


async def test_cors_allows_only_the_configured_origins(client: httpx.AsyncClient) -> None:
    allowed = await client.get("/sms/fiona", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    refused = await client.get("/sms/fiona", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


async def test_loading_the_samples_twice_does_not_duplicate(
    settings: UserDataSettings, client: httpx.AsyncClient
) -> None:
    await load(settings)
    all_fiona = (await client.get("/sms/fiona", params={"limit": 5})).json()
    rest = (
        await client.get(
            "/sms/fiona", params={"limit": 5, "page_token": all_fiona["next_page_token"]}
        )
    ).json()
    assert len(all_fiona["messages"]) + len(rest["messages"]) == len(samples_of("fiona"))


async def test_openapi_documents_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path}"
            assert operation.get("description"), f"{method} {path}"


def test_sample_inboxes_cover_the_tutorial_users() -> None:
    users = {m[0] for m in SAMPLE_MESSAGES}
    assert {"fiona", "max", "ellen", "otto"} <= users
    assert all(m[2].year == 2019 for m in SAMPLE_MESSAGES)


# --- what the specification promises, found by fuzzing (tests/integration/test_api_fuzzing.py) --


async def test_any_token_of_the_documented_form_is_accepted(client: httpx.AsyncClient) -> None:
    # A token names a message to page below; one this API never issued still names one.
    token = encode_page_token(new_timeuuid())
    assert re.fullmatch(PAGE_TOKEN_PATTERN, token)
    answer = await client.get("/sms/fiona", params={"page_token": token})
    assert answer.status_code == 200
    assert len(answer.json()["messages"]) == 4  # every sample is older than now


async def test_a_timeuuid_in_capitals_is_a_timeuuid(client: httpx.AsyncClient) -> None:
    stored = (await client.post("/sms/otto", json={"sender_id": "max", "sms_text": "hi"})).json()
    again = await client.get(f"/sms/otto/{stored['sms_id'].upper()}")
    assert again.status_code == 200


async def test_a_405_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    answer = await client.request("OPTIONS", "/sms/fiona")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"


async def test_the_specification_has_the_text_limit(
    client: httpx.AsyncClient, settings: UserDataSettings
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["SmsCreate"]["properties"]["sms_text"]["maxLength"] == settings.max_sms_length
