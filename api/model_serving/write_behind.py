"""Write-behind: storage writes batched off the request path.

A request only appends what it wants written to a list; at most ``max_delay_s`` later, one flush
writes everything pending with a single storage call (one SQLite transaction, or concurrent
Cassandra writes). The pending list is bounded: if storage stays down, the oldest items are
dropped and counted, never piled up. Failures are logged and counted, never raised to a request.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from api.model_serving.metrics import ServingMetrics

logger = logging.getLogger(__name__)

T = TypeVar("T")


class WriteBehind(Generic[T]):
    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[None]],
        metrics: ServingMetrics,
        name: str,
        max_delay_s: float = 0.05,
        max_pending: int = 10_000,
    ) -> None:
        self._write = write
        self._metrics = metrics
        self._name = name
        self._max_delay_s = max_delay_s
        self._max_pending = max_pending
        self._pending: list[T] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    def submit(self, item: T) -> None:
        """Queue an item; it is written within ``max_delay_s``. Call it on the event loop."""
        self._pending.append(item)
        overflow = len(self._pending) - self._max_pending
        if overflow > 0:
            del self._pending[:overflow]
            self._metrics.storage_errors.labels(f"{self._name}_dropped").inc(overflow)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._max_delay_s, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Write everything pending now."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                await self._write(batch)
            except Exception:
                logger.warning("%s write of %d items failed", self._name, len(batch), exc_info=True)
                self._metrics.storage_errors.labels(f"{self._name}_write").inc()

    async def close(self) -> None:
        """Flush what is pending (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush()
