"""Getting a stored message's features into the feature store: at once, or later but surely.

``deliver`` tries once, during the request. If the model API or the feature server fails, the
message goes to the outbox and the request still succeeds: the message is safe in the inbox, and
a background task retries its features with exponential backoff (1 s, 2 s, 4 s... up to
``RETRY_MAX_SECONDS``) until they are pushed, across restarts of the service.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from api.inbox.downstream import Downstream, DownstreamError
from api.inbox.settings import InboxSettings
from api.inbox.storage.outbox import Outbox, PendingPush

logger = logging.getLogger(__name__)

# How many waiting messages one pass of the retry task takes on.
_BATCH = 100


class FeatureDelivery:
    def __init__(
        self,
        downstream: Downstream,
        outbox: Outbox,
        settings: InboxSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._downstream = downstream
        self._outbox = outbox
        self._first_s = settings.retry_first_seconds
        self._max_s = settings.retry_max_seconds
        self._clock = clock
        self._wake = asyncio.Event()

    async def deliver(self, item: PendingPush) -> bool:
        """Push ``item``'s features; True if they are in, False if they wait in the outbox."""
        try:
            await self._push(item)
            return True
        except DownstreamError as error:
            logger.warning("features of %s queued: %s", item.sms_id, error)
            await self._outbox.put(item, self._clock() + self._first_s, str(error))
            self._wake.set()
            return False

    async def drain_once(self) -> int:
        """Retry every message that is due; return how many were pushed."""
        pushed = 0
        for item in await self._outbox.due(self._clock(), _BATCH):
            try:
                await self._push(item)
            except DownstreamError as error:
                attempts = item.attempts + 1
                delay = min(self._max_s, self._first_s * 2**attempts)
                retry = PendingPush(
                    item.sms_id, item.user_id, item.sms_text, item.date_sent, attempts
                )
                await self._outbox.put(retry, self._clock() + delay, str(error))
                logger.info(
                    "features of %s: attempt %d failed, next in %.0f s",
                    item.sms_id,
                    attempts,
                    delay,
                )
            else:
                await self._outbox.delete(item.sms_id)
                pushed += 1
        if pushed:
            logger.info("pushed the features of %d queued messages", pushed)
        return pushed

    async def run(self) -> None:
        """The retry task: drain what is due, then sleep until the next item is due or a new
        one is queued. Runs until cancelled."""
        while True:
            # Cleared before the pass, so that an item queued during it wakes the next wait.
            self._wake.clear()
            try:
                await self.drain_once()
                next_at = await self._outbox.next_attempt_at()
            except Exception:
                logger.exception("the outbox retry pass failed")
                next_at = self._clock() + self._first_s
            timeout = None if next_at is None else max(0.0, next_at - self._clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _push(self, item: PendingPush) -> None:
        features = await self._downstream.features(item.sms_text)
        await self._downstream.push(item.sms_id, features, item.date_sent)
