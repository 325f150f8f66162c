"""The HTTP side: a ThreadingHTTPServer on 127.0.0.1, routing, injected failures, rate limit, log.

Per request: injected failures first (a flaky proxy in front), then the optional rate limit, then
the protocol handler, which takes the database lock for the call itself. Nothing is printed;
`request_log()` records every exchange instead.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlsplit

from migration_pipeline_tests.local_server import LocalServer, ReplyHandler

from . import json2, jsonrpc, xmlrpc
from .config import OdooConfig
from .limits import FailureInjector, RateLimiter
from .service import Odoo

Reply = tuple[int, dict[str, str], bytes]
_HTML = "text/html; charset=utf-8"
_PHRASES = {404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class OdooServer(LocalServer):
    thread_name = "odoo-double"

    def __init__(self, config: OdooConfig | None = None):
        super().__init__()
        self.config = config or OdooConfig()
        self.odoo = Odoo(self.config)
        self._failures = FailureInjector()
        self._limiter = RateLimiter(*self.config.rate_limit) if self.config.rate_limit else None
        self._log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()

    # ---- lifecycle -----------------------------------------------------------------------------
    # ---- inspection helpers for tests ----------------------------------------------------------
    def records(self, model: str, include_fields: list[str] | None = None) -> list[dict[str, Any]]:
        """Current rows of a model in id order, as raw Python values (many2one: id or None)."""
        odoo = self.odoo
        with odoo.db.lock:
            env = odoo.env(2)
            fields = env.fields(model)
            out = []
            for rid in sorted(odoo.db.rows(model)):
                row = odoo.db.rows(model)[rid]
                names = include_fields or ["display_name"] + [n for n in row if not n.startswith("_")]
                if model == "res.users" and not include_fields:
                    names += ["name", "email"]
                record = {"id": rid}
                for name in names:
                    if name not in fields:
                        raise KeyError(f"{model} has no field {name!r}")
                    value = env.value(model, row, name)
                    record[name] = list(value) if isinstance(value, tuple) else value
                out.append(record)
            return out

    def xmlids(self, module: str | None = None) -> list[dict[str, Any]]:
        with self.odoo.db.lock:
            rows = sorted(self.odoo.db.rows("ir.model.data").values(), key=lambda r: r["id"])
            return [{"module": r["module"], "name": r["name"], "model": r["model"], "res_id": r["res_id"]}
                    for r in rows if module is None or r["module"] == module]

    def request_log(self) -> list[tuple[str, str, int]]:
        """(call, path, HTTP status) per request: "json2 res.partner.create", "xmlrpc common.version"."""
        with self._log_lock:
            return list(self._log)

    def fail_next(self, n: int, status: int = 503) -> None:
        """The next `n` requests are answered with `status` before reaching the server."""
        self._failures.add(n, status)

    # ---- request handling ----------------------------------------------------------------------
    def respond(self, method: str, target: str, headers: Any, raw: bytes) -> Reply:
        path = urlsplit(target).path
        label = _describe(method, path, raw)
        reply = self._respond(method, path, headers, raw)
        with self._log_lock:
            self._log.append((label, path, reply[0]))
        return reply

    def _respond(self, method: str, path: str, headers: Any, raw: bytes) -> Reply:
        failure = self._failures.take()
        if failure is not None:
            return _plain(failure)
        if self.config.call_latency_seconds:
            time.sleep(self.config.call_latency_seconds)
        if self._limiter is not None:
            wait = self._limiter.admit()
            if wait is not None:
                status, headers_out, body = _plain(429)
                return status, {**headers_out, "Retry-After": str(wait)}, body
        try:
            if path.startswith("/xmlrpc/2/"):
                if method != "POST":
                    return _plain(405)
                return xmlrpc.handle(self.odoo, path[len("/xmlrpc/2/"):], raw)
            if path == "/jsonrpc":
                return jsonrpc.handle(self.odoo, raw) if method == "POST" else _plain(405)
            if path == "/json/version" or path == "/json/2" or path.startswith("/json/2/"):
                return json2.handle(self.odoo, method, path, headers, raw)
            return _plain(404)
        except Exception:  # noqa: BLE001 - a bug in the double: answer it rather than drop the connection
            return _plain(500)


def _describe(method: str, path: str, raw: bytes) -> str:
    if path.startswith("/xmlrpc/2/"):
        return xmlrpc.describe(path[len("/xmlrpc/2/"):], raw)
    if path == "/jsonrpc":
        return jsonrpc.describe(raw)
    if path.startswith("/json/"):
        return json2.describe(method, path)
    return f"http {method} {path}"


def _plain(status: int) -> Reply:
    phrase = _PHRASES.get(status, "Error")
    body = f"<html><head><title>{status} {phrase}</title></head><body><h1>{status} {phrase}</h1></body></html>"
    return status, {"Content-Type": _HTML}, body.encode()


class _Handler(ReplyHandler):
    server_version = "Werkzeug/2.2.2"
    sys_version = "Python/3.11"


OdooServer.handler = _Handler
