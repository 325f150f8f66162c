"""XML-RPC at /xmlrpc/2/common and /xmlrpc/2/object, as Odoo 19 answers it.

Always HTTP 200 with `text/xml; charset=utf-8`, faults included. Results are marshalled without
`allow_none` (there is never a None: empty values are False) and with the header Odoo writes
(`<?xml version="1.0"?>`). Marshalling happens inside the error handling, so a result XML-RPC
cannot carry becomes a fault 1 with Python's traceback — which is what `get_external_id`
(a dict keyed by integer ids) does on the real server.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from . import errors
from .service import Odoo

CONTENT_TYPE = "text/xml; charset=utf-8"


def handle(odoo: Odoo, service: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    try:
        params, method = xmlrpc.client.loads(raw, use_builtin_types=True)
        if service == "common":
            result = odoo.common(method or "", list(params))
        elif service == "object":
            result = odoo.object(method or "", list(params))
        else:
            raise NameError(f"Service {service!r} is not available on this server")
        body = _dumps((result,))
    except Exception as exc:  # noqa: BLE001 - every failure is a fault, as on Odoo
        body = _dumps(xmlrpc.client.Fault(errors.fault_code(exc), errors.fault_string(exc)))
    return 200, {"Content-Type": CONTENT_TYPE}, body.encode()


def _dumps(params: Any) -> str:
    marshalled = xmlrpc.client.Marshaller("utf-8", allow_none=False).dumps(params)
    return f'<?xml version="1.0"?>\n<methodResponse>\n{marshalled}\n</methodResponse>\n'


def describe(service: str, raw: bytes) -> str:
    """"xmlrpc res.partner.create" / "xmlrpc common.version", for the request log."""
    try:
        params, method = xmlrpc.client.loads(raw, use_builtin_types=True)
    except Exception:  # noqa: BLE001
        return f"xmlrpc {service}.?"
    if service == "object" and method in ("execute_kw", "execute") and len(params) > 4:
        return f"xmlrpc {params[3]}.{params[4]}"
    return f"xmlrpc {service}.{method}"
