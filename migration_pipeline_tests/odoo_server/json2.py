"""JSON-2 (Odoo 19.0 only): `POST /json/2/<model>/<method>` and `GET /json/version`.

Authentication is a bearer API key (`Authorization: bearer <key>`); a missing header, a wrong key
or the user's password are all 401 with `WWW-Authenticate: Bearer`. `X-Odoo-Database` may be left
out (the server holds one database); a different database name is 404. The body holds the
method's named parameters plus optional `ids` and `context`. A success is the bare JSON result; an
error is `{name, message, arguments, context, debug}` with the status of the exception: 401, 403
AccessError, 404 MissingError / unknown model or method / anything but POST, 422 ValidationError
and bad arguments, 400 a body that is not JSON, 500 everything else.
"""

from __future__ import annotations

import json
from typing import Any

from . import errors
from .service import Odoo

CONTENT_TYPE = "application/json; charset=utf-8"
_NOT_FOUND_HTML = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                   b"<p>The requested URL was not found on the server. If you entered the URL manually please "
                   b"check your spelling and try again.</p>\n")


def handle(odoo: Odoo, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    if odoo.config.major() < 19:  # JSON-2 arrived with 19.0
        return 404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND_HTML
    if path == "/json/version" and method == "GET":
        version = {"version_info": odoo.config.version_info(), "version": odoo.config.version}
        return 200, {"Content-Type": CONTENT_TYPE}, json.dumps(version).encode()
    try:
        result = _call(odoo, method, path, headers, raw)
        return 200, {"Content-Type": CONTENT_TYPE}, json.dumps(result).encode()
    except Exception as exc:  # noqa: BLE001 - every failure is a JSON error body
        extra = exc.headers if isinstance(exc, errors.HTTPException) else {}
        return errors.http_status(exc), {"Content-Type": CONTENT_TYPE, **extra}, \
            json.dumps(errors.serialize(exc)).encode()


def _call(odoo: Odoo, method: str, path: str, headers: Any, raw: bytes) -> Any:
    parts = path.split("/")
    if method != "POST" or len(parts) != 5 or parts[:3] != ["", "json", "2"] or not parts[3] or not parts[4]:
        raise errors.NotFound("Did you mean POST /json/2/<model>/<method>?")
    uid = _authenticate(odoo, headers)
    database = headers.get("X-Odoo-Database")
    if database and database != odoo.config.database:
        raise errors.NotFound(f"database {database!r} not found")
    params: Any = {}
    if raw:
        try:
            params = json.loads(raw)
        except ValueError as exc:
            raise errors.BadRequest(f"could not parse the body as json: {exc.args[0]}") from None
        if not isinstance(params, dict):
            raise errors.BadRequest("could not parse the body, expecting a json object")
    params = dict(params)
    ids, context = params.pop("ids", ()), params.pop("context", {})
    return odoo.json2(uid, parts[3], parts[4], ids, context, params)


def _authenticate(odoo: Odoo, headers: Any) -> int:
    challenge = {"WWW-Authenticate": "Bearer "}
    header = headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("User not authenticated, use an API Key with a Bearer Authorization header.",
                                  challenge)
    with odoo.db.lock:
        for user in odoo.db.rows("res.users").values():
            if user.get("active") and user.get("_api_key") and user["_api_key"] == token.strip():
                return user["id"]
    raise errors.Unauthorized("Invalid apikey", challenge)


def describe(method: str, path: str) -> str:
    parts = path.split("/")
    if path == "/json/version":
        return "json2 version"
    return f"json2 {parts[3]}.{parts[4]}" if len(parts) == 5 and method == "POST" else f"json2 {method} {path}"
