"""A test double of the Twenty CRM server (v1.5 or v2.4 line) on a real local HTTP port.

    with TwentyServer(TwentyConfig(version="v2.4")) as twenty:
        httpx.get(f"{twenty.url}/rest/companies", headers={"Authorization": "Bearer test-key"})

It reproduces the behaviours recorded in contracts/twenty and contracts/twenty-next; see
`migration_pipeline_tests/test_twenty_contract.py`, which replays those recordings against it.
"""

from .config import TwentyConfig
from .server import TwentyServer

__all__ = ["TwentyConfig", "TwentyServer"]
