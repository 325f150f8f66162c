"""The REST record API: `/rest/<plural>[/<id>]`, `/rest/batch/<plural>`, duplicates, restore.

Routing mimics Twenty's path parser, quirks included: it removes every `/rest` from the path (so
`/<id>/restore` becomes `<id>ore`, "not a valid UUID"), reads `/rest/core/companies` as object
`core` with id `companies`, and on v2.4 only understands `/rest/restore/<plural>?filter=`.
"""

from __future__ import annotations

from typing import Any

from .filters import matches, mentions, parse_filter
from .paging import paginate, parse_limit, parse_order
from .errors import TwentyError, bad_request, entity_not_found, not_found
from .records import create, destroy, duplicates, render, restore, soft_delete, update
from .schema import ObjectDef
from .state import Workspace
from .values import is_uuid

Response = tuple[int, dict[str, Any]]


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def handle(ws: Workspace, batch_cap: int | None, method: str, path: str, query: dict[str, str], body: Any) -> Response:
    segments = [s for s in path[len("/rest/"):].replace("/rest", "").split("/") if s]
    if len(segments) == 2 and segments[0] == "batch":
        return _batch(ws, _object(ws, segments[1]), batch_cap, method, query, body)
    if segments and segments[0] == "restore" and ws.version == "v2.4":
        if len(segments) == 2 and method == "PATCH":
            return _restore_many(ws, _object(ws, segments[1]), query)
        raise _invalid_path(path)
    if len(segments) == 2:
        plural, ident = segments
        if ident == "duplicates" and method == "POST":
            return _duplicates(ws, _object(ws, plural), body)
        if not is_uuid(ident):
            raise bad_request(f"'{ident}' is not a valid UUID")
        return _one(ws, _object(ws, plural), ident, method, query, body)
    if len(segments) != 1:
        raise _invalid_path(path)
    obj = _object(ws, segments[0])
    if method == "GET":
        return _list(ws, obj, query)
    if method == "POST":
        _writable(obj)
        if not isinstance(body, dict):
            raise bad_request("Body must be an object")
        row = create(ws, obj, [body], upsert=ws.version == "v2.4" and query.get("upsert") == "true")[0]
        return 201, {"data": {f"create{_cap(obj.singular)}": render(ws, obj, row)}}
    if method == "DELETE" and ws.version == "v2.4":
        return _delete_many(ws, obj, query)
    raise _invalid_path(path)


def _invalid_path(path: str) -> TwentyError:
    return bad_request(f"Query path '{path}' invalid. Valid examples: /rest/companies/id or /rest/companies "
                       "or /rest/batch/companies")


def _object(ws: Workspace, plural: str) -> ObjectDef:
    obj = ws.object_by_plural(plural)
    if obj is None:
        raise bad_request(f"object '{plural}' not found. eg: companies")
    return obj


def _writable(obj: ObjectDef) -> None:
    if obj.read_only:
        raise TwentyError(403, "FORBIDDEN_EXCEPTION", f"{obj.plural} are read-only through the API")


def _depth(query: dict[str, str]) -> int:
    raw = query.get("depth", "0")
    if raw not in ("0", "1", "2"):
        raise bad_request(f"'depth={raw}' parameter invalid. Allowed values are 0, 1, 2")
    return int(raw)


def _list(ws: Workspace, obj: ObjectDef, query: dict[str, str]) -> Response:
    node = parse_filter(query["filter"], obj) if query.get("filter") else None
    keys = parse_order(query.get("order_by"), obj)
    limit = parse_limit(query.get("limit"), ws.version)
    depth = _depth(query)
    include_deleted = ws.version == "v2.4" and mentions(node, "deletedAt")  # v1.5 REST never shows them
    rows = [r for r in ws.rows_of(obj, include_deleted) if node is None or matches(node, r, obj)]
    page, info, total = paginate(rows, keys, limit, ws.version, query.get("starting_after"), query.get("ending_before"))
    records = [render(ws, obj, r, depth) for r in page]
    if ws.version == "v1.5":
        return 200, {"data": {obj.plural: records}, "pageInfo": info, "totalCount": total}
    return 200, {"data": {obj.plural: records}, "totalCount": total, "pageInfo": info}


def _batch(ws: Workspace, obj: ObjectDef, batch_cap: int | None, method: str, query: dict[str, str],
           body: Any) -> Response:
    if method != "POST":
        raise bad_request(f"Method {method} is not allowed on /rest/batch/{obj.plural}")
    _writable(obj)
    if not isinstance(body, list):
        if ws.version == "v1.5":
            raise bad_request("Body must be an array")
        raise TwentyError(400, "TypeError", "args.data.forEach is not a function")
    if not body and ws.version == "v1.5":
        raise bad_request("Input must not be empty")
    if batch_cap is not None and len(body) > batch_cap:
        raise bad_request(f"Maximum number of records to upsert is {batch_cap}.")
    rows = create(ws, obj, body, upsert=ws.version == "v2.4" and query.get("upsert") == "true")
    return 201, {"data": {f"create{_cap(obj.plural)}": [render(ws, obj, r) for r in rows]}}


def _one(ws: Workspace, obj: ObjectDef, record_id: str, method: str, query: dict[str, str], body: Any) -> Response:
    if method == "GET":
        row = ws.get(obj, record_id)
        if row is None:
            raise not_found(ws.version)
        return 200, {"data": {obj.singular: render(ws, obj, row, _depth(query))}}
    _writable(obj)
    if method in ("PATCH", "PUT"):
        row = update(ws, obj, record_id, body)
        return 200, {"data": {f"update{_cap(obj.singular)}": render(ws, obj, row)}}
    if method != "DELETE":
        raise bad_request(f"Method {method} is not allowed on /rest/{obj.plural}/{record_id}")
    if ws.version == "v2.4" and query.get("soft_delete") == "true":
        row = ws.get(obj, record_id)
        if row is None:
            raise not_found(ws.version)
        return 200, {"data": {f"delete{_cap(obj.singular)}": render(ws, obj, soft_delete(ws, row))}}
    if ws.get(obj, record_id, include_deleted=ws.version == "v2.4") is None:
        raise entity_not_found(ws.version, obj, record_id, full_select=True)
    destroy(ws, obj, record_id)
    return 200, {"data": {f"delete{_cap(obj.singular)}": {"id": record_id}}}


def _matching(ws: Workspace, obj: ObjectDef, query: dict[str, str], deleted_only: bool) -> list[dict[str, Any]]:
    if not query.get("filter"):
        raise bad_request("A filter is required to act on several records")
    node = parse_filter(query["filter"], obj)
    rows = ws.rows_of(obj, include_deleted=deleted_only or mentions(node, "deletedAt"))
    rows = [r for r in rows if matches(node, r, obj) and (not deleted_only or r.get("deletedAt") is not None)]
    return sorted(rows, key=lambda r: r["id"])


def _delete_many(ws: Workspace, obj: ObjectDef, query: dict[str, str]) -> Response:
    """v2.4 `DELETE /rest/<plural>?filter=`: destroy (or soft-delete) every matching row at once."""
    _writable(obj)
    rows = _matching(ws, obj, query, deleted_only=False)
    if query.get("soft_delete") == "true":
        return 200, {"data": {f"delete{_cap(obj.plural)}": [render(ws, obj, soft_delete(ws, r)) for r in rows]}}
    for row in rows:
        destroy(ws, obj, row["id"])
    return 200, {"data": {f"delete{_cap(obj.plural)}": [{"id": r["id"]} for r in rows]}}


def _restore_many(ws: Workspace, obj: ObjectDef, query: dict[str, str]) -> Response:
    _writable(obj)
    rows = [restore(ws, obj, r) for r in _matching(ws, obj, query, deleted_only=True)]
    return 200, {"data": {f"restore{_cap(obj.plural)}": [render(ws, obj, r) for r in rows]}}


def _duplicates(ws: Workspace, obj: ObjectDef, body: Any) -> Response:
    """`POST /rest/<plural>/duplicates` with `{data: [...]}` candidates or `{ids: [...]}`."""
    if not isinstance(body, dict) or not isinstance(body.get("data", body.get("ids")), list):
        raise bad_request("The body must hold a 'data' or an 'ids' array")
    candidates: list[tuple[dict[str, Any], str | None]] = []
    for record_id in body.get("ids") or []:
        row = ws.get(obj, record_id) if is_uuid(record_id) else None
        if row is None:
            raise not_found(ws.version)
        candidates.append((row, record_id))
    candidates += [(item, item.get("id")) for item in body.get("data") or [] if isinstance(item, dict)]
    entries = []
    for candidate, own_id in candidates:
        found = duplicates(ws, obj, candidate, own_id)
        page, info, total = paginate(found, parse_order(None, obj), 60, "v1.5", None, None)
        entries.append({f"{obj.singular}Duplicates": [render(ws, obj, r) for r in page], "pageInfo": info,
                        "totalCount": total})
    return 200, {"data": entries}
