"""The in-memory front of the prediction cache and the call log's write-behind."""

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from api.model_serving.call_log_writer import CallLogWriter
from api.model_serving.metrics import ServingMetrics
from api.model_serving.storage.interfaces import CacheKey, CallLog, CallRecord, PredictionCache
from api.model_serving.storage.memory_front import MemoryFrontedCache

pytestmark = pytest.mark.anyio


class DictCache(PredictionCache):
    def __init__(self) -> None:
        self.data: dict[CacheKey, str] = {}
        self.reads: list[list[CacheKey]] = []

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        self.reads.append(list(keys))
        return {k: self.data[k] for k in keys if k in self.data}

    async def put_many(self, entries: Mapping[CacheKey, str]) -> None:
        self.data.update(entries)


def key(n: int) -> CacheKey:
    return CacheKey("text_to_prediction", "v1", "fp", f"d{n}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_front_serves_repeats_without_the_backend() -> None:
    backend = DictCache()
    cache = MemoryFrontedCache(backend, max_items=10, ttl_s=60)
    await cache.put_many({key(1): "one"})
    assert backend.data == {key(1): "one"}
    assert await cache.get_many([key(1), key(2)]) == {key(1): "one"}
    assert backend.reads == [[key(2)]]


async def test_memory_front_reads_through_and_remembers() -> None:
    backend = DictCache()
    backend.data[key(1)] = "from another instance"
    cache = MemoryFrontedCache(backend, max_items=10, ttl_s=60)
    assert await cache.get_many([key(1)]) == {key(1): "from another instance"}
    assert await cache.get_many([key(1)]) == {key(1): "from another instance"}
    assert backend.reads == [[key(1)]]


async def test_memory_front_is_bounded_and_least_recently_used_goes_first() -> None:
    backend = DictCache()
    cache = MemoryFrontedCache(backend, max_items=2, ttl_s=60)
    await cache.put_many({key(1): "1", key(2): "2"})
    await cache.get_many([key(1)])  # 1 is now more recent than 2
    await cache.put_many({key(3): "3"})
    backend.reads.clear()
    await cache.get_many([key(1), key(2), key(3)])
    assert backend.reads == [[key(2)]]


async def test_memory_front_entries_expire() -> None:
    backend, clock = DictCache(), Clock()
    cache = MemoryFrontedCache(backend, max_items=10, ttl_s=60, clock=clock)
    await cache.put_many({key(1): "1"})
    backend.data.clear()  # the backend has expired it too
    clock.now += 61
    assert await cache.get_many([key(1)]) == {}


class ListLog(CallLog):
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[tuple[str, CallRecord]]] = []
        self.fail = fail

    async def append_many(self, entries: Sequence[tuple[str, CallRecord]]) -> None:
        if self.fail:
            raise ConnectionError("down")
        self.batches.append(list(entries))

    async def recent(self, caller_id: str, model_version: str, limit: int):  # pragma: no cover
        raise NotImplementedError
        yield


def record() -> CallRecord:
    call_id = new_timeuuid()
    return CallRecord(
        call_id, timeuuid_datetime(call_id), "text_to_prediction", "v1", "[]", "[]", 1, 0
    )


async def test_writer_batches_records_within_the_delay() -> None:
    log = ListLog()
    writer = CallLogWriter(log, ServingMetrics(), max_delay_s=0.01)
    records = [record() for _ in range(5)]
    for r in records:
        writer.submit("10.0.0.1", r)
    assert log.batches == []
    await asyncio.sleep(0.1)
    assert log.batches == [[("10.0.0.1", r) for r in records]]


async def test_writer_flushes_what_is_pending_at_close() -> None:
    log = ListLog()
    writer = CallLogWriter(log, ServingMetrics(), max_delay_s=60)
    writer.submit("10.0.0.1", record())
    await writer.close()
    assert len(log.batches) == 1


async def test_writer_drops_the_oldest_beyond_its_bound_and_counts_them() -> None:
    log, metrics = ListLog(), ServingMetrics()
    writer = CallLogWriter(log, metrics, max_delay_s=60, max_pending=3)
    records = [record() for _ in range(5)]
    for r in records:
        writer.submit("10.0.0.1", r)
    await writer.close()
    assert [r for _, r in log.batches[0]] == records[2:]
    assert metrics.storage_errors.labels("call_log_dropped")._value.get() == 2


async def test_writer_failures_are_counted_not_raised() -> None:
    metrics = ServingMetrics()
    writer = CallLogWriter(ListLog(fail=True), metrics, max_delay_s=60)
    writer.submit("10.0.0.1", record())
    await writer.flush()
    assert metrics.storage_errors.labels("call_log_write")._value.get() == 1
