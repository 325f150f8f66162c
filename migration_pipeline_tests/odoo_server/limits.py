"""Things real Odoo does not do, for exercising a client's retry policy.

- `FailureInjector`: the next N requests get a given HTTP status, as if a flaky proxy stood in
  front of the server (nothing reaches Odoo, nothing is written).
- `RateLimiter`: at most `requests` accepted requests per sliding `window` seconds; beyond, HTTP
  429 with `Retry-After` (whole seconds until a slot frees). The recorded server had no limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable


class FailureInjector:
    def __init__(self) -> None:
        self._queue: deque[int] = deque()
        self._lock = threading.Lock()

    def add(self, times: int, status: int) -> None:
        with self._lock:
            self._queue.extend([status] * times)

    def take(self) -> int | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None


class RateLimiter:
    def __init__(self, requests: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.requests, self.window, self.clock = requests, window, clock
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        """None if the request may pass, else the seconds to wait (for Retry-After)."""
        with self._lock:
            now = self.clock()
            while self._accepted and now - self._accepted[0] >= self.window:
                self._accepted.popleft()
            if len(self._accepted) < self.requests:
                self._accepted.append(now)
                return None
            return max(1, math.ceil(self._accepted[0] + self.window - now))
