"""A per-caller limit on model calls: at most N calls in any minute, answered 429 beyond it.

The caller is the one the call log records (``api/common/client_address.py``: an address that
cannot be forged with X-Forwarded-For). Each instance keeps the times of its callers' latest
calls in memory, the recent end of the call log, so that checking costs no storage read; with
several instances behind a balancer, each applies the limit to what it serves.
"""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class CallerRateLimit:
    """At most ``limit`` calls per caller in any ``window_s`` seconds (a sliding window)."""

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        max_callers: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window_s = window_s
        self._max_callers = max_callers
        self._clock = clock
        self._calls: OrderedDict[str, deque[float]] = OrderedDict()

    def admit(self, caller: str) -> int | None:
        """Count a call of ``caller`` and return None, or return how many whole seconds it must
        wait (``Retry-After``) if it has made ``limit`` calls in the window already."""
        now = self._clock()
        calls = self._calls.get(caller)
        if calls is None:
            calls = self._calls[caller] = deque()
            if len(self._calls) > self._max_callers:
                self._calls.popitem(last=False)  # the caller seen least recently
        else:
            self._calls.move_to_end(caller)
        while calls and calls[0] <= now - self._window_s:
            calls.popleft()
        if len(calls) >= self._limit:
            return max(1, math.ceil(calls[0] + self._window_s - now))
        calls.append(now)
        return None
