"""The in-memory front of the prediction cache, and write-behind."""

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from api.model_serving.metrics import ServingMetrics
from api.model_serving.rate_limit import CallerRateLimit
from api.model_serving.storage.interfaces import CacheKey, PredictionCache
from api.model_serving.storage.memory_front import MemoryFrontedCache
from api.model_serving.write_behind import WriteBehind

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


class FailingCache(DictCache):
    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        raise ConnectionError("storage is down")


async def test_memory_front_keeps_its_hits_when_the_backend_fails() -> None:
    metrics = ServingMetrics()
    cache = MemoryFrontedCache(FailingCache(), max_items=10, ttl_s=60, metrics=metrics)
    await cache.put_many({key(1): "one"})
    assert await cache.get_many([key(1), key(2)]) == {key(1): "one"}
    assert metrics.storage_errors.labels("cache_read")._value.get() == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_front_serves_repeats_without_the_backend() -> None:
    backend = DictCache()
    cache = MemoryFrontedCache(backend, max_items=10, ttl_s=60, metrics=ServingMetrics())
    await cache.put_many({key(1): "one"})
    assert backend.data == {}  # written behind, in a batch
    await cache.flush()
    assert backend.data == {key(1): "one"}
    assert await cache.get_many([key(1), key(2)]) == {key(1): "one"}
    assert backend.reads == [[key(2)]]


async def test_memory_front_reads_through_and_remembers() -> None:
    backend = DictCache()
    backend.data[key(1)] = "from another instance"
    cache = MemoryFrontedCache(backend, max_items=10, ttl_s=60, metrics=ServingMetrics())
    assert await cache.get_many([key(1)]) == {key(1): "from another instance"}
    assert await cache.get_many([key(1)]) == {key(1): "from another instance"}
    assert backend.reads == [[key(1)]]


async def test_memory_front_is_bounded_and_least_recently_used_goes_first() -> None:
    backend = DictCache()
    cache = MemoryFrontedCache(backend, max_items=2, ttl_s=60, metrics=ServingMetrics())
    await cache.put_many({key(1): "1", key(2): "2"})
    await cache.get_many([key(1)])  # 1 is now more recent than 2
    await cache.put_many({key(3): "3"})
    backend.reads.clear()
    await cache.get_many([key(1), key(2), key(3)])
    assert backend.reads == [[key(2)]]


async def test_memory_front_entries_expire() -> None:
    backend, clock = DictCache(), Clock()
    cache = MemoryFrontedCache(
        backend, max_items=10, ttl_s=60, metrics=ServingMetrics(), clock=clock
    )
    await cache.put_many({key(1): "1"})
    backend.data.clear()  # the backend has expired it too
    clock.now += 61
    assert await cache.get_many([key(1)]) == {}


class Sink:
    """A storage write that records its batches, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail

    async def __call__(self, items: list[str]) -> None:
        if self.fail:
            raise ConnectionError("down")
        self.batches.append(items)


async def test_write_behind_batches_items_within_the_delay() -> None:
    sink = Sink()
    writer = WriteBehind(sink, ServingMetrics(), "test", max_delay_s=0.01)
    for n in range(5):
        writer.submit(f"item {n}")
    assert sink.batches == []
    await asyncio.sleep(0.1)
    assert sink.batches == [[f"item {n}" for n in range(5)]]


async def test_write_behind_flushes_what_is_pending_at_close() -> None:
    sink = Sink()
    writer = WriteBehind(sink, ServingMetrics(), "test", max_delay_s=60)
    writer.submit("item")
    await writer.close()
    assert sink.batches == [["item"]]


async def test_write_behind_drops_the_oldest_beyond_its_bound_and_counts_them() -> None:
    sink, metrics = Sink(), ServingMetrics()
    writer = WriteBehind(sink, metrics, "test", max_delay_s=60, max_pending=3)
    for n in range(5):
        writer.submit(f"item {n}")
    await writer.close()
    assert sink.batches == [["item 2", "item 3", "item 4"]]
    assert metrics.storage_errors.labels("test_dropped")._value.get() == 2


async def test_write_behind_failures_are_counted_not_raised() -> None:
    metrics = ServingMetrics()
    writer = WriteBehind(Sink(fail=True), metrics, "test", max_delay_s=60)
    writer.submit("item")
    await writer.flush()
    assert metrics.storage_errors.labels("test_write")._value.get() == 1


async def test_write_behind_keeps_a_failed_batch_and_writes_it_once_storage_answers() -> None:
    sink, metrics = Sink(fail=True), ServingMetrics()
    writer = WriteBehind(sink, metrics, "test", max_delay_s=0.01, max_retry_delay_s=0.02)
    writer.submit("first")
    await writer.flush()
    writer.submit("second")
    assert writer.pending == 2
    sink.fail = False
    for _ in range(100):  # the retry timer writes both, oldest first, without another submit
        if sink.batches:
            break
        await asyncio.sleep(0.01)
    assert sink.batches == [["first", "second"]]
    assert metrics.storage_errors.labels("test_dropped")._value.get() == 0
    assert metrics.write_behind_written.labels("test")._value.get() == 2


async def test_write_behind_bound_holds_while_storage_is_down() -> None:
    sink, metrics = Sink(fail=True), ServingMetrics()
    writer = WriteBehind(sink, metrics, "test", max_delay_s=60, max_pending=3)
    for n in range(2):
        writer.submit(f"item {n}")
    await writer.flush()
    for n in range(2, 4):
        writer.submit(f"item {n}")
    assert writer.pending == 3
    assert metrics.storage_errors.labels("test_dropped")._value.get() == 1
    sink.fail = False
    await writer.close()
    assert sink.batches == [["item 1", "item 2", "item 3"]]


async def test_write_behind_counts_what_storage_refuses_at_shutdown_as_dropped() -> None:
    metrics = ServingMetrics()
    writer = WriteBehind(Sink(fail=True), metrics, "test", max_delay_s=60)
    writer.submit("item")
    await writer.close()
    assert writer.pending == 0
    assert metrics.storage_errors.labels("test_dropped")._value.get() == 1


def test_the_rate_limit_window_slides() -> None:
    clock = Clock()
    limit = CallerRateLimit(2, window_s=60, clock=clock)
    assert limit.admit("a") is None
    clock.now += 30
    assert limit.admit("a") is None
    assert limit.admit("a") == 30  # the first call leaves the window in 30 s
    assert limit.admit("b") is None
    clock.now += 30
    assert limit.admit("a") is None  # the first call has left it
    assert limit.admit("a") == 30


def test_the_rate_limit_forgets_the_least_recent_callers_beyond_its_bound() -> None:
    limit = CallerRateLimit(1, max_callers=2, clock=Clock())
    for caller in ("a", "b", "c"):
        assert limit.admit(caller) is None
    assert limit.admit("a") is None  # forgotten: counted afresh
    assert limit.admit("c") is not None
