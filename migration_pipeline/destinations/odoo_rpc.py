"""Calling Odoo's model methods over the protocol the server speaks.

Odoo 19 has JSON-2 (`POST /json/2/<model>/<method>`, a bearer API key, named arguments, bare
results, errors as HTTP statuses); Odoo 17 and 18 only have XML-RPC (`execute_kw`, the API key as
the password, always HTTP 200 with faults). Both sit behind `OdooRpc.call(model, method, ids,
**named)`, and both turn Odoo's errors into the shared typed errors:
- config (the run stops): a refused key, no access right, an unknown model, method or field;
- data (the record is quarantined): validation, a missing related record, a bad selection value;
- transient (retried by the HTTP policy): 408/429/5xx from a proxy in front of Odoo.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import httpx

from migration_pipeline.destinations.http import (
    ConfigError,
    DataError,
    DestinationError,
    HttpClient,
    HttpPolicy,
    TransientError,
    retry_after,
)

_CONFIG_NAMES = ("AccessError", "AccessDenied", "NotFound", "AttributeError")
_CONFIG_TEXT = ("invalid field", "doesn't exist", "unknown field")


def _kind_of(name: str, message: str) -> type[DestinationError]:
    lowered = message.lower()
    if any(n in name for n in _CONFIG_NAMES) or any(text in lowered for text in _CONFIG_TEXT):
        return ConfigError
    return DataError


def classify_json2(response: httpx.Response) -> DestinationError | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    where = f"{response.request.method} {response.request.url.path}"
    if status in (408, 425, 429, 502, 503, 504) or (status == 500 and "json" not in response.headers.get("content-type", "")):
        return TransientError(f"{where}: HTTP {status}", status, retry_after(response))
    try:
        body = response.json()
    except ValueError:
        body = {}
    name, message = str(body.get("name", "")), str(body.get("message", response.text[:300]))
    if status == 401:
        return ConfigError(f"{where}: Odoo refused the API key (HTTP 401: {message}); check ODOO_API_KEY", status)
    if status == 404 and "MissingError" in name:
        return DataError(f"{where}: {message}", status)
    return _kind_of(name, message)(f"{where}: {name or 'HTTP ' + str(status)}: {message}", status)


def classify_xmlrpc(response: httpx.Response) -> DestinationError | None:
    """XML-RPC answers 200 even for faults (read from the body); other statuses come from a proxy."""
    if response.status_code == 200:
        return None
    where = f"{response.request.method} {response.request.url.path}"
    if response.status_code in (408, 425, 429) or response.status_code >= 500:
        return TransientError(f"{where}: HTTP {response.status_code}", response.status_code, retry_after(response))
    return ConfigError(f"{where}: HTTP {response.status_code}", response.status_code)


class OdooRpc:
    """One Odoo database, reached with an API key."""

    def call(self, model: str, method: str, ids: list[int] | None = None, **named: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class Json2Rpc(OdooRpc):
    def __init__(self, url: str, database: str, api_key: str, policy: HttpPolicy):
        headers = {"Authorization": f"bearer {api_key}", "X-Odoo-Database": database}
        self.http = HttpClient(url, headers, policy, classifier=classify_json2)

    def call(self, model: str, method: str, ids: list[int] | None = None, **named: Any) -> Any:
        body = {**({"ids": ids} if ids is not None else {}), **named}
        return self.http.request("POST", f"/json/2/{model}/{method}", json=body)

    def close(self) -> None:
        self.http.close()


class XmlRpc(OdooRpc):
    """`execute_kw` with the record ids first and everything else as keyword arguments."""

    def __init__(self, url: str, database: str, login: str, api_key: str, policy: HttpPolicy):
        self.http = HttpClient(url, {"Content-Type": "text/xml"}, policy, classifier=classify_xmlrpc)
        self.database, self._key = database, api_key
        uid = self._send("/xmlrpc/2/common", "authenticate", (database, login, api_key, {}))
        if not uid:
            raise ConfigError(f"Odoo refused login {login!r} with the API key on database {database!r}; "
                              "check ODOO_LOGIN and ODOO_API_KEY")
        self.uid = uid

    def _send(self, path: str, method: str, params: tuple) -> Any:
        body = xmlrpc.client.dumps(params, method, allow_none=False)
        raw = self.http.request("POST", path, content=body.encode(), raw=True)
        try:
            return xmlrpc.client.loads(raw, use_builtin_types=True)[0][0]
        except xmlrpc.client.Fault as fault:
            raise _fault_error(f"{path} {params[3] if len(params) > 4 else ''}.{params[4] if len(params) > 4 else method}",
                               fault) from None

    def call(self, model: str, method: str, ids: list[int] | None = None, **named: Any) -> Any:
        args = [ids] if ids is not None else []
        return self._send("/xmlrpc/2/object", "execute_kw", (self.database, self.uid, self._key, model, method, args, named))

    def close(self) -> None:
        self.http.close()


def _fault_error(where: str, fault: xmlrpc.client.Fault) -> DestinationError:
    """faultCode 2: user/validation/missing (or an unknown model); 3: access denied; 4: access error; 1: anything else."""
    text = str(fault.faultString).strip()
    last = text.splitlines()[-1] if text else ""
    if fault.faultCode in (3, 4):
        return ConfigError(f"{where}: Odoo refused access ({last})")
    if fault.faultCode == 2:
        return (ConfigError if "doesn't exist" in last else DataError)(f"{where}: {last}")
    name, _, message = last.partition(": ")
    return _kind_of(name, message or last)(f"{where}: {last}")


def server_version(url: str, policy: HttpPolicy) -> tuple[int, ...]:
    """The major/minor version from `common.version()` (XML-RPC exists on every supported version)."""
    client = HttpClient(url, {"Content-Type": "text/xml"}, policy, classifier=classify_xmlrpc)
    try:
        raw = client.request("POST", "/xmlrpc/2/common", content=xmlrpc.client.dumps((), "version").encode(), raw=True, paced=False)
    finally:
        client.close()
    info = xmlrpc.client.loads(raw, use_builtin_types=True)[0][0]
    return tuple(int(part) for part in info.get("server_version_info", [0])[:2] if isinstance(part, int))
