"""A test double of an Odoo 19 server (CRM installed) on a real local HTTP port.

    server = OdooServer(OdooConfig(version="19.0")).start()
    xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object").execute_kw(...)
    server.stop()

It speaks XML-RPC (/xmlrpc/2/common, /xmlrpc/2/object), JSON-RPC (/jsonrpc) and, on 19.0,
JSON-2 (/json/2/<model>/<method>, GET /json/version), and reproduces the behaviours recorded in
contracts/odoo; `migration_pipeline_tests/test_odoo_contract.py` replays those recordings
against it. It is the only stand-in for a real Odoo in the test suite.
"""

from .config import OdooConfig, OdooUser
from .server import OdooServer

__all__ = ["OdooConfig", "OdooServer", "OdooUser"]
