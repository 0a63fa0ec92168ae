"""Write-behind: storage writes batched off the request path.

A request only appends what it wants written to a list; at most ``max_delay_s`` later, one flush
writes everything pending with a single storage call (one SQLite transaction, or concurrent
Cassandra writes). A batch whose write fails goes back to the front of the list and is tried
again, after a delay that doubles up to ``max_retry_delay_s``, so a short storage outage loses
nothing. The list is bounded: if storage stays down long enough to fill it, the oldest items are
dropped and counted (``{name}_dropped``), never piled up. Failures are logged and counted, never
raised to a request.
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
        max_pending: int = 100_000,
        max_retry_delay_s: float = 5.0,
    ) -> None:
        self._write = write
        self._name = name
        self._max_delay_s = max_delay_s
        self._max_pending = max_pending
        self._max_retry_delay_s = max_retry_delay_s
        self._pending: list[T] = []
        self._failures = 0  # consecutive failed writes: they set the delay of the next attempt
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._dropped = metrics.storage_errors.labels(f"{name}_dropped")
        self._failed = metrics.storage_errors.labels(f"{name}_write")
        self._pending_gauge = metrics.write_behind_pending.labels(name)
        self._written = metrics.write_behind_written.labels(name)
        self._write_time = metrics.write_behind_seconds.labels(name)

    @property
    def pending(self) -> int:
        """How many items wait to be written."""
        return len(self._pending)

    def submit(self, item: T) -> None:
        """Queue an item; it is written within ``max_delay_s`` while storage answers. Call it on
        the event loop."""
        self._pending.append(item)
        self._trim()
        if self._timer is None:
            self._schedule(self._max_delay_s)

    def _trim(self) -> None:
        overflow = len(self._pending) - self._max_pending
        if overflow > 0:
            del self._pending[:overflow]
            self._dropped.inc(overflow)
        self._pending_gauge.set(len(self._pending))

    def _schedule(self, delay_s: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay_s, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Write everything pending now; on failure, keep it for the next attempt."""
        async with self._lock:
            batch, self._pending = self._pending, []
            self._pending_gauge.set(len(self._pending))
            if not batch:
                return
            try:
                with self._write_time.time():
                    await self._write(batch)
            except Exception:
                self._failures += 1
                retry_s = min(self._max_retry_delay_s, self._max_delay_s * 2**self._failures)
                logger.warning(
                    "%s write of %d items failed; next attempt in %.2f s",
                    self._name,
                    len(batch),
                    retry_s,
                    exc_info=True,
                )
                self._failed.inc()
                self._pending = batch + self._pending
                self._trim()
                self._schedule(retry_s)
            else:
                self._failures = 0
                self._written.inc(len(batch))

    async def close(self) -> None:
        """Flush what is pending (at shutdown); what storage still refuses is counted as dropped."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            logger.error(
                "%s: %d items could not be written before shutdown", self._name, self.pending
            )
            self._dropped.inc(len(self._pending))
            self._pending = []
            self._pending_gauge.set(0)
