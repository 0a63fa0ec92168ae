"""Write-behind for the call log: calls are recorded in batches, off the request path.

Each request only appends its record to a list; a flush, at most ``max_delay_s`` later, writes
everything pending in one storage call (one SQLite transaction, or concurrent Cassandra writes).
Reading the log flushes first, so a caller always sees its own calls. The pending list is
bounded: if storage stays down, the oldest records are dropped and counted, never piled up.
"""

import asyncio
import logging

from api.model_serving.metrics import ServingMetrics
from api.model_serving.storage.interfaces import CallLog, CallRecord

logger = logging.getLogger(__name__)


class CallLogWriter:
    def __init__(
        self,
        call_log: CallLog,
        metrics: ServingMetrics,
        max_delay_s: float = 0.05,
        max_pending: int = 10_000,
    ) -> None:
        self.call_log = call_log
        self._metrics = metrics
        self._max_delay_s = max_delay_s
        self._max_pending = max_pending
        self._pending: list[tuple[str, CallRecord]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    def submit(self, caller_id: str, record: CallRecord) -> None:
        """Queue a record; it is written within ``max_delay_s``."""
        self._pending.append((caller_id, record))
        overflow = len(self._pending) - self._max_pending
        if overflow > 0:
            del self._pending[:overflow]
            self._metrics.storage_errors.labels("call_log_dropped").inc(overflow)
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._max_delay_s, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Write everything pending now; failures are logged and counted, not raised."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                await self.call_log.append_many(batch)
            except Exception:
                logger.warning("call log write of %d records failed", len(batch), exc_info=True)
                self._metrics.storage_errors.labels("call_log_write").inc()

    async def close(self) -> None:
        """Flush what is pending (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush()
