"""`load(fields, data)`: Odoo's import API, all or nothing, keyed by external ids.

- Every cell is a string (booleans "1"/"0", numbers, dates as text). Column `id` holds an
  external id `module.name` (any module; without a dot, `__import__`): a known one updates its
  record, a new one creates the record and the ir.model.data row. `.id` is a database id.
- A relational column may be `field` (matched by name), `field/id` (external id) or
  `field/.id` (database id); many2many cells are comma-separated.
- Rows are processed in order, so a row can reference an external id created by an earlier row.
  Any bad cell or failing row adds an error message; if there is any, everything the call did is
  rolled back and the answer is `{"ids": false, "messages": [...], "nextrow": 0}`.
- A column that is not a field is not a message but an exception (`ValueError: Invalid field
  name '...'`), before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import errors
from .schema import Field

if TYPE_CHECKING:
    from .orm import Env

_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


class _CellError(Exception):
    def __init__(self, message: str, moreinfo: Any = None):
        super().__init__(message)
        self.message, self.moreinfo = message, moreinfo


def load(env: Env, model: str, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
    env.check(model, "create")
    known = env.fields(model)
    columns: list[tuple[str, str | None]] = []
    for column in fields:
        head, _, sub = str(column).partition("/")
        if head not in ("id", ".id") and head not in known:
            raise ValueError(f"Invalid field name {head!r}")
        columns.append((head, sub or None))
    mark = env.db.savepoint()
    ids: list[int] = []
    messages: list[dict[str, Any]] = []
    for index, cells in enumerate(data):
        record: dict[str, Any] = {}
        xmlid, dbid, failed = None, None, False
        for (head, sub), cell in zip(columns, cells):
            text = "" if cell is None or cell is False else str(cell)
            if head == "id":
                xmlid = _qualify(text.strip()) if text.strip() else None
                continue
            if head == ".id":
                dbid = int(text) if text else None
                continue
            f = known[head]
            try:
                record[head] = _cell(env, f, sub, text)
            except _CellError as problem:
                messages.append(_message(index, head, f.string, problem.message, problem.moreinfo))
                failed = True
        if failed:
            continue
        try:
            ids.append(_store(env, model, record, xmlid, dbid))
        except (errors.UserError, ValueError, TypeError) as exc:
            messages.append({"rows": {"from": index, "to": index}, "type": "error", "record": index,
                             "message": str(exc)})
    if messages:
        env.db.rollback_to(mark)
        return {"ids": False, "messages": messages, "nextrow": 0}
    return {"ids": ids, "messages": [], "nextrow": 0}


def _qualify(xmlid: str) -> str:
    return xmlid if "." in xmlid else f"__import__.{xmlid}"


def _message(index: int, field: str, label: str, text: str, moreinfo: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"rows": {"from": index, "to": index}, "type": "error", "record": index,
                               "field": field, "message": text.replace("%(field)s", label)}
    if moreinfo is not None:
        message["moreinfo"] = moreinfo
    message["field_name"] = label
    return message


def _store(env: Env, model: str, record: dict[str, Any], xmlid: str | None, dbid: int | None) -> int:
    if dbid is not None:
        env.write(model, [dbid], record)
        return dbid
    if xmlid:
        module, _, name = xmlid.partition(".")
        existing = env.db.lookup("ir.model.data", "xmlid", (module, name))
        if existing is not None:
            data = env.db.rows("ir.model.data")[existing]
            if env.exists(model, data["res_id"]):
                env.write(model, [data["res_id"]], record)
                return data["res_id"]
            rid = env.create(model, [record])[0]
            env.sudo().write("ir.model.data", [existing], {"res_id": rid, "model": model})
            return rid
        rid = env.create(model, [record])[0]
        env.sudo().create("ir.model.data", [{"module": module, "name": name, "model": model, "res_id": rid}])
        return rid
    return env.create(model, [record])[0]


def _cell(env: Env, f: Field, sub: str | None, text: str) -> Any:
    kind = f.type
    if kind in ("many2one", "many2many", "one2many"):
        return _relational(env, f, sub, text)
    if kind == "boolean":
        if text.strip().lower() in _TRUE:
            return True
        if text.strip().lower() in _FALSE:
            return False
        raise _CellError(f"Unknown value '{text}' for boolean field '%(field)s'", "Use '1' for yes and '0' for no")
    if not text:
        return False
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise _CellError(f"'{text}' does not seem to be an integer for field '%(field)s'") from None
    if kind in ("float", "monetary"):
        try:
            return float(text)
        except ValueError:
            raise _CellError(f"'{text}' does not seem to be a number for field '%(field)s'") from None
    if kind == "selection":
        for value, label in f.selection or []:
            if text == value or text.lower() == str(label).lower():
                return value
        raise _CellError(f"Value '{text}' not found in selection field '%(field)s'",
                         [label for _, label in f.selection or []])
    if kind in ("date", "datetime"):
        form, example = ("%Y-%m-%d", "2012-12-31") if kind == "date" else ("%Y-%m-%d %H:%M:%S", "2012-12-31 23:59:59")
        try:
            return datetime.strptime(text, form).strftime(form)
        except ValueError:
            raise _CellError(f"'{text}' does not seem to be a valid {kind} for field '%(field)s'",
                             f"Use the format '{example}'") from None
    return text


def _relational(env: Env, f: Field, sub: str | None, text: str) -> Any:
    if not text:
        return False if f.type == "many2one" else [[6, 0, []]]
    references = [text] if f.type == "many2one" else [part.strip() for part in text.split(",") if part.strip()]
    ids = [_reference(env, f, sub, reference) for reference in references]
    return ids[0] if f.type == "many2one" else [[6, 0, ids]]


def _reference(env: Env, f: Field, sub: str | None, reference: str) -> int:
    comodel = f.relation or ""
    if sub == "id":
        module, _, name = _qualify(reference).partition(".")
        found = env.db.lookup("ir.model.data", "xmlid", (module, name))
        row = env.db.rows("ir.model.data").get(found) if found is not None else None
        if row is not None and row.get("model") == comodel and env.exists(comodel, row.get("res_id")):
            return row["res_id"]
        raise _CellError(f"No matching record found for external id '{reference}' in field '%(field)s'",
                         _possible_values("ir.model.data", [["model", "=", comodel]]))
    if sub == ".id":
        if reference.isdigit() and env.exists(comodel, int(reference)):
            return int(reference)
        raise _CellError(f"No matching record found for database id '{reference}' in field '%(field)s'",
                         _possible_values(comodel, []))
    matches = [rid for rid in sorted(env.db.rows(comodel)) if env.display_name(comodel, rid) == reference] \
        if env.has_model(comodel) else []
    if not matches:
        raise _CellError(f"No matching record found for name '{reference}' in field '%(field)s'",
                         _possible_values(comodel, []))
    return matches[0]


def _possible_values(res_model: str, domain: list[Any]) -> dict[str, Any]:
    """The action the import UI offers as "See all possible values" (part of every lookup error)."""
    return {"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
            "view_mode": "list,form", "views": [[False, "list"], [False, "form"]], "context": {"create": False},
            "help": "See all possible values", "res_model": res_model, "domain": domain}
