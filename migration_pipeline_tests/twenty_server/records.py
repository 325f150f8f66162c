"""Record writes and reads: validation, unique and foreign-key checks, cascades, rendering.

Writes are all-or-nothing: every input is transformed and checked against the stored rows (and
the earlier inputs of the same batch) before anything is stored, which is how a batch that holds
one bad record creates nothing on both versions.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from typing import Any

from .errors import TwentyError, bad_request, entity_not_found, unknown_field
from .files import extension_of
from .schema import RELATION_TYPES, Field, ObjectDef
from .state import Workspace
from .text import search_vector
from .values import EnumValueError, enum_error, is_uuid, now_iso, parse_datetime, transform

_IGNORED_INPUT = {"updatedAt", "deletedAt", "searchVector", "createdBy", "updatedBy"}


def _files(ws: Workspace, f: Field, value: Any) -> list[dict[str, Any]] | None:
    """v2.4 FILES input `[{fileId, label}]`: the server adds the extension and a signed URL."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(i, dict) and is_uuid(i.get("fileId")) for i in value):
        raise bad_request(f'Invalid value for files field "{f.name}"')
    return [{"label": str(item.get("label") or ""), "fileId": item["fileId"],
             "extension": extension_of(str(item.get("label") or "")), "url": ws.file_url(item["fileId"])}
            for item in value]


def apply_input(ws: Workspace, obj: ObjectDef, data: dict[str, Any], row: dict[str, Any], creating: bool) -> None:
    """Transform `data` into `row` (in place), raising Twenty's error for the first bad key."""
    if not isinstance(data, dict):
        raise bad_request("Body must be an object")
    joins = obj.join_columns()
    for key, value in data.items():
        f = obj.fields.get(key)
        if key == "id":
            if creating and value is not None:
                row["id"] = _uuid_or_error(ws, value)
        elif key in joins:
            row[key] = None if value is None else _uuid_or_error(ws, value)
        elif f is None or not f.active:
            raise unknown_field(ws.version, obj, key)
        elif key == "createdAt":
            parsed = parse_datetime(value)
            if parsed is None:
                raise bad_request(f'invalid input syntax for type timestamp with time zone: "{value}"')
            row[key] = parsed
        elif f.type in RELATION_TYPES or key in _IGNORED_INPUT:
            continue
        elif f.type == "FILES":
            row[key] = _files(ws, f, value)
        else:
            try:
                row[key] = transform(f, value, ws.version, row.get(key), creating)
            except EnumValueError as exc:
                raise enum_error(f, exc.value, ws.version, ws.schema_name, obj.singular) from None
    if "searchVector" in obj.fields:
        row["searchVector"] = search_vector(_search_texts(obj, row))


def _uuid_or_error(ws: Workspace, value: Any) -> str:
    if is_uuid(value):
        return value
    if ws.version == "v1.5":
        raise TwentyError(500, "InternalServerErrorException", f'invalid input syntax for type uuid: "{value}"')
    raise TwentyError(500, "InternalServerErrorException", "Data validation error.")


def _search_texts(obj: ObjectDef, row: dict[str, Any]) -> list[str]:
    texts = []
    for path in obj.search:
        name, _, sub = path.partition(".")
        value = row.get(name)
        value = value.get(sub) if sub and isinstance(value, dict) else value
        if isinstance(value, str) and value:
            texts.append(value)
    return texts


def unique_values(ws: Workspace, obj: ObjectDef) -> dict[tuple[str, str], dict[Any, str]]:
    """Each unique field's taken values → the holding row's id (soft-deleted rows count on v2.4)."""
    taken: dict[tuple[str, str], dict[Any, str]] = {key: {} for key in obj.unique}
    for r in ws.rows_of(obj, include_deleted=ws.version == "v2.4"):
        for name, sub in obj.unique:
            value = (r.get(name) or {}).get(sub)
            if value not in (None, ""):
                taken[(name, sub)][value] = r["id"]
    return taken


def _check(ws: Workspace, obj: ObjectDef, row: dict[str, Any], pending: list[dict[str, Any]],
           replacing: set[str], creating: bool, taken: dict[tuple[str, str], dict[Any, str]] | None = None) -> None:
    """Primary key, unique fields and foreign keys, in the order Postgres reports them.

    `taken` (from `unique_values`, kept up to date by the caller) saves a scan per row in batches."""
    duplicate = "A duplicate entry was detected"
    pending_ids = {p["id"] for p in pending}
    if creating and (row["id"] in ws.rows[obj.singular] or row["id"] in pending_ids):
        raise bad_request("Record already exists" if ws.version == "v1.5" else duplicate)
    taken = taken if taken is not None else unique_values(ws, obj)
    for name, sub in obj.unique:
        value = (row.get(name) or {}).get(sub)
        if value in (None, ""):
            continue
        holder = taken[(name, sub)].get(value)
        if holder is not None and holder not in replacing:
            if ws.version == "v2.4":
                raise bad_request(duplicate)
            label = obj.fields[name].label
            raise TwentyError(400, "UserInputError", f"Duplicate {label} with value {value}. Please set a unique one.")
    for column, f in obj.join_columns().items():
        target_id = row.get(column)
        target = ws.objects.get(f.relation.target) if f.relation else None
        if target_id is None or (target is not None and target_id in ws.rows[target.singular]):
            continue
        if target is obj and target_id in pending_ids:
            continue
        if ws.version == "v2.4":
            raise TwentyError(500, "InternalServerErrorException", "Data validation error.")
        constraint = "FK_" + hashlib.md5(f"{obj.singular}.{column}".encode()).hexdigest()[:27]
        raise TwentyError(500, "InternalServerErrorException",
                          f'insert or update on table "{obj.singular}" violates foreign key constraint "{constraint}"')


def find_upsert_target(ws: Workspace, obj: ObjectDef, data: dict[str, Any]) -> dict[str, Any] | None:
    """v2.4 `?upsert=true`: the row matching the input's id, else one of its unique values."""
    if isinstance(data.get("id"), str) and data["id"] in ws.rows[obj.singular]:
        return ws.rows[obj.singular][data["id"]]
    probe: dict[str, Any] = {}
    apply_input(ws, obj, {k: v for k, v in data.items() if k in {n for n, _ in obj.unique}}, probe, True)
    for name, sub in obj.unique:
        value = (probe.get(name) or {}).get(sub)
        if value not in (None, ""):
            match = next((r for r in ws.rows_of(obj, True) if (r.get(name) or {}).get(sub) == value), None)
            if match:
                return match
    return None


def create(ws: Workspace, obj: ObjectDef, items: list[Any], upsert: bool = False) -> list[dict[str, Any]]:
    now = now_iso()
    prepared: list[tuple[dict[str, Any], bool]] = []
    for data in items:
        if not isinstance(data, dict):
            raise bad_request("Body must be an object")
        existing = find_upsert_target(ws, obj, data) if upsert else None
        if existing is not None:
            row = copy.deepcopy(existing)
            apply_input(ws, obj, data, row, creating=False)
            row.update(updatedAt=now, position=ws.allocate_position(obj))
            if "updatedBy" in row:
                row["updatedBy"] = ws.actor()
        else:
            row = ws.blank_row(obj, str(uuid.uuid4()), now)
            apply_input(ws, obj, data, row, creating=True)
        prepared.append((row, existing is not None))
    pending: list[dict[str, Any]] = []
    taken = unique_values(ws, obj)
    for row, is_update in prepared:
        _check(ws, obj, row, pending, {row["id"]} if is_update else set(), creating=not is_update, taken=taken)
        pending.append(row)
        for name, sub in obj.unique:
            value = (row.get(name) or {}).get(sub)
            if value not in (None, ""):
                taken[(name, sub)][value] = row["id"]
    for row in pending:
        ws.rows[obj.singular][row["id"]] = row
    return pending


def update(ws: Workspace, obj: ObjectDef, record_id: str, data: Any) -> dict[str, Any]:
    current = ws.get(obj, record_id)
    if current is None:
        raise entity_not_found(ws.version, obj, record_id, full_select=False)
    row = copy.deepcopy(current)
    apply_input(ws, obj, data, row, creating=False)
    row["updatedAt"] = now_iso()
    if "updatedBy" in row:
        row["updatedBy"] = ws.actor()
    _check(ws, obj, row, [], {record_id}, creating=False)
    ws.rows[obj.singular][record_id] = row
    return row


def destroy(ws: Workspace, obj: ObjectDef, record_id: str) -> None:
    """Hard delete: link rows (targets, attachments) cascade, other references become null."""
    ws.rows[obj.singular].pop(record_id, None)
    for other in ws.objects.values():
        for column, f in other.join_columns().items():
            if not f.relation or f.relation.target != obj.singular:
                continue
            for row in list(ws.rows[other.singular].values()):
                if row.get(column) == record_id:
                    if f.relation.cascade:
                        destroy(ws, other, row["id"])
                    else:
                        row[column] = None


def soft_delete(ws: Workspace, row: dict[str, Any]) -> dict[str, Any]:
    now = now_iso()
    row.update(deletedAt=now, updatedAt=now)
    return row


def restore(ws: Workspace, obj: ObjectDef, row: dict[str, Any]) -> dict[str, Any]:
    """Undo a soft delete; on v1.5 an active row may meanwhile hold the unique value."""
    if ws.version == "v1.5":
        for name, sub in obj.unique:
            value = (row.get(name) or {}).get(sub)
            if value not in (None, "") and any((r.get(name) or {}).get(sub) == value for r in ws.rows_of(obj)):
                index = hashlib.md5(f"{obj.singular}.{name}".encode()).hexdigest()[:21]
                raise TwentyError(500, "QueryFailedError",
                                  f'duplicate key value violates unique constraint "IDX_UNIQUE_{index}"')
    row.update(deletedAt=None, updatedAt=now_iso())
    return row


def render(ws: Workspace, obj: ObjectDef, row: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A record as REST returns it; relations are embedded at depth ≥ 1."""
    out: dict[str, Any] = {}
    for f in obj.active_fields():
        if f.stored:
            out[f.name] = _output(ws, f, row.get(f.name))
    for column in obj.join_columns():
        out[column] = row.get(column)
    if depth <= 0:
        return out
    for f in obj.active_fields():
        if f.relation is None:
            continue
        target = ws.objects.get(f.relation.target)
        if f.relation.kind == "MANY_TO_ONE":
            linked = ws.get(target, row.get(f"{f.name}Id")) if target else None
            out[f.name] = render(ws, target, linked, depth - 1) if target and linked else None
            continue
        inverse = target.fields.get(f.relation.inverse) if target else None
        column = inverse.join_column if inverse else None
        children = ws.rows_of(target) if target and column else []
        out[f.name] = [render(ws, target, r, depth - 1) for r in sorted(children, key=lambda r: r["id"])
                       if r.get(column) == row["id"]]
    return out


def _output(ws: Workspace, f: Field, value: Any) -> Any:
    value = copy.deepcopy(value)
    if f.type == "CURRENCY" and isinstance(value, dict) and value.get("amountMicros") is not None:
        micros = value["amountMicros"]
        value["amountMicros"] = str(int(micros)) if ws.version == "v1.5" else micros
    return value


def duplicates(ws: Workspace, obj: ObjectDef, candidate: dict[str, Any], exclude: str | None) -> list[dict[str, Any]]:
    """Rows sharing the candidate's name or its unique value (company domain, person email)."""
    probe: dict[str, Any] = {}
    keys = {"name"} | {name for name, _ in obj.unique}
    apply_input(ws, obj, {k: v for k, v in candidate.items() if k in keys and k in obj.fields}, probe, True)

    def same(row: dict[str, Any]) -> bool:
        name = probe.get("name")
        if name not in (None, "", {"firstName": "", "lastName": ""}) and row.get("name") == name:
            return True
        return any((probe.get(n) or {}).get(s) not in (None, "") and (row.get(n) or {}).get(s) == probe[n][s]
                   for n, s in obj.unique)

    return sorted((r for r in ws.rows_of(obj) if r["id"] != exclude and same(r)), key=lambda r: r["id"])
