"""The GraphQL endpoints: `/graphql` (records, v1.5 uploads) and `/metadata` (v2.4 uploads).

Supported root fields: `<plural>(filter, first)` connections, `<singular>(filter)`,
`create<Singular|Plural>`, `update<Singular>`, `delete<Singular>` (soft), `restore<Singular>`,
`destroy<Singular>` (hard), v1.5 `uploadFile(file, fileFolder)` and v2.4
`uploadFilesFieldFile(file, fieldMetadataId)`. Errors always come back as HTTP 200 with
`errors[]`; the per-root-field rate limit answers "Too many requests." the same way.
"""

from __future__ import annotations

from typing import Any, Callable

from .files import Upload
from .gqlparse import GraphQLSyntaxError, Operation, Selection, parse
from .filters import OPERATORS, Condition, Group, Node, matches, mentions
from .paging import encode_cursor, paginate, parse_order
from .errors import TwentyError, not_found
from .records import create, destroy, render, restore, soft_delete, update
from .schema import ObjectDef
from .state import Workspace
from .values import now_iso

_CODES = {400: "BAD_USER_INPUT", 403: "FORBIDDEN", 404: "NOT_FOUND"}


def _error(message: str, code: str = "INTERNAL_SERVER_ERROR") -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, "userFriendlyMessage": "An error occurred."}}


def execute(ws: Workspace, endpoint: str, request: dict[str, Any], allow: Callable[[str], bool]) -> dict[str, Any]:
    """Run one GraphQL request; `allow(root_field)` is the rate limiter."""
    try:
        operation = parse(str(request.get("query") or ""), request.get("variables") or {})
    except GraphQLSyntaxError as exc:
        return {"errors": [_error(str(exc), "GRAPHQL_PARSE_FAILED")]}
    limited = [s for s in operation.selections if not allow(s.name)]  # counted before validation
    if limited:
        return {"errors": [_error("Too many requests.") for _ in limited],
                "data": {s.key: None for s in operation.selections}}
    invalid = _validate(ws, endpoint, operation)
    if invalid:
        return {"errors": invalid}
    data: dict[str, Any] = {}
    errors = []
    for selection in operation.selections:
        if selection.name == "__typename":
            data[selection.key] = "Mutation" if operation.kind == "mutation" else "Query"
            continue
        try:
            data[selection.key] = _resolve(ws, endpoint, selection)
        except TwentyError as exc:
            data[selection.key] = None
            errors.append(_error(exc.message, _CODES.get(exc.status, "INTERNAL_SERVER_ERROR")))
    return {"errors": errors, "data": data} if errors else {"data": data}


def _root_fields(ws: Workspace, endpoint: str, kind: str) -> set[str]:
    if endpoint == "/metadata":
        return {"uploadFilesFieldFile"} if kind == "mutation" and ws.version == "v2.4" else set()
    names: set[str] = set()
    for obj in ws.objects.values():
        if kind == "query":
            names |= {obj.singular, obj.plural}
        else:
            cap = obj.singular[:1].upper() + obj.singular[1:]
            names |= {f"{verb}{cap}" for verb in ("create", "update", "delete", "restore", "destroy")}
            names.add("create" + obj.plural[:1].upper() + obj.plural[1:])
    if kind == "mutation" and ws.version == "v1.5":
        names.add("uploadFile")
    return names


def _validate(ws: Workspace, endpoint: str, operation: Operation) -> list[dict[str, Any]]:
    """Apollo-style validation errors for unknown types and root fields."""
    errors = []
    uploads = _root_fields(ws, endpoint, "mutation") & {"uploadFile", "uploadFilesFieldFile"}
    for type_name, location in operation.variable_types:
        if type_name == "Upload" and not uploads:
            errors.append({"message": 'Unknown type "Upload". Did you mean "Float"?',
                           "locations": [location.as_json()]})
    known = _root_fields(ws, endpoint, operation.kind)
    type_name = "Mutation" if operation.kind == "mutation" else "Query"
    for selection in operation.selections:
        if selection.name not in known and selection.name != "__typename":
            errors.append({"message": f'Cannot query field "{selection.name}" on type "{type_name}".',
                           "locations": [selection.location.as_json()]})
    return errors


def project(value: Any, selections: list[Selection] | None) -> Any:
    """Keep only the selected keys (recursively), under their aliases."""
    if selections is None or value is None:
        return value
    if isinstance(value, list):
        return [project(item, selections) for item in value]
    return {s.key: project(value.get(s.name), s.children) for s in selections if s.name != "__typename"}


def to_node(graphql_filter: dict[str, Any], path: tuple[str, ...] = ()) -> Node:
    """`{and: [...], name: {eq: "x"}, domainName: {primaryLinkUrl: {eq: …}}}` → a REST filter tree."""
    items: list[Node] = []
    for key, value in (graphql_filter or {}).items():
        if key in ("and", "or"):
            items.append(Group(key, [to_node(item) for item in value or []]))
        elif key == "not":
            items.append(Group("not", [to_node(value)]))
        elif isinstance(value, dict) and value and set(value) <= OPERATORS:
            items += [Condition(path + (key,), op, operand) for op, operand in value.items()]
        elif isinstance(value, dict):
            items.append(to_node(value, path + (key,)))
    return Group("and", items)


def _resolve(ws: Workspace, endpoint: str, selection: Selection) -> Any:
    args, name = selection.args, selection.name
    if name == "uploadFile":
        return project(_upload_attachment(ws, args.get("file")), selection.children)
    if name == "uploadFilesFieldFile":
        return project(_upload_files_field(ws, args.get("file"), args.get("fieldMetadataId")), selection.children)
    for obj in ws.objects.values():
        if name == obj.plural:
            return project(_connection(ws, obj, args), selection.children)
        if name == obj.singular:
            rows = _filtered(ws, obj, args.get("filter"))
            return project(_render(ws, obj, rows[0]) if rows else None, selection.children)
        result = _mutate(ws, obj, name, args)
        if result is not None:
            return project(result, selection.children)
    raise TwentyError(400, "BadRequestException", f'Cannot query field "{name}"')  # the object was just deleted


def _filtered(ws: Workspace, obj: ObjectDef, graphql_filter: Any) -> list[dict[str, Any]]:
    node = to_node(graphql_filter) if isinstance(graphql_filter, dict) else None
    rows = ws.rows_of(obj, include_deleted=mentions(node, "deletedAt"))
    return sorted((r for r in rows if node is None or matches(node, r, obj)), key=lambda r: r["id"])


def _render(ws: Workspace, obj: ObjectDef, row: dict[str, Any]) -> dict[str, Any]:
    record = render(ws, obj, row, depth=1)
    path = record.get("fullPath")
    if obj.singular == "attachment" and isinstance(path, str) and path.startswith("attachment/"):
        record["fullPath"] = f"{ws.base_url}/files/attachment/{ws.files.token()}/{path.split('/', 1)[1]}"
    return record


def _connection(ws: Workspace, obj: ObjectDef, args: dict[str, Any]) -> dict[str, Any]:
    keys = parse_order(None, obj)
    first = args.get("first") if isinstance(args.get("first"), int) else 60
    page, info, total = paginate(_filtered(ws, obj, args.get("filter")), keys, first, "v2.4", args.get("after"), None)
    return {"totalCount": total, "pageInfo": info,
            "edges": [{"node": _render(ws, obj, row), "cursor": encode_cursor(keys, row)} for row in page]}


def _mutate(ws: Workspace, obj: ObjectDef, name: str, args: dict[str, Any]) -> dict[str, Any] | list[Any] | None:
    cap = obj.singular[:1].upper() + obj.singular[1:]
    if name == "create" + obj.plural[:1].upper() + obj.plural[1:]:
        return [_render(ws, obj, r) for r in create(ws, obj, list(args.get("data") or []))]
    verb = name[: -len(cap)] if name.endswith(cap) else None
    if verb == "create":
        return _render(ws, obj, create(ws, obj, [args.get("data") or {}])[0])
    if verb == "update":
        return _render(ws, obj, update(ws, obj, str(args.get("id")), args.get("data") or {}))
    if verb not in ("delete", "restore", "destroy"):
        return None
    row = ws.get(obj, args.get("id"), include_deleted=verb != "delete")
    if row is None or (verb == "restore" and row.get("deletedAt") is None):
        raise not_found(ws.version)
    if verb == "destroy":
        destroy(ws, obj, row["id"])
        return {"id": row["id"]}
    return _render(ws, obj, soft_delete(ws, row) if verb == "delete" else restore(ws, obj, row))


def _upload_attachment(ws: Workspace, upload: Any) -> dict[str, Any]:
    if not isinstance(upload, Upload):
        raise TwentyError(400, "BadRequestException", "A multipart file is required")
    stored = ws.files.add_attachment(upload.filename, upload.content_type, upload.data, now_iso())
    return {"path": stored.path, "token": ws.files.new_token()}


def _upload_files_field(ws: Workspace, upload: Any, field_id: Any) -> dict[str, Any]:
    if not isinstance(upload, Upload):
        raise TwentyError(400, "BadRequestException", "A multipart file is required")
    found = ws.field_by_id(str(field_id))
    if found is None or found[1].type != "FILES":
        raise TwentyError(404, "NotFoundException", f"Field metadata {field_id} not found or not a FILES field")
    stored = ws.files.add_files_field(upload.filename, upload.content_type, upload.data, found[1].id, now_iso())
    return {"id": stored.id, "path": stored.path, "size": len(stored.data), "createdAt": stored.created_at,
            "url": ws.file_url(stored.id)}
