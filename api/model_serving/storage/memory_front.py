"""The prediction cache as the service uses it: memory in front of the shared store.

Cached results never change for a key (the key holds the artifact's fingerprint), so keeping the
most recent ones in memory is safe; only their age must be respected. A hit then costs a
dictionary lookup instead of a round trip to SQLite or Cassandra. New results go to memory at
once and to the shared store by write-behind, in batches, so a miss pays for no storage write
either. The shared store still serves other instances and survives restarts.
"""

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

from api.model_serving.metrics import ServingMetrics
from api.model_serving.storage.interfaces import CacheKey, PredictionCache
from api.model_serving.write_behind import WriteBehind

logger = logging.getLogger(__name__)


class MemoryFrontedCache(PredictionCache):
    """Least-recently-used memory in front of ``backend``, bounded to ``max_items``."""

    def __init__(
        self,
        backend: PredictionCache,
        max_items: int,
        ttl_s: float,
        metrics: ServingMetrics,
        flush_delay_s: float = 0.05,
        max_pending: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self._max_items = max_items
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, str]] = OrderedDict()
        self._read_errors = metrics.storage_errors.labels("cache_read")
        self._writes: WriteBehind[tuple[CacheKey, str]] = WriteBehind(
            lambda items: backend.put_many(dict(items)),
            metrics,
            "cache",
            flush_delay_s,
            max_pending,
        )

    def _remember(self, key: CacheKey, payload: str, expires_at: float) -> None:
        self._entries[key] = (expires_at, payload)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_items:
            self._entries.popitem(last=False)

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        now = self._clock()
        found: dict[CacheKey, str] = {}
        missing: list[CacheKey] = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                found[key] = entry[1]
            else:
                missing.append(key)
        if missing:
            try:
                from_backend = await self.backend.get_many(missing)
            except Exception:
                # The hits found in memory still stand; only the rest is computed afresh.
                logger.warning("prediction cache read failed; serving without it", exc_info=True)
                self._read_errors.inc()
                return found
            # The backend does not say how long its entries have left; remember them for at
            # most a full TTL from now, which the backend's own expiry bounds in turn.
            for key, payload in from_backend.items():
                self._remember(key, payload, now + self._ttl_s)
            found.update(from_backend)
        return found

    async def put_many(self, entries: Mapping[CacheKey, str]) -> None:
        expires_at = self._clock() + self._ttl_s
        for key, payload in entries.items():
            self._remember(key, payload, expires_at)
            self._writes.submit((key, payload))

    async def flush(self) -> None:
        """Write what waits for the shared store now."""
        await self._writes.flush()

    async def close(self) -> None:
        await self._writes.close()
