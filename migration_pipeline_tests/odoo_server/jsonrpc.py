"""JSON-RPC at /jsonrpc: `{"jsonrpc": "2.0", "method": "call", "params": {service, method, args}}`.

Always HTTP 200. A result is `{"jsonrpc", "id", "result"}`; any exception is
`{"jsonrpc", "id", "error": {"code": 0, "message": "Odoo Server Error", "data": {name, message,
arguments, context, debug}}}` with the exception's qualified name in `data.name`.
"""

from __future__ import annotations

import json
from typing import Any

from . import errors
from .service import Odoo

CONTENT_TYPE = "application/json; charset=utf-8"


def handle(odoo: Odoo, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    request: Any = {}
    try:
        try:
            request = json.loads(raw or b"null")
        except ValueError as exc:
            raise errors.BadRequest(f"Invalid JSON data: {exc.args[0]}") from None
        if not isinstance(request, dict):
            raise errors.BadRequest("Invalid JSON-RPC data: expected an object")
        params = request.get("params") or {}
        service, method, args = params.get("service"), params.get("method"), params.get("args") or []
        if service == "common":
            result = odoo.common(method, list(args))
        elif service == "object":
            result = odoo.object(method, list(args))
        else:
            raise NameError(f"Service {service!r} is not available on this server")
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request.get("id"), "result": result}
    except Exception as exc:  # noqa: BLE001 - every failure is an error envelope
        body = {"jsonrpc": "2.0", "id": request.get("id") if isinstance(request, dict) else None,
                "error": {"code": 0, "message": "Odoo Server Error", "data": errors.serialize(exc)}}
    return 200, {"Content-Type": CONTENT_TYPE}, json.dumps(body).encode()


def describe(raw: bytes) -> str:
    try:
        params = json.loads(raw).get("params") or {}
        args = params.get("args") or []
        if params.get("service") == "object" and len(args) > 4:
            return f"jsonrpc {args[3]}.{args[4]}"
        return f"jsonrpc {params.get('service')}.{params.get('method')}"
    except Exception:  # noqa: BLE001
        return "jsonrpc ?"
