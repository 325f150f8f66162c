"""Benchmark (a script, not a test): res.partner records into the Odoo test server, same run,
batched `load()` calls of the destination against a naive one-`create`-per-call loader.

The test server answers in microseconds; a real Odoo spends a fixed time on every request
(routing, transaction, ORM caches): measured on Odoo 19, one create per call ran at 35/s, so
about 28 ms a call. `--latency` adds that cost per request (0 measures this machine only).
Usage: python benchmarks/odoo_load.py [--records 3000] [--batch 100] [--latency 0.028] [--version 19.0]
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
from migration_pipeline.destinations.odoo import QUIET, OdooDestination  # noqa: E402
from migration_pipeline_tests.odoo_server import OdooConfig, OdooServer  # noqa: E402

KEY = "bench-key"


def partners(count: int, run: str) -> list[dict]:
    return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{i}")), "name": f"Partner {run} {i}",
             "email": f"partner{i}@{run}.example", "is_company": "false"} for i in range(count)]


def batched(destination: OdooDestination, records: list[dict]) -> None:
    context = WriteContext("bench", "bench", "partners", "res.partner", 1, ())
    for start in range(0, len(records), destination.batch_size):
        outcomes = destination.write(context, "create", records[start : start + destination.batch_size])
        assert all(o.ok for o in outcomes)


def one_per_call(destination: OdooDestination, records: list[dict]) -> None:
    for record in records:
        values = {k: v for k, v in record.items() if k != "id"}
        destination.rpc.call("res.partner", "create", vals_list=[{**values, "is_company": False}], context=QUIET)


def timed(function, destination: OdooDestination, records: list[dict]) -> float:
    started = time.perf_counter()
    function(destination, records)
    return len(records) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--version", default="19.0")
    parser.add_argument("--latency", type=float, default=0.028, help="seconds the server spends per request")
    args = parser.parse_args()
    server = OdooServer(OdooConfig(version=args.version, api_key=KEY, call_latency_seconds=args.latency)).start()
    try:
        destination = OdooDestination(url=server.url, database=server.config.database, api_key=KEY,
                                      requests_per_minute=0, batch_size=args.batch)
        naive = timed(one_per_call, destination, partners(args.records, "naive"))
        fast = timed(batched, destination, partners(args.records, "batched"))
    finally:
        server.stop()
    print(f"Odoo {args.version} test server ({args.latency * 1000:g} ms per request), {args.records:,} res.partner records, "
          "unthrottled:")
    print(f"  one create per call : {naive:10,.0f} records/s")
    print(f"  load() batches of {args.batch:<3}: {fast:10,.0f} records/s  ({fast / naive:.1f}× one per call)")


if __name__ == "__main__":
    main()
