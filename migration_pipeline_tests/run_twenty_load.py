"""Runs the whole Perfect Portal → Twenty asset graph in its own process, so a test can SIGKILL it.

Usage: python -m migration_pipeline_tests.run_twenty_load URL KEY EXPORT LEDGER_URL OUT_DIR
"""

import sys
from pathlib import Path

import dagster as dg

from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline_tests.conftest import MAPPING
from migration_pipeline.mapping.spec import load_spec
from migration_pipeline_tests.helpers import materialize_all


def main(url: str, key: str, export: str, ledger_url: str, out: str) -> int:
    spec = load_spec(MAPPING)
    destination = TwentyDestination(base_url=url, api_key=key, requests_per_minute=0, batch_size=60)
    with dg.instance_for_test() as instance:
        result = materialize_all(spec, Path(export), ledger_url, Path(out), None, instance, destination=destination)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
