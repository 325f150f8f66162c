"""One HTTP policy for every destination: pacing, retries, typed errors.

- Pacing spreads calls evenly at the configured ceiling instead of bursting: Twenty v2.x's
  token bucket refills only while calls are at least 60 s / limit apart, so a burst drains it for
  good; a steady pace never meets a 429.
- Retries on 408, 429 and 5xx (and connection failures) with `Retry-After` honoured up to a cap,
  otherwise exponential backoff with jitter, for a bounded number of attempts (tenacity).
- Every failure is typed: `ConfigError` stops the run (bad key, unknown field, missing route),
  `DataError` quarantines the record (validation, duplicate, a relation id that points nowhere —
  a 500 on Twenty, never worth retrying), `TransientError` is retried.
- GraphQL answers its rate limit as HTTP 200 with "Too many requests.": treated as a 429.
Error messages carry the server's text and the path, never headers, so no key can leak.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from migration_pipeline.destinations.base import FailureKind

_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
# A 500 whose text says a relation id points nowhere is the record's fault, not the server's.
_DATA_ERROR_MARKERS = ("foreign key", "data validation error", "invalid input syntax for type uuid", "violates")
_CONFIG_MARKERS = ("field metadata for field", "doesn't have any", "is not a valid object", "object metadata")


class DestinationError(Exception):
    kind: FailureKind = "transient"

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ConfigError(DestinationError):
    kind: FailureKind = "config"


class DataError(DestinationError):
    kind: FailureKind = "data"


class TransientError(DestinationError):
    kind: FailureKind = "transient"


@dataclass(frozen=True)
class HttpPolicy:
    requests_per_minute: float = 100.0
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    retry_after_cap_seconds: float = 120.0
    pacing_margin: float = 0.01  # a little slower than the ceiling, so clock jitter never overdraws


class Pacer:
    """Lets one call through every `60 / requests_per_minute` seconds, evenly."""

    def __init__(self, requests_per_minute: float, margin: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.interval = 60.0 / requests_per_minute * (1 + margin) if requests_per_minute > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict):
        if body.get("errors"):
            return "; ".join(str(e.get("message", e)) for e in body["errors"])
        messages = body.get("messages") or body.get("message") or body.get("error")
        if isinstance(messages, list):
            return "; ".join(str(m) for m in messages)
        if messages:
            return str(messages)
    return response.text[:500]


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def classify(response: httpx.Response) -> DestinationError | None:
    """None for a success; otherwise the typed error the response stands for."""
    status = response.status_code
    where = f"{response.request.method} {response.request.url.path}"
    if 200 <= status < 300:
        text = _message(response) if "errors" in response.text[:200] else ""
        if "too many requests" in text.lower():
            return TransientError(f"{where}: rate limited ({text})", 429)
        return None
    text = _message(response)
    lowered = text.lower()
    if status == 500 and any(marker in lowered for marker in _DATA_ERROR_MARKERS):
        return DataError(f"{where}: {text}", status)
    if status in _TRANSIENT_STATUS:
        return TransientError(f"{where}: HTTP {status}: {text}", status, retry_after(response))
    if status in (401, 403):
        return ConfigError(f"{where}: the destination refused the credentials (HTTP {status}: {text}); check the API key", status)
    if status == 400 and any(marker in lowered for marker in _CONFIG_MARKERS):
        return ConfigError(f"{where}: {text} — the destination's schema does not match the mapping; run the schema step", status)
    if status in (400, 404, 409, 422):
        return DataError(f"{where}: {text}", status)
    return ConfigError(f"{where}: HTTP {status}: {text}", status)


Classifier = Callable[[httpx.Response], "DestinationError | None"]


class HttpClient:
    """An httpx client bound to one destination, its key and the shared policy. A destination whose
    errors read differently (Odoo) brings its own classifier."""

    def __init__(self, base_url: str, headers: dict[str, str], policy: HttpPolicy, transport: httpx.BaseTransport | None = None,
                 classifier: Classifier = classify):
        self.policy = policy
        self.pacer = Pacer(policy.requests_per_minute, policy.pacing_margin)
        self._classify = classifier
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=policy.timeout_seconds, transport=transport)

    def close(self) -> None:
        self._client.close()

    def _wait(self, retry_state: Any) -> float:
        error = retry_state.outcome.exception()
        if isinstance(error, DestinationError) and error.retry_after is not None:
            return min(error.retry_after, self.policy.retry_after_cap_seconds)
        backoff = wait_exponential_jitter(initial=self.policy.backoff_initial_seconds, max=self.policy.backoff_max_seconds)
        return backoff(retry_state)

    def request(self, method: str, path: str, *, paced: bool = True, raw: bool = False, **kwargs: Any) -> Any:
        """Send with retries (and pacing unless the call does not count against the limit);
        return the parsed JSON body (the body's bytes when `raw`) or raise a typed error."""
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            reraise=True,
        )
        return retrying(self._once, method, path, paced, raw, **kwargs)

    def _once(self, method: str, path: str, paced: bool, raw: bool, **kwargs: Any) -> Any:
        if paced:
            self.pacer.wait()
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise TransientError(f"{method} {path}: {type(error).__name__}: {error}") from None
        failure = self._classify(response)
        if failure is not None:
            raise failure
        if raw:
            return response.content
        return response.json() if response.content else None
