"""Replaying a recorded Odoo exchange against the double and comparing the answers.

A recording names ids from the recording run; the double makes its own. `IdMap` pairs them per
model — learnt from the double's answers where the recording first shows an id (a create, a
search, a list of messages), and checked everywhere after — and rewrites later requests: ids in
method arguments, values of relational fields, domain values, the uid of execute_kw. The
schema says which integer is an id of which model, so a `sequence: 99` is never mistaken for
one.

`Replay.check` compares what a client relies on, strictly: the HTTP status and content type;
results value by value (ids through the map; `true` is not `1`, `40.0` is not `40`); error
names, messages and arguments exactly (ids in them translated). What cannot match is left out:
timestamps of the recording day (the double's are "now", and must only look the same), and
tracebacks, whose text is the server's code — a traceback must start like one and end with
the same exception line(s).
"""

from __future__ import annotations

import json
import re
import xmlrpc.client
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .schema import MODELS

RECORDING_DAY = "2026-11-22 "
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
_RECORDSET = re.compile(r"\b([a-z_]+(?:\.[a-z_0-9]+)+)\(([\d, ]*)\)")
_USER = re.compile(r"User: (\d+)")


def load(folder: Path, name: str) -> dict[str, Any]:
    recording = json.loads((folder / f"{name}.json").read_text())
    recording["name"] = name
    return recording


@dataclass
class Secrets:
    password: str  # admin's
    api_key: str
    user_passwords: dict[int, str] = field(default_factory=dict)  # recorded uid -> password (no-rights user)


@dataclass
class IdMap:
    ours_of: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    theirs_of: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))

    def seed(self, model: str, recorded: int, mine: int) -> None:
        self.ours_of[model][recorded] = mine
        self.theirs_of[model][mine] = recorded

    def ours(self, model: str | None, value: Any) -> Any:
        if model is None:
            return value
        if isinstance(value, list):
            return [self.ours(model, item) for item in value]
        if isinstance(value, int) and not isinstance(value, bool):
            return self.ours_of[model].get(value, value)
        return value

    def pair(self, model: str, recorded: Any, mine: Any, where: str) -> list[str]:
        """Learn or check that recorded id `recorded` of `model` is the double's `mine`."""
        if not (isinstance(recorded, int) and isinstance(mine, int)) or isinstance(recorded, bool) \
                or isinstance(mine, bool):
            return [] if recorded == mine and type(recorded) is type(mine) else \
                [f"{where}: recorded {recorded!r}, the double answered {mine!r}"]
        known = self.ours_of[model].get(recorded)
        if known is not None:
            return [] if known == mine else [f"{where}: {model} {recorded} is the double's {known}, got {mine}"]
        claimed = self.theirs_of[model].get(mine)
        if claimed is not None and claimed != recorded:
            return [f"{where}: the double's {model} {mine} already stands for recorded {claimed}, not {recorded}"]
        self.seed(model, recorded, mine)
        return []

    def text(self, value: str) -> str:
        """Ids inside server messages: `res.partner(8662,)`, `User: 2`."""
        def recordset(match: re.Match[str]) -> str:
            model, ids = match.group(1), [int(i) for i in re.findall(r"\d+", match.group(2))]
            mapped = tuple(self.ours(model, i) for i in ids)
            return f"{model}{mapped!r}"
        value = _RECORDSET.sub(recordset, value)
        return _USER.sub(lambda m: f"User: {self.ours('res.users', int(m.group(1)))}", value)


class Replay:
    """Sends recordings to one double, in order, rewriting and checking as it goes."""

    def __init__(self, server: Any, secrets: Secrets, ids: IdMap):
        self.server, self.secrets, self.ids = server, secrets, ids
        self.client = httpx.Client(base_url=server.url, timeout=30)

    def close(self) -> None:
        self.client.close()

    def fields(self, model: str) -> dict[str, Any]:
        with self.server.odoo.db.lock:
            return self.server.odoo.schema.fields(model)

    # ---- requests -------------------------------------------------------------------------------
    def send(self, recording: dict[str, Any]) -> httpx.Response:
        request = recording["request"]
        headers = {key: value for key, value in request["headers"].items()
                   if key in ("Content-Type", "X-Odoo-Database", "Authorization")}
        if "Authorization" in headers:
            headers["Authorization"] = headers["Authorization"].replace("<API_KEY>", self.secrets.api_key) \
                .replace("<PASSWORD>", self.secrets.password)
        body = request["body"]
        if body is not None:
            body = self._body(recording["protocol"], request["path"], body)
        return self.client.request(request["method"], request["path"], headers=headers,
                                   content=body.encode() if body is not None else None)

    def _body(self, protocol: str, path: str, body: str) -> str:
        if protocol == "xmlrpc":
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            return xmlrpc.client.dumps(tuple(self._params(method, list(params))), method, allow_none=False)
        try:
            data = json.loads(body)
        except ValueError:
            return body  # the invalid-JSON recording is sent as recorded
        if protocol == "jsonrpc":
            data["params"]["args"] = self._params(data["params"]["method"], list(data["params"]["args"]))
        else:
            model, method = path.split("/")[3:5]
            data = self._named(model, method, data)
        return json.dumps(data)

    def _params(self, method: str, params: list[Any]) -> list[Any]:
        """execute_kw(db, uid, password, model, method, args, kwargs) / authenticate(db, login, password)."""
        if method in ("authenticate", "login"):
            params[2] = self._secret(params[2], 2)
            return params
        if method != "execute_kw":
            return params
        recorded_uid = params[1]
        params[1] = self.ids.ours("res.users", recorded_uid)
        params[2] = self._secret(params[2], recorded_uid)
        model, name = params[3], params[4]
        args = list(params[5])
        kwargs = dict(params[6]) if len(params) > 6 else {}
        if model in MODELS:
            args, kwargs = self._positional(model, name, args, kwargs)
        params[5] = args
        if len(params) > 6:
            params[6] = kwargs
        return params

    def _secret(self, value: Any, uid: Any) -> Any:
        if value == "<API_KEY>":
            return self.secrets.api_key
        if value == "<PASSWORD>":
            return self.secrets.user_passwords.get(uid, self.secrets.password)
        return value

    def _positional(self, model: str, name: str, args: list[Any], kwargs: dict[str, Any]
                    ) -> tuple[list[Any], dict[str, Any]]:
        if name == "create" and args:
            args[0] = self._vals_list(model, args[0])
        elif name in ("search", "search_count", "search_read") and args:
            args[0] = self._domain(model, args[0])
        elif name in ("read", "write", "unlink", "get_external_id", "message_post", "_compute_display_name") and args:
            args[0] = self.ids.ours(model, args[0])
            if name == "write" and len(args) > 1:
                args[1] = self._vals(model, args[1])
        if name == "message_post":
            kwargs = self._post(kwargs)
        if "domain" in kwargs:
            kwargs["domain"] = self._domain(model, kwargs["domain"])
        return args, kwargs

    def _named(self, model: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
        if model not in MODELS:
            return data
        if "ids" in data:
            data["ids"] = self.ids.ours(model, data["ids"])
        if "vals_list" in data:
            data["vals_list"] = self._vals_list(model, data["vals_list"])
        if "vals" in data:
            data["vals"] = self._vals(model, data["vals"])
        if "domain" in data:
            data["domain"] = self._domain(model, data["domain"])
        if name == "message_post":
            data = self._post(data)
        return data

    def _post(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for key, model in (("author_id", "res.partner"), ("partner_ids", "res.partner"),
                           ("attachment_ids", "ir.attachment"), ("parent_id", "mail.message"),
                           ("subtype_id", "mail.message.subtype")):
            if key in kwargs:
                kwargs[key] = self.ids.ours(model, kwargs[key])
        return kwargs

    def _vals_list(self, model: str, value: Any) -> Any:
        if isinstance(value, dict):
            return self._vals(model, value)
        return [self._vals(model, vals) if isinstance(vals, dict) else vals for vals in value]

    def _vals(self, model: str, vals: dict[str, Any]) -> dict[str, Any]:
        fields = self.fields(model)
        out = dict(vals)
        for key, value in vals.items():
            f = fields.get(key)
            if f is None:
                continue
            if f.type == "many2one":
                out[key] = self.ids.ours(f.relation, value)
            elif f.type in ("many2many", "one2many"):
                out[key] = self._commands(f.relation, value)
            elif f.type == "many2one_reference":
                out[key] = self.ids.ours(vals.get("model") or vals.get("res_model"), value)
        return out

    def _commands(self, model: str, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        out = []
        for command in value:
            if isinstance(command, int):
                out.append(self.ids.ours(model, command))
            elif isinstance(command, list) and command and command[0] == 6:
                out.append([6, 0, self.ids.ours(model, command[2])])
            elif isinstance(command, list) and command and command[0] in (1, 2, 3, 4):
                rewritten = [command[0], self.ids.ours(model, command[1]), *command[2:]]
                if command[0] == 1 and len(command) > 2:
                    rewritten[2] = self._vals(model, command[2])
                out.append(rewritten)
            elif isinstance(command, list) and command and command[0] == 0 and len(command) > 2:
                out.append([0, 0, self._vals(model, command[2])])
            else:
                out.append(command)
        return out

    def _domain(self, model: str, domain: Any) -> Any:
        if not isinstance(domain, list):
            return domain
        siblings = {term[0]: term[2] for term in domain
                    if isinstance(term, list) and len(term) == 3 and term[1] == "="}
        out = []
        for term in domain:
            if not (isinstance(term, list) and len(term) == 3 and isinstance(term[0], str)):
                out.append(term)
                continue
            target = self._target(model, term[0], siblings)
            out.append([term[0], term[1], self.ids.ours(target, term[2]) if target else term[2]])
        return out

    def _target(self, model: str, path: str, siblings: dict[str, Any]) -> str | None:
        """The model whose ids a domain value on `path` holds, if any."""
        current = model
        names = path.split(".")
        for depth, name in enumerate(names):
            f = self.fields(current).get(name) if current in MODELS else None
            if f is None:
                return None
            last = depth == len(names) - 1
            if name == "id" and last:
                return current
            if f.type == "many2one_reference" and last:
                return siblings.get("model") or siblings.get("res_model")
            if not f.relational:
                return None
            if last:
                return f.relation
            current = f.relation
        return None

    # ---- answers --------------------------------------------------------------------------------
    def check(self, recording: dict[str, Any], response: httpx.Response) -> list[str]:
        expected = recording["response"]
        problems = []
        if response.status_code != expected["status"]:
            problems.append(f"status {response.status_code}, recorded {expected['status']}: {response.text[:600]}")
        recorded_type = expected["headers"].get("Content-Type")
        if recorded_type and response.headers.get("Content-Type") != recorded_type:
            problems.append(f"Content-Type {response.headers.get('Content-Type')!r}, recorded {recorded_type!r}")
        if "WWW-Authenticate" in expected["headers"] and (response.headers.get("WWW-Authenticate") or "").strip() \
                != expected["headers"]["WWW-Authenticate"].strip():  # HTTP drops the trailing space
            problems.append(f"WWW-Authenticate {response.headers.get('WWW-Authenticate')!r}")
        if problems:
            return problems
        protocol, body = recording["protocol"], expected["body"]
        call = self._call(recording)
        if protocol == "xmlrpc":
            return self._check_xmlrpc(call, body, response.text)
        recorded, mine = json.loads(body), response.json()
        if protocol == "jsonrpc":
            if set(recorded) != set(mine):
                return [f"envelope keys {sorted(mine)}, recorded {sorted(recorded)}"]
            if recorded.get("id") != mine.get("id"):
                return [f"id {mine.get('id')!r}, recorded {recorded.get('id')!r}"]
            if "error" in recorded:
                error, ours = recorded["error"], mine["error"]
                problems = [f"error.{key} {ours.get(key)!r}, recorded {error[key]!r}"
                            for key in ("code", "message") if ours.get(key) != error[key]]
                return problems + self._check_error(error["data"], ours.get("data") or {})
            return self.result(call, recorded["result"], mine["result"])
        if expected["status"] != 200:
            return self._check_error(recorded, mine)
        return self.result(call, recorded, mine)

    def _check_xmlrpc(self, call: tuple[str | None, str], body: str, text: str) -> list[str]:
        try:
            recorded = xmlrpc.client.loads(body, use_builtin_types=True)[0][0]
        except xmlrpc.client.Fault as fault:
            try:
                xmlrpc.client.loads(text, use_builtin_types=True)
                return [f"recorded fault {fault.faultCode}, the double answered a result"]
            except xmlrpc.client.Fault as mine:
                if mine.faultCode != fault.faultCode:
                    return [f"faultCode {mine.faultCode}, recorded {fault.faultCode}: {mine.faultString[-400:]}"]
                if fault.faultCode == 1:
                    return _traceback(fault.faultString, mine.faultString, self.ids)
                expected = self.ids.text(fault.faultString)
                return [] if mine.faultString == expected else \
                    [f"faultString {mine.faultString!r}, recorded {expected!r}"]
        try:
            mine = xmlrpc.client.loads(text, use_builtin_types=True)[0][0]
        except xmlrpc.client.Fault as fault:
            return [f"fault {fault.faultCode} {fault.faultString[-400:]!r}, recorded a result"]
        return self.result(call, recorded, mine)

    def _check_error(self, recorded: dict[str, Any], mine: dict[str, Any]) -> list[str]:
        if set(recorded) != set(mine):
            return [f"error keys {sorted(mine)}, recorded {sorted(recorded)}"]
        problems = []
        first_line = recorded["name"].startswith("psycopg2.")  # messages quote the SQL statement
        if mine["name"] != recorded["name"]:
            problems.append(f"name {mine['name']!r}, recorded {recorded['name']!r}")
        expected = _cut(self.ids.text(recorded["message"]), first_line)
        if _cut(mine["message"], first_line) != expected:
            problems.append(f"message {mine['message']!r}, recorded {expected!r}")
        arguments = [_cut(self.ids.text(a), first_line) if isinstance(a, str) else a for a in recorded["arguments"]]
        ours = [_cut(a, first_line) if isinstance(a, str) else a for a in mine["arguments"]]
        if ours != arguments:
            problems.append(f"arguments {ours!r}, recorded {arguments!r}")
        if mine["context"] != recorded["context"]:
            problems.append(f"context {mine['context']!r}, recorded {recorded['context']!r}")
        return problems + _traceback(recorded["debug"], mine["debug"], self.ids)

    def _call(self, recording: dict[str, Any]) -> tuple[str | None, str]:
        """(model, method) of a recording; model None for the common service."""
        request = recording["request"]
        if recording["protocol"] == "json2":
            parts = request["path"].split("/")
            return (parts[3], parts[4]) if len(parts) == 5 else (None, "version")
        if recording["protocol"] == "xmlrpc":
            params, method = xmlrpc.client.loads(request["body"])
        else:
            inner = json.loads(request["body"])["params"]
            params, method = inner["args"], inner["method"]
        return (params[3], params[4]) if method == "execute_kw" else (None, method)

    # ---- results --------------------------------------------------------------------------------
    def result(self, call: tuple[str | None, str], recorded: Any, mine: Any) -> list[str]:
        model, method = call
        where = f"{model or 'common'}.{method}"
        if model is None:
            if method == "authenticate" and recorded is not False:
                return self.ids.pair("res.users", recorded, mine, where)
            return _exact(recorded, mine, where)
        if method == "create" or method == "message_post" or method == "search":
            target = "mail.message" if method == "message_post" else model
            if isinstance(recorded, list):
                return self._ids(target, recorded, mine, where)
            return self.ids.pair(target, recorded, mine, where)
        if method in ("read", "search_read"):
            if not isinstance(mine, list) or len(mine) != len(recorded):
                return [f"{where}: recorded {len(recorded)} record(s), the double answered {_show(mine)}"]
            return [p for a, b in zip(recorded, mine) for p in self.record(model, a, b, where)]
        if method == "load":
            if not isinstance(mine, dict) or set(mine) != set(recorded):
                return [f"{where}: recorded {recorded!r}, the double answered {_show(mine)}"]
            ids = self._ids(model, recorded["ids"], mine["ids"], where) if recorded["ids"] is not False \
                else _exact(False, mine["ids"], where + ".ids")
            return ids + _exact(recorded["messages"], mine["messages"], where + ".messages") \
                + _exact(recorded["nextrow"], mine["nextrow"], where + ".nextrow")
        if method == "get_external_id":
            if not isinstance(mine, dict) or len(mine) != len(recorded):
                return [f"{where}: recorded {recorded!r}, the double answered {_show(mine)}"]
            problems = []
            for (key, value), (our_key, our_value) in zip(recorded.items(), mine.items()):
                problems += self.ids.pair(model, int(key), int(our_key), where)
                problems += _exact(value, our_value, f"{where}[{key}]")
            return problems
        if method == "context_get":
            return _exact({**recorded, "uid": self.ids.ours("res.users", recorded["uid"])}, mine, where)
        return _exact(recorded, mine, where)

    def _ids(self, model: str, recorded: Any, mine: Any, where: str) -> list[str]:
        if not isinstance(mine, list) or len(mine) != len(recorded):
            return [f"{where}: recorded {recorded!r}, the double answered {_show(mine)}"]
        return [p for a, b in zip(recorded, mine) for p in self.ids.pair(model, a, b, where)]

    def record(self, model: str, recorded: dict[str, Any], mine: Any, where: str) -> list[str]:
        if not isinstance(mine, dict) or set(mine) != set(recorded):
            return [f"{where}: keys {sorted(mine) if isinstance(mine, dict) else mine!r}, recorded {sorted(recorded)}"]
        fields = self.fields(model)
        problems = self.ids.pair(model, recorded["id"], mine["id"], f"{where}.id")
        for name, value in recorded.items():
            f, ours, at = fields.get(name), mine[name], f"{where}[{recorded['id']}].{name}"
            if name == "id" or f is None:
                continue
            if f.type == "many2one" and isinstance(value, list):
                if not isinstance(ours, list) or len(ours) != 2:
                    problems.append(f"{at}: recorded {value!r}, the double answered {ours!r}")
                    continue
                problems += self.ids.pair(f.relation, value[0], ours[0], at)
                problems += _exact(value[1], ours[1], at)
            elif f.type in ("one2many", "many2many"):
                problems += self._ids(f.relation, value, ours, at)
            elif f.type == "many2one_reference" and value:
                target = recorded.get("res_model") or recorded.get("model")
                problems += self.ids.pair(target, value, ours, at) if target else _exact(value, ours, at)
            elif f.type == "datetime" and isinstance(value, str) and value.startswith(RECORDING_DAY):
                if not (isinstance(ours, str) and DATETIME.match(ours)):
                    problems.append(f"{at}: recorded a UTC datetime {value!r}, the double answered {ours!r}")
            else:
                problems += _exact(value, ours, at)
        return problems


def _exact(recorded: Any, mine: Any, where: str) -> list[str]:
    return [] if _same(recorded, mine) else [f"{where}: recorded {recorded!r}, the double answered {_show(mine)}"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 600 else text[:600] + "..."


def _cut(text: str, first_line: bool) -> str:
    return text.split("\n")[0] if first_line else text


def exception_block(traceback_text: str) -> str:
    """The exception line(s) that end a traceback: everything after the last frame."""
    lines = traceback_text.rstrip("\n").split("\n")
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    start = frames[-1] + 1 if frames else 0
    while start < len(lines) and (lines[start].startswith(" ") or not lines[start]):
        start += 1
    return "\n".join(lines[start:])


def _traceback(recorded: str, mine: str, ids: IdMap) -> list[str]:
    problems = []
    if recorded.startswith("Traceback (most recent call last):") and \
            not mine.startswith("Traceback (most recent call last):"):
        problems.append(f"debug does not start like a traceback: {mine[:120]!r}")
    expected, ours = ids.text(exception_block(recorded)), exception_block(mine)
    first_line = expected.startswith("psycopg2.")
    if _cut(ours, first_line) != _cut(expected, first_line):
        problems.append(f"traceback ends with {ours!r}, recorded {expected!r}")
    return problems
