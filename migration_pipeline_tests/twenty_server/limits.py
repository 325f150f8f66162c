"""Rate limits and injected failures.

v2.4 throttles record-API calls per workspace with a token bucket whose refill is
`floor(elapsed × capacity / window)` where `elapsed` runs from the last *accepted* call: a client
calling faster than window/capacity apart never earns a token back. v1.5 throttles GraphQL only,
per root field, in fixed windows. `FailureInjector` lets tests simulate a flaky proxy.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable


class TokenBucket:
    def __init__(self, capacity: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.capacity, self.window, self.clock = capacity, window, clock
        self.tokens = capacity
        self.last = clock()
        self._lock = threading.Lock()

    def try_take(self) -> bool:
        with self._lock:
            now = self.clock()
            refill = math.floor((now - self.last) * self.capacity / self.window)
            tokens = min(self.capacity, self.tokens + refill)
            if tokens < 1:
                return False
            self.tokens, self.last = tokens - 1, now
            return True

    @property
    def message(self) -> str:
        return f"Limit reached ({self.capacity} tokens per {round(self.window * 1000)} ms)"


class SteppedClock:
    """A clock that moves only when a test steps it, so limit tests do not depend on machine speed."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def step(self, seconds: float) -> None:
        self.now += seconds


class FieldLimiter:
    """At most `limit` calls per root field within each `window` seconds (Twenty's GraphQL throttler)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def allow(self, field: str) -> bool:
        with self._lock:
            now = self.clock()
            start, count = self._windows.get(field, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._windows[field] = (start, count + 1)
            return count < self.limit


@dataclass
class InjectedFailure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class FailureInjector:
    """Answers the next N record requests with a given status before the server handles them."""

    def __init__(self) -> None:
        self._queue: list[InjectedFailure] = []
        self._lock = threading.Lock()

    def add(self, status: int, times: int, body: dict[str, Any] | None, retry_after: str | None, reason: str) -> None:
        payload = body if body is not None else {"statusCode": status, "error": reason, "messages": [reason]}
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        with self._lock:
            self._queue += [InjectedFailure(status, payload, headers) for _ in range(times)]

    def take(self) -> InjectedFailure | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None
