"""Benchmark (a script, not a test): loading 10k records into the Twenty test server.

(a) Paced against the v2.x REST limit (100 calls per window; the window is shrunk from 60 s so the
    run takes minutes): achieved records/min against the ceiling (calls allowed × batch size), and
    the 429s seen after the first window.
(b) Unthrottled: the batched loader against a naive one-record-per-request loader, same run.
Usage: python benchmarks/twenty_load.py [--records 10000] [--window 6]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migration_pipeline.destinations.base import WriteContext  # noqa: E402
from migration_pipeline.destinations.twenty import TwentyDestination  # noqa: E402
from migration_pipeline_tests.twenty_server import TwentyConfig, TwentyServer  # noqa: E402

KEY = "bench-key"


def companies(count: int, run: str) -> list[dict]:
    return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{i}")), "name": f"Company {i}",
             "domainName": {"primaryLinkUrl": f"https://company-{run}-{i}.example"}} for i in range(count)]


def batched(destination: TwentyDestination, records: list[dict]) -> None:
    context = WriteContext("bench", "bench", "companies", "companies", 1, ())
    size = destination.batch_size
    for start in range(0, len(records), size):
        outcomes = destination.write(context, "create", records[start : start + size])
        assert all(o.ok for o in outcomes)


def naive(destination: TwentyDestination, records: list[dict]) -> None:
    for record in records:
        destination.http.request("POST", "/rest/companies", json=record)


def paced(records: int, window: float, batch_size: int) -> None:
    calls = 100
    config = TwentyConfig(version="v2.4", api_key=KEY, rest_rate_limit=(calls, window))
    with TwentyServer(config) as server:
        per_minute = calls * 60.0 / window
        destination = TwentyDestination(base_url=server.url, api_key=KEY, requests_per_minute=per_minute, batch_size=batch_size)
        started = time.monotonic()
        batched(destination, companies(records, "paced"))
        elapsed = time.monotonic() - started
        log = server.request_log()
    first_window_end = log[0][3] + window if log else 0
    late_429 = sum(1 for _, _, status, at in log if status == 429 and at > first_window_end)
    achieved = records / elapsed * 60
    ceiling = per_minute * batch_size
    print(f"(a) paced, v2.4 limit {calls} calls / {window:g} s, batches of {batch_size}: {records:,} records in {elapsed:.1f} s")
    print(f"    {achieved:,.0f} records/min against a ceiling of {ceiling:,.0f} ({achieved / ceiling:.0%}); "
          f"429s after the first window: {late_429}; requests: {len(log)}")


def unthrottled(records: int) -> None:
    config = TwentyConfig(version="v2.4", api_key=KEY, rest_rate_limit=(10**9, 60.0))  # None means the default limit
    with TwentyServer(config) as server:
        destination = TwentyDestination(base_url=server.url, api_key=KEY, requests_per_minute=0, batch_size=200)
        started = time.monotonic()
        batched(destination, companies(records, "batched"))
        fast = time.monotonic() - started
        started = time.monotonic()
        naive(destination, companies(records, "naive"))
        slow = time.monotonic() - started
    print(f"(b) unthrottled: batched {records / fast:,.0f} records/s, one per request {records / slow:,.0f} records/s "
          f"→ {slow / fast:.1f}× faster batched")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=6.0, help="the rate-limit window in seconds (60 on a real server)")
    parser.add_argument("--batch-size", type=int, default=60, help="records per batch call (v2.x accepts up to 200)")
    args = parser.parse_args()
    paced(args.records, args.window, args.batch_size)
    unthrottled(args.records)


if __name__ == "__main__":
    main()
