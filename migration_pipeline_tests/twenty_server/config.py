"""How a `TwentyServer` behaves: which recorded version it imitates and its limits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Literal

_V24_BATCH_CAP = 200
_V24_REST_LIMIT = (100, 60.0)


@dataclass
class TwentyConfig:
    version: Literal["v1.5", "v2.4"] = "v1.5"
    api_key: str = "test-key"  # the only accepted bearer token
    batch_max_records: int | None = None  # None: the version's own cap (none on v1.5, 200 on v2.4)
    rest_rate_limit: tuple[int, float] | None = None  # (tokens, window s); None: none on v1.5, (100, 60.0) on v2.4
    graphql_rate_limit: tuple[int, float] = (500, 100.0)  # per root field, answered as HTTP 200 + errors
    members: list[str] = field(default_factory=lambda: ["admin@example.com"])  # workspace member emails
    clock: Callable[[], float] = time.monotonic  # what the rate limits measure time with; tests may step it

    def batch_cap(self) -> int | None:
        if self.batch_max_records is not None:
            return self.batch_max_records
        return _V24_BATCH_CAP if self.version == "v2.4" else None

    def rest_limit(self) -> tuple[int, float] | None:
        if self.rest_rate_limit is not None:
            return self.rest_rate_limit
        return _V24_REST_LIMIT if self.version == "v2.4" else None
