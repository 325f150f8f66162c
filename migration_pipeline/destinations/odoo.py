"""Odoo CRM (17, 18 and 19) behind the shared destination interface.

Idempotency: records are created with `load(fields, rows)`, each row carrying the external id
`migration_pipeline.mp_<uuid>` built from the pipeline's deterministic id. `load()` creates the
record and its `ir.model.data` row in one transaction, and a second call with the same external
id updates the record and returns the same id — so a run killed between Odoo's answer and the
ledger write converges on the re-run instead of duplicating. Create-then-`ir.model.data.create`
would leave a window where a record exists with no external id; `load()` has none. A refused row
fails the whole call without writing anything, so the bad rows Odoo names are quarantined and the
rest sent again.

Updates of records the ledger already maps go through `write` (typed values, one record per
call). Every call carries a context that turns off tracking and chatter (`tracking_disable`,
`mail_create_nolog`, `mail_notrack`): no "Opportunity Created" or "Stage Changed" messages, and
several times the throughput. The destination id in the ledger is Odoo's database id, as text.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from pydantic import PrivateAttr

from migration_pipeline.destinations.base import (
    Destination,
    FileOpener,
    Member,
    NewFieldRequest,
    Operation,
    SchemaResult,
    WriteContext,
    WriteOutcome,
)
from migration_pipeline.destinations.http import ConfigError, DataError, HttpPolicy
from migration_pipeline.destinations.odoo_rpc import Json2Rpc, OdooRpc, XmlRpc, server_version

QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
_UNREADABLE = ("binary", "one2many")  # file contents and reverse lists: never compared, heavy to read
_STAGE_MODEL = "crm.stage"


def _odoo_datetime(value: str) -> str:
    """'2024-03-01T09:30:00.000Z' (UTC) → '2024-03-01 09:30:00', Odoo's UTC text."""
    return value.replace("T", " ")[:19]


class OdooDestination(Destination):
    """An Odoo database. `api_key` should be wired with `dg.EnvVar("ODOO_API_KEY")`."""

    url: str
    database: str
    api_key: str
    login: str = "admin"  # XML-RPC (Odoo 17/18) authenticates this login with the API key
    requests_per_minute: float = 1000.0
    batch_size: int = 100
    timeout_seconds: float = 60.0
    max_attempts: int = 6
    module: str = "migration_pipeline"  # the external ids' module

    _rpc: OdooRpc | None = PrivateAttr(default=None)
    _fields: dict[str, dict[str, dict[str, Any]]] = PrivateAttr(default_factory=dict)
    _stages: dict[str, int] | None = PrivateAttr(default=None)
    _xmlids: dict[str, int] = PrivateAttr(default_factory=dict)

    def describe(self) -> str:
        return f"Odoo at {self.url} (database {self.database})"

    @property
    def rpc(self) -> OdooRpc:
        if self._rpc is None:
            policy = HttpPolicy(requests_per_minute=self.requests_per_minute, timeout_seconds=self.timeout_seconds,
                                max_attempts=self.max_attempts)
            if server_version(self.url, policy) >= (19,):
                self._rpc = Json2Rpc(self.url, self.database, self.api_key, policy)
            else:
                self._rpc = XmlRpc(self.url, self.database, self.login, self.api_key, policy)
        return self._rpc

    def fields(self, model: str, refresh: bool = False) -> dict[str, dict[str, Any]]:
        if model not in self._fields or refresh:
            self._fields[model] = self.rpc.call(model, "fields_get", attributes=["string", "type", "relation", "required"])
        return self._fields[model]

    def _stage_ids(self, refresh: bool = False) -> dict[str, int]:
        if self._stages is None or refresh:
            rows = self.rpc.call(_STAGE_MODEL, "search_read", domain=[], fields=["name"])
            self._stages = {row["name"]: row["id"] for row in rows}
        return self._stages

    # --- members and schema -------------------------------------------------------------------

    def list_members(self) -> list[Member]:
        rows = self.rpc.call("res.users", "search_read", domain=[["share", "=", False]],
                             fields=["login", "email", "name", "partner_id"])
        return [Member(id=str(row["id"]), email=(row.get("email") or row.get("login") or "").strip(), name=row.get("name") or "",
                       contact_id=str(row["partner_id"][0]) if row.get("partner_id") else None) for row in rows]

    def ensure_fields(self, migration: str, requests: Sequence[NewFieldRequest], *, apply: bool) -> SchemaResult:
        result = SchemaResult()
        for request in requests:
            field = self.fields(request.target).get(request.name)
            if field is None and request.create:
                result.created.append(request)
                if apply:
                    self._create_field(request)
            elif field is not None and field.get("relation") == _STAGE_MODEL and request.options:
                new = tuple(name for name in request.options if name not in self._stage_ids())
                if new:
                    result.created.append(NewFieldRequest(request.target, request.name, "many2one", request.label, new, False))
                    if apply:
                        start = len(self._stage_ids())
                        self.rpc.call(_STAGE_MODEL, "create", vals_list=[{"name": name, "sequence": start + i}
                                                                         for i, name in enumerate(new, 1)])
                        self._stage_ids(refresh=True)
                else:
                    result.existing.append(request)
            else:
                result.existing.append(request)
        return result

    def _create_field(self, request: NewFieldRequest) -> None:
        model_ids = self.rpc.call("ir.model", "search", domain=[["model", "=", request.target]])
        values: dict[str, Any] = {"model_id": model_ids[0], "name": request.name, "field_description": request.label,
                                  "ttype": request.type, "state": "manual"}
        if request.relation:
            values["relation"] = request.relation
        if request.type == "selection":
            values["selection_ids"] = [[0, 0, {"value": v, "name": v.replace("_", " ").title(), "sequence": i}]
                                       for i, v in enumerate(request.options or ("other",), 1)]
        self.rpc.call("ir.model.fields", "create", vals_list=[values])
        self.fields(request.target, refresh=True)

    def missing_fields(self, fields_by_target: dict[str, Sequence[str]]) -> list[str]:
        missing = []
        for model, names in fields_by_target.items():
            known = self.fields(model, refresh=True)
            sample = self.as_sent(model, {name.split(".")[0]: None for name in names})
            missing += [f"{model}.{name}" for name in sample if name not in known]
        return missing

    def remove_field(self, change: NewFieldRequest) -> list[str]:
        if change.create:
            ids = self.rpc.call("ir.model.fields", "search", domain=[["model", "=", change.target], ["name", "=", change.name]])
            if ids:
                self.rpc.call("ir.model.fields", "unlink", ids=ids)
            self.fields(change.target, refresh=True)
            return []
        ids = self.rpc.call(_STAGE_MODEL, "search", domain=[["name", "in", list(change.options)]])
        if ids:
            try:
                self.rpc.call(_STAGE_MODEL, "unlink", ids=ids)
            except DataError as error:
                return [f"stages {', '.join(change.options)} stay in Odoo: {error}"]
        self._stage_ids(refresh=True)
        return []

    # --- records ------------------------------------------------------------------------------

    def as_sent(self, target: str, record: dict[str, Any]) -> dict[str, Any]:
        """Files travel base64 in `datas`. A relation the mapping names — a stage by its name, a
        constant by its external id (`mail.mt_note`) — is sent as the database id."""
        sent = {("datas" if key == "fullPath" and target == "ir.attachment" else key): value for key, value in record.items()}
        for name, value in sent.items():
            relation = self._relation(target, name)
            if relation and isinstance(value, str) and value and not value.isdigit():
                found = self._stage_ids().get(value) if relation == _STAGE_MODEL else self._xmlid_id(value)
                sent[name] = str(found) if found is not None else value
        return sent

    def _xmlid_id(self, xmlid: str) -> int | None:
        if xmlid not in self._xmlids and "." in xmlid:
            module, _, name = xmlid.partition(".")
            rows = self.rpc.call("ir.model.data", "search_read", domain=[["module", "=", module], ["name", "=", name]],
                                 fields=["res_id"])
            if rows:
                self._xmlids[xmlid] = rows[0]["res_id"]
        return self._xmlids.get(xmlid)

    def _relation(self, model: str, name: str) -> str | None:
        return (self.fields(model).get(name) or {}).get("relation") if name != "id" else None

    def write(self, context: WriteContext, operation: Operation, records: Sequence[dict[str, Any]]) -> list[WriteOutcome]:
        sent = [self.as_sent(context.target, record) for record in records]
        if operation == "update":
            return [self._update(context.target, record) for record in sent]
        outcomes: dict[str, WriteOutcome] = {}
        pending = list(sent)
        while pending:
            refused = self._load(context.target, pending, outcomes)
            if not refused:
                break
            pending = [r for r in pending if r["id"] not in refused]
        return [outcomes[record["id"]] for record in sent]

    def _xmlid(self, record_id: str) -> str:
        return f"{self.module}.mp_{record_id.replace('-', '_')}"

    def _load(self, model: str, records: list[dict[str, Any]], outcomes: dict[str, WriteOutcome]) -> set[str]:
        """One `load()` call; returns the ids of the rows Odoo refused (recorded as data errors)."""
        meta = self.fields(model)
        names = sorted({key for record in records for key in record if key != "id"})
        unknown = [n for n in names if n not in meta]
        if unknown:
            raise ConfigError(f"{model} has no field {', '.join(unknown)}; run the schema step")
        columns = ["id"] + [f"{n}/.id" if meta[n].get("type") in ("many2one", "many2many") else n for n in names]
        rows = [[self._xmlid(r["id"])] + [_load_text(meta[n], r.get(n)) for n in names] for r in records]
        try:
            answer = self.rpc.call(model, "load", fields=columns, data=rows, context=QUIET)
        except DataError as error:
            if len(records) == 1:
                outcomes[records[0]["id"]] = WriteOutcome(id=records[0]["id"], ok=False, error=str(error), kind="data")
                return {records[0]["id"]}
            refused: set[str] = set()
            for record in records:  # find the culprit: one row at a time
                refused |= self._load(model, [record], outcomes)
            return refused
        if answer.get("ids"):
            for record, odoo_id in zip(records, answer["ids"]):
                outcomes[record["id"]] = WriteOutcome(id=str(odoo_id))
            return set()
        bad = {}
        for message in answer.get("messages") or []:
            if message.get("type") == "error" and isinstance(message.get("record"), int):
                bad.setdefault(message["record"], message.get("message", "refused"))
        if not bad:
            raise DataError(f"{model}: load() refused the batch without naming a row: {answer.get('messages')}")
        for index, message in bad.items():
            outcomes[records[index]["id"]] = WriteOutcome(id=records[index]["id"], ok=False, error=f"Odoo: {message}", kind="data")
        return {records[index]["id"] for index in bad}

    def _update(self, model: str, record: dict[str, Any]) -> WriteOutcome:
        meta = self.fields(model)
        values = {name: _write_value(meta[name], value) for name, value in record.items() if name not in ("id", "create_date")}
        try:
            self.rpc.call(model, "write", ids=[int(record["id"])], vals=values, context=QUIET)
        except DataError as error:
            return WriteOutcome(id=record["id"], ok=False, error=str(error), kind="data")
        return WriteOutcome(id=record["id"])

    def read(self, context: WriteContext, ids: Sequence[str]) -> list[dict[str, Any]]:
        meta = self.fields(context.target)
        names = [name for name, field in meta.items() if field.get("type") not in _UNREADABLE]
        records = []
        for start in range(0, len(ids), self.batch_size):
            part = [int(i) for i in ids[start : start + self.batch_size]]
            records += self.rpc.call(context.target, "read", ids=part, fields=names)
        return [{**{name: _plain(meta.get(name, {}), value) for name, value in record.items()}, "id": str(record["id"])}
                for record in records]

    def delete(self, context: WriteContext, ids: Sequence[str]) -> list[WriteOutcome]:
        try:
            self.rpc.call(context.target, "unlink", ids=[int(i) for i in ids], context=QUIET)
            return [WriteOutcome(id=i) for i in ids]
        except DataError:
            pass  # some are gone already (a resumed rollback): one at a time
        outcomes = []
        for record_id in ids:
            try:
                self.rpc.call(context.target, "unlink", ids=[int(record_id)], context=QUIET)
            except DataError as error:
                if self.rpc.call(context.target, "read", ids=[int(record_id)], fields=["id"]):
                    outcomes.append(WriteOutcome(id=record_id, ok=False, error=str(error), kind="data"))
                    continue
            outcomes.append(WriteOutcome(id=record_id))
        return outcomes

    def upload_file(self, context: WriteContext, name: str, size: int, opener: FileOpener) -> str:
        """Odoo keeps the file in the attachment record itself: the reference is its base64 text."""
        with opener() as handle:
            return base64.b64encode(handle.read()).decode("ascii")


def _load_text(field: dict[str, Any], value: Any) -> str:
    """`load()` takes every value as text: booleans '1'/'0', UTC datetimes 'YYYY-MM-DD HH:MM:SS'."""
    if value is None or value == []:
        return ""
    kind = field.get("type")
    if kind == "boolean":
        return "1" if value in (True, "true", "True", "1", 1) else "0"
    if kind == "datetime":
        return _odoo_datetime(str(value))
    if kind == "date":
        return str(value)[:10]
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _write_value(field: dict[str, Any], value: Any) -> Any:
    kind = field.get("type")
    if value is None:
        return False
    if kind == "many2one":
        return int(value)
    if kind == "many2many":
        return [[6, 0, [int(v) for v in (value if isinstance(value, list) else str(value).split(","))]]]
    if kind == "datetime":
        return _odoo_datetime(str(value))
    if kind == "date":
        return str(value)[:10]
    if kind == "boolean":
        return value in (True, "true", "True", "1", 1)
    return value


def _plain(field: dict[str, Any], value: Any) -> Any:
    """A read value in the pipeline's terms: ids as text, `false` as nothing (except a real boolean)."""
    kind = field.get("type")
    if kind == "boolean":
        return bool(value)
    if value is False:
        return None
    if kind == "many2one" and isinstance(value, list):
        return str(value[0])
    if kind == "many2one_reference":
        return str(value)
    if kind == "many2many" and isinstance(value, list):
        return [str(v) for v in value]
    return value
