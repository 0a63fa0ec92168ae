"""The inbox storage contract, written once and run on every backend: SQLite in a temporary file,
Cassandra on the session's real node (see tests/support/cassandra_backend.py)."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.common.settings import CassandraConfig
from api.common.timeuuid import new_timeuuid, timeuuid_at
from api.user_data.storage.cassandra_store import CassandraInboxStore, schema
from api.user_data.storage.interfaces import InboxStore, InvalidPageTokenError, StoredSms
from api.user_data.storage.sqlite_store import SqliteInboxStore
from tests.support.cassandra_backend import CassandraTarget
from tests.support.storage_contract import (
    ContractStorage,
    Opener,
    keyspace_with_schema,
    opened_empty,
)

pytestmark = [pytest.mark.integration, pytest.mark.anyio]

START = datetime(2019, 3, 1, tzinfo=UTC)
LONG_TTL_S = 3600
SHORT_TTL_S = 1  # for the test that watches a key expire


async def _open_sqlite(path: Path, key_ttl_s: int) -> InboxStore:
    store = await SqliteInboxStore.open(path, key_ttl_s)
    await store.create_schema()
    return store


async def _open_cassandra(config: CassandraConfig, key_ttl_s: int) -> InboxStore:
    return await CassandraInboxStore.open(config, key_ttl_s)


INBOX = ContractStorage(
    schema, ("smss_by_users", "sms_idempotency_keys"), _open_sqlite, _open_cassandra
)
OpenStore = Opener[InboxStore]


@pytest.fixture(scope="module")
def cassandra_keyspace(cassandra_cluster: CassandraTarget) -> Iterator[CassandraConfig]:
    with keyspace_with_schema(cassandra_cluster, "inbox", schema) as config:
        yield config


@pytest.fixture(params=["sqlite", "cassandra"])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    """Opens the backend's inbox store, empty, with an idempotency-key TTL of the test's choice."""
    config = request.getfixturevalue("cassandra_keyspace") if request.param == "cassandra" else None
    async with opened_empty(INBOX, request.param, tmp_path, config) as open_with:
        yield open_with


@pytest.fixture
async def store(open_store: OpenStore) -> InboxStore:
    """The store with keys that outlive any test, however slow."""
    return await open_store(LONG_TTL_S)


def sms(user: str, minutes: int, text: str = "hello", sender: str = "max") -> StoredSms:
    return StoredSms(
        user, timeuuid_at(START + timedelta(minutes=minutes), f"{user}{minutes}"), sender, text
    )


async def test_ping_answers(store: InboxStore) -> None:
    await store.ping()


async def test_a_stored_message_reads_back(store: InboxStore) -> None:
    message = sms("fiona", 1, text="ünïcode, emoji 🎉 and 'quotes'")
    await store.add(message)
    assert await store.get("fiona", message.sms_id) == message
    assert (await store.get("fiona", message.sms_id)).date_sent == START + timedelta(minutes=1)


async def test_unknown_ids_and_users(store: InboxStore) -> None:
    message = sms("fiona", 1)
    await store.add(message)
    assert await store.get("fiona", new_timeuuid()) is None
    assert await store.get("max", message.sms_id) is None
    empty = await store.page("nobody", 10)
    assert empty.messages == []
    assert empty.next_page_token is None


async def test_inbox_is_newest_first_whatever_the_insertion_order(store: InboxStore) -> None:
    messages = [sms("fiona", m) for m in (5, 1, 9, 3, 7)]
    for message in messages:
        await store.add(message)
    page = await store.page("fiona", 10)
    assert [m.date_sent for m in page.messages] == sorted(
        (m.date_sent for m in messages), reverse=True
    )


async def test_paging_walks_the_whole_inbox_once(store: InboxStore) -> None:
    messages = [sms("fiona", m) for m in range(7)]
    await asyncio.gather(*(store.add(m) for m in messages))
    seen, token, pages = [], None, 0
    while True:
        page = await store.page("fiona", 3, token)
        seen += page.messages
        pages += 1
        token = page.next_page_token
        if token is None:
            break
    assert pages == 3
    assert seen == sorted(messages, key=lambda m: m.date_sent, reverse=True)


async def test_an_exact_last_page_has_no_token(store: InboxStore) -> None:
    await asyncio.gather(*(store.add(sms("fiona", m)) for m in range(4)))
    first = await store.page("fiona", 2)
    second = await store.page("fiona", 2, first.next_page_token)
    assert len(second.messages) == 2
    assert second.next_page_token is None


async def test_new_messages_do_not_shift_later_pages(store: InboxStore) -> None:
    await asyncio.gather(*(store.add(sms("fiona", m)) for m in range(4)))
    first = await store.page("fiona", 2)
    await store.add(sms("fiona", 100))  # arrives while the user reads page one
    second = await store.page("fiona", 2, first.next_page_token)
    assert [m.date_sent for m in second.messages] == [START + timedelta(minutes=m) for m in (1, 0)]


async def test_inboxes_are_separate(store: InboxStore) -> None:
    await store.add(sms("fiona", 1))
    await store.add(sms("max", 2))
    assert [m.user_id for m in (await store.page("fiona", 10)).messages] == ["fiona"]


async def test_adding_the_same_message_twice_keeps_one(store: InboxStore) -> None:
    message = sms("fiona", 1)
    await store.add(message)
    await store.add(message)
    assert len((await store.page("fiona", 10)).messages) == 1


async def test_concurrent_adds_are_all_kept(store: InboxStore) -> None:
    messages = [StoredSms("otto", new_timeuuid(), "max", f"message {n}") for n in range(50)]
    await asyncio.gather(*(store.add(m) for m in messages))
    page = await store.page("otto", 100)
    assert sorted(m.sms_id for m in page.messages) == sorted(m.sms_id for m in messages)


async def test_a_forged_page_token_is_refused(store: InboxStore) -> None:
    for token in ("not-base64!!", "AAAA", "QUJDREVGR0hJSktMTU5PUA"):
        with pytest.raises(InvalidPageTokenError):
            await store.page("fiona", 2, token)


async def test_an_idempotency_key_names_the_first_message_only(store: InboxStore) -> None:
    first, second = new_timeuuid(), new_timeuuid()
    assert await store.claim_key("fiona", "key-1", first, "digest-a") == (first, "digest-a")
    assert await store.claim_key("fiona", "key-1", second, "digest-b") == (first, "digest-a")
    # Keys are per user.
    assert await store.claim_key("max", "key-1", second, "digest-b") == (second, "digest-b")


async def test_concurrent_claims_of_a_key_agree(store: InboxStore) -> None:
    ids = [new_timeuuid() for _ in range(8)]
    answers = await asyncio.gather(*(store.claim_key("otto", "key-2", i, "d") for i in ids))
    assert len(set(answers)) == 1
    assert answers[0][0] in ids


async def test_an_idempotency_key_expires(open_store: OpenStore) -> None:
    store = await open_store(SHORT_TTL_S)
    first, second = new_timeuuid(), new_timeuuid()
    await store.claim_key("rosa", "key-3", first, "d")
    await asyncio.sleep(SHORT_TTL_S + 1.1)
    assert await store.claim_key("rosa", "key-3", second, "d") == (second, "d")


async def test_cassandra_prepares_its_statements_once_when_it_opens(
    cassandra_keyspace: CassandraConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await CassandraInboxStore.open(cassandra_keyspace)
    session = store._session  # type: ignore[attr-defined]
    prepared_later: list[str] = []
    real_prepare = session.prepare

    def prepare(query: str, *args: object, **kwargs: object) -> object:
        prepared_later.append(query)
        return real_prepare(query, *args, **kwargs)

    monkeypatch.setattr(session, "prepare", prepare)
    try:
        for minute in range(3):
            message = sms("prep", minute)
            await store.add(message)
            assert await store.get("prep", message.sms_id) == message
            page = await store.page("prep", 2)
            assert page.messages[0] == message
            claimed = await store.claim_key("prep", f"key-{minute}", message.sms_id, "d")
            assert claimed == (message.sms_id, "d")
            await store.ping()
    finally:
        await store.close()
    assert prepared_later == []
