"""The model-serving storage contract, written once and run on every backend.

SQLite runs in a temporary file, Cassandra on the session's real node (the project's local node
where Java and Maven exist; see tests/support/cassandra_backend.py for the other ways in).
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.common.settings import CassandraConfig
from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from api.model_serving.storage.cassandra_store import CassandraServingStorage, schema
from api.model_serving.storage.interfaces import CacheKey, CallRecord, ServingStorage
from api.model_serving.storage.sqlite_store import SqliteServingStorage
from tests.support.cassandra_backend import CassandraTarget
from tests.support.storage_contract import (
    ContractStorage,
    Opener,
    keyspace_with_schema,
    opened_empty,
)

pytestmark = [pytest.mark.integration, pytest.mark.anyio]

LONG_TTL_S = 3600
SHORT_TTL_S = 1  # for the tests that watch rows expire


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


async def _open_sqlite(path: Path, ttl_s: int) -> ServingStorage:
    storage = await SqliteServingStorage.open(path, ttl_s, ttl_s)
    await storage.create_schema()
    return storage


async def _open_cassandra(config: CassandraConfig, ttl_s: int) -> ServingStorage:
    return await CassandraServingStorage.open(config, ttl_s, ttl_s)


SERVING = ContractStorage(schema, ("prediction_cache", "call_log"), _open_sqlite, _open_cassandra)
OpenStorage = Opener[ServingStorage]


@pytest.fixture(scope="module")
def cassandra_keyspace(cassandra_cluster: CassandraTarget) -> Iterator[CassandraConfig]:
    with keyspace_with_schema(cassandra_cluster, "serving", schema) as config:
        yield config


@pytest.fixture(params=["sqlite", "cassandra"])
async def open_storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[OpenStorage]:
    """Opens the backend's stores, empty, with a TTL of the test's choosing for both tables."""
    config = request.getfixturevalue("cassandra_keyspace") if request.param == "cassandra" else None
    async with opened_empty(SERVING, request.param, tmp_path, config) as open_with:
        yield open_with


@pytest.fixture
async def storage(open_storage: OpenStorage) -> ServingStorage:
    """The stores with TTLs long enough that nothing expires during a test, however slow."""
    return await open_storage(LONG_TTL_S)


def key(digest: str, endpoint: str = "text_to_prediction", fingerprint: str = "abc") -> CacheKey:
    return CacheKey(endpoint, "v1", fingerprint, digest)


def record(
    endpoint: str = "text_to_prediction", version: str = "v1", text: str = "hi"
) -> CallRecord:
    call_id = new_timeuuid()
    return CallRecord(
        call_id=call_id,
        called_at=timeuuid_datetime(call_id),
        endpoint=endpoint,
        model_version=version,
        input=json.dumps([text]),
        output=json.dumps([{"top": {"label": "ham", "value": 0.9}}]),
        items=1,
        from_cache=0,
    )


async def test_ping_answers(storage: ServingStorage) -> None:
    await storage.ping()


async def test_cache_hits_and_misses(storage: ServingStorage) -> None:
    payload = json.dumps({"prediction": {"ham": 0.25, "spam": 0.75}, "note": "ünïcode ✓"})
    await storage.cache.put_many({key("d1"): payload})
    found = await storage.cache.get_many([key("d1"), key("d2")])
    assert found == {key("d1"): payload}


async def test_every_part_of_the_key_matters(storage: ServingStorage) -> None:
    await storage.cache.put_many({key("d1"): "x"})
    others = [
        key("d1", endpoint="text_to_features"),
        key("d1", fingerprint="retrained"),
        CacheKey("text_to_prediction", "v2", "abc", "d1"),
    ]
    assert await storage.cache.get_many(others) == {}


async def test_put_replaces_a_value(storage: ServingStorage) -> None:
    await storage.cache.put_many({key("d1"): "old"})
    await storage.cache.put_many({key("d1"): "new"})
    assert await storage.cache.get_many([key("d1")]) == {key("d1"): "new"}


async def test_repeated_keys_are_answered_once(storage: ServingStorage) -> None:
    await storage.cache.put_many({key("d1"): "x"})
    assert await storage.cache.get_many([key("d1"), key("d1")]) == {key("d1"): "x"}


async def test_cache_entries_expire(open_storage: OpenStorage) -> None:
    storage = await open_storage(SHORT_TTL_S)
    await storage.cache.put_many({key("d1"): "x"})
    await asyncio.sleep(SHORT_TTL_S + 1.1)
    assert await storage.cache.get_many([key("d1")]) == {}


async def test_call_log_is_newest_first_and_limited(storage: ServingStorage) -> None:
    records = [record(text=f"call {n}") for n in range(5)]
    await storage.call_log.append_many([("10.0.0.1", entry) for entry in records[:2]])
    for entry in records[2:]:
        await storage.call_log.append_many([("10.0.0.1", entry)])
    recent = [r async for r in storage.call_log.recent("10.0.0.1", "v1", 3)]
    assert [r.call_id for r in recent] == [r.call_id for r in reversed(records)][:3]
    newest = recent[0]
    assert newest.input == records[-1].input
    assert newest.output == records[-1].output
    assert newest.called_at == records[-1].called_at
    assert newest.called_at.tzinfo is not None


async def test_call_log_is_per_caller_and_version(storage: ServingStorage) -> None:
    await storage.call_log.append_many(
        [
            ("10.0.0.1", record(version="v1")),
            ("10.0.0.1", record(version="v2")),
            ("10.0.0.2", record(version="v1")),
        ]
    )
    mine = [r async for r in storage.call_log.recent("10.0.0.1", "v1", 10)]
    assert len(mine) == 1
    assert mine[0].model_version == "v1"
    assert [r async for r in storage.call_log.recent("10.0.0.3", "v1", 10)] == []


async def test_call_log_entries_expire(open_storage: OpenStorage) -> None:
    storage = await open_storage(SHORT_TTL_S)
    await storage.call_log.append_many([("10.0.0.1", record())])
    await asyncio.sleep(SHORT_TTL_S + 1.1)
    assert [r async for r in storage.call_log.recent("10.0.0.1", "v1", 10)] == []


async def test_concurrent_writes_are_all_kept(storage: ServingStorage) -> None:
    entries = [record(text=f"call {n}") for n in range(40)]
    await asyncio.gather(
        *(storage.call_log.append_many([("10.0.0.9", entry)]) for entry in entries),
        *(storage.cache.put_many({key(f"k{n}"): str(n)}) for n in range(40)),
    )
    logged = [r async for r in storage.call_log.recent("10.0.0.9", "v1", 100)]
    assert sorted(r.call_id for r in logged) == sorted(e.call_id for e in entries)
    assert [r.called_at for r in logged] == sorted((r.called_at for r in logged), reverse=True)
    cached = await storage.cache.get_many([key(f"k{n}") for n in range(40)])
    assert {k.input_digest: v for k, v in cached.items()} == {f"k{n}": str(n) for n in range(40)}


async def test_called_at_comes_from_the_timeuuid(storage: ServingStorage) -> None:
    await storage.call_log.append_many([("10.0.0.1", record())])
    [stored] = [r async for r in storage.call_log.recent("10.0.0.1", "v1", 1)]
    assert abs((stored.called_at - datetime.now(UTC)).total_seconds()) < 60
    assert stored.called_at == timeuuid_datetime(stored.call_id)


async def test_a_batch_of_many_rows_is_kept_whole(storage: ServingStorage) -> None:
    # More rows than one SQLite statement or one Cassandra batch takes, from one busy caller.
    entries = [record(text=f"call {n}") for n in range(1234)]
    await storage.call_log.append_many([("10.0.0.5", entry) for entry in entries])
    logged = [r async for r in storage.call_log.recent("10.0.0.5", "v1", 2000)]
    assert sorted(r.call_id for r in logged) == sorted(e.call_id for e in entries)


async def test_writing_a_batch_again_does_not_duplicate_it(storage: ServingStorage) -> None:
    # Write-behind writes a batch again when its first write failed, maybe after part of it
    # was stored.
    entries = [("10.0.0.6", record(text=f"call {n}")) for n in range(3)]
    await storage.call_log.append_many(entries[:2])
    await storage.call_log.append_many(entries)
    logged = [r async for r in storage.call_log.recent("10.0.0.6", "v1", 10)]
    assert len(logged) == 3


async def test_cassandra_prepares_its_statements_once_when_it_opens(
    cassandra_keyspace: CassandraConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = await CassandraServingStorage.open(cassandra_keyspace, LONG_TTL_S, LONG_TTL_S)
    session = storage.cache._session  # type: ignore[attr-defined]
    prepared_later: list[str] = []
    real_prepare = session.prepare

    def prepare(query: str, *args: object, **kwargs: object) -> object:
        prepared_later.append(query)
        return real_prepare(query, *args, **kwargs)

    monkeypatch.setattr(session, "prepare", prepare)
    try:
        for _ in range(3):
            await storage.cache.put_many({key("d1"): "x"})
            assert await storage.cache.get_many([key("d1"), key("d2")]) == {key("d1"): "x"}
            await storage.call_log.append_many([("10.0.0.1", record())])
            assert [r async for r in storage.call_log.recent("10.0.0.1", "v1", 1)]
            await storage.ping()
    finally:
        await storage.close()
    assert prepared_later == []
