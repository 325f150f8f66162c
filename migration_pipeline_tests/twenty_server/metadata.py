"""The metadata API: `/rest/metadata/objects[/<id>]` and `/rest/metadata/fields[/<id>]`.

Custom fields and objects change the workspace in place, so a field created here is writable,
filterable and returned on records by the very next request — as on a real server. Metadata calls
are never rate-limited; on v2.4 any query string on a metadata path is a 400 (a server bug).
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
from typing import Any

from .errors import TwentyError, metadata_error
from .schema import FIELD_TYPES, Field, ObjectDef, Relation
from .standard import ghost_relations, one_to_many, many_to_one, scalar, system_fields, target_name
from .state import Workspace
from .values import initial_value, now_iso

Response = tuple[int, dict[str, Any]]
_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_OPTION_VALUE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")
# Objects that get a link field to every custom object, and the custom object's relation back.
_LINK_OBJECTS = {"noteTarget": "noteTargets", "taskTarget": "taskTargets", "attachment": "attachments"}


def handle(ws: Workspace, method: str, path: str, raw_query: str, body: Any) -> Response:
    tail = path[len("/rest/metadata/"):]
    if ws.version == "v2.4" and raw_query:
        raise _path_error(f"{path}?{raw_query}", f"{tail}?{raw_query}")
    segments = [s for s in tail.split("/") if s]
    if not segments or segments[0] not in ("objects", "fields") or len(segments) > 2:
        raise _path_error(path, tail)
    kind, ident = segments[0], (segments[1] if len(segments) == 2 else None)
    if kind == "objects":
        if ident is None:
            return _create_object(ws, body) if method == "POST" else _list(ws, "objects", [
                object_json(ws, o) for o in ws.objects.values()])
        return _object_by_id(ws, method, ident, body)
    if ident is None:
        if method == "POST":
            return _create_field(ws, body)
        return _list(ws, "fields", [field_json(ws, o, f) for o in ws.objects.values() for f in o.fields.values()])
    return _field_by_id(ws, method, ident, body)


def _path_error(shown: str, tail: str) -> TwentyError:
    return TwentyError(400, "Bad Request", f"Query path '{shown}' invalid. Metadata path \"{tail}\" does not exist. "
                       "Valid examples: /rest/metadata/fields or /rest/metadata/objects", singular=True)


def _list(ws: Workspace, key: str, items: list[dict[str, Any]]) -> Response:
    def cursor(i: int) -> str:
        return base64.b64encode(f"arrayconnection:{i}".encode()).decode()
    info = {"hasNextPage": False, "startCursor": cursor(0) if items else None,
            "endCursor": cursor(len(items) - 1) if items else None}
    return 200, {"data": {key: items}, "pageInfo": info}


def field_json(ws: Workspace, obj: ObjectDef, f: Field) -> dict[str, Any]:
    relation = None
    if f.relation and f.type == "RELATION":  # MORPH_RELATION fields report relation: null
        relation = {"type": f.relation.kind, "targetObjectMetadata": ws.object_ref(f.relation.target),
                    "targetFieldMetadata": ws.field_ref(f.relation.target, f.relation.inverse),
                    "sourceObjectMetadata": ws.object_ref(obj.singular),
                    "sourceFieldMetadata": {"id": f.id, "name": f.name}}
    return {"id": f.id, "type": f.type, "name": f.name, "label": f.label, "description": f.description,
            "icon": f.icon, "isCustom": f.custom, "isActive": f.active, "isSystem": f.system,
            "isNullable": f.nullable, "createdAt": f.created_at, "updatedAt": f.updated_at,
            "defaultValue": copy.deepcopy(f.default), "options": copy.deepcopy(f.options), "relation": relation}


def object_json(ws: Workspace, obj: ObjectDef) -> dict[str, Any]:
    label_field = obj.fields.get(obj.label_identifier)
    image_field = obj.fields.get(obj.image_identifier or "")
    return {"id": obj.id, "nameSingular": obj.singular, "namePlural": obj.plural, "isCustom": obj.custom,
            "isActive": True, "isSystem": obj.system, "createdAt": obj.created_at, "updatedAt": obj.updated_at,
            "labelIdentifierFieldMetadataId": label_field.id if label_field else None,
            "imageIdentifierFieldMetadataId": image_field.id if image_field else None,
            "labelSingular": obj.label_singular,
            "labelPlural": obj.label_plural, "description": obj.description, "icon": obj.icon,
            "fields": [field_json(ws, obj, f) for f in obj.fields.values()]}


def _object_by_id(ws: Workspace, method: str, object_id: str, body: Any) -> Response:
    obj = ws.object_by_id(object_id)
    if obj is None:
        raise metadata_error("Object does not exist", 404)
    if method == "GET":
        return 200, {"data": {"object": object_json(ws, obj)}}
    if method == "PATCH":
        for key, attribute in (("labelSingular", "label_singular"), ("labelPlural", "label_plural"),
                               ("description", "description"), ("icon", "icon")):
            if isinstance(body, dict) and key in body:
                setattr(obj, attribute, body[key])
        obj.updated_at = now_iso()
        return 200, {"data": {"updateOneObject": object_json(ws, obj)}}
    if method != "DELETE":
        raise metadata_error(f"Method {method} is not allowed on metadata objects")
    if not obj.custom:
        raise metadata_error("Standard objects can't be deleted")
    del ws.objects[obj.singular], ws.rows[obj.singular]
    for other in ws.objects.values():
        for f in [f for f in other.fields.values() if f.relation and f.relation.target == obj.singular]:
            _drop_field(ws, other, f)
    return 200, {"data": {"deleteOneObject": {"id": obj.id}}}


def _create_object(ws: Workspace, body: Any) -> Response:
    body = body if isinstance(body, dict) else {}
    names = [body.get(k) for k in ("nameSingular", "namePlural", "labelSingular", "labelPlural")]
    if not all(isinstance(n, str) and n for n in names):
        raise metadata_error("nameSingular, namePlural, labelSingular and labelPlural are required")
    singular, plural = names[0], names[1]
    for name in (plural, singular):
        if not _CAMEL.match(name):
            raise metadata_error(f"{name} should be in camelCase")
    if any({o.singular, o.plural} & {singular, plural} for o in ws.objects.values()):
        raise metadata_error("Object already exists")
    now, v = now_iso(), ws.version
    obj = ObjectDef(singular, plural, names[2], names[3], str(uuid.uuid4()), custom=True,
                    description=body.get("description", ""), icon=body.get("icon"), search=("name",),
                    created_at=now, updated_at=now)
    name = scalar("name", "TEXT", "Name", required=v == "v1.5", default="'Untitled'" if v == "v1.5" else None)
    link = target_name(v, singular)
    fields = [name, *system_fields(v, custom=True),
              *[one_to_many(inverse, owner, link, system=True) for owner, inverse in _LINK_OBJECTS.items()],
              *ghost_relations(v, singular, "timelineActivities", *(["favorites"] if v == "v1.5" else []))]
    for f in fields:
        _register(obj, f, now)
    ws.objects[singular], ws.rows[singular] = obj, {}
    for owner, inverse in _LINK_OBJECTS.items():
        field = many_to_one(v, link, singular, inverse, cascade=True, morph=True, system=True)
        _add_to_rows(ws, ws.objects[owner], _register(ws.objects[owner], field, now))
    return 201, {"data": {"createOneObject": object_json(ws, obj)}}


def _register(obj: ObjectDef, f: Field, now: str) -> Field:
    f.id, f.created_at, f.updated_at = str(uuid.uuid4()), now, now
    return obj.add(f)


def _add_to_rows(ws: Workspace, obj: ObjectDef, f: Field) -> None:
    for row in ws.rows[obj.singular].values():
        if f.join_column:
            row[f.join_column] = None
        elif f.stored:
            row[f.name] = initial_value(f, ws.version)


def _drop_field(ws: Workspace, obj: ObjectDef, f: Field) -> None:
    obj.fields.pop(f.name, None)
    for row in ws.rows.get(obj.singular, {}).values():
        row.pop(f.join_column or f.name, None)


def _options(ws: Workspace, raw: Any) -> list[dict[str, Any]]:
    grouped = "Multiple validation errors occurred while creating fields"
    if not isinstance(raw, list) or not raw:
        raise metadata_error("Options are required for enum fields" if ws.version == "v1.5" else grouped)
    options = []
    for position, option in enumerate(raw):
        value = option.get("value") if isinstance(option, dict) else None
        if not isinstance(value, str) or not _OPTION_VALUE.match(value):
            raise metadata_error(f"Value must be in UPPER_CASE and follow snake_case '{value}'"
                                 if ws.version == "v1.5" else grouped)
        options.append({"id": option.get("id") or str(uuid.uuid4()), "color": option.get("color", "gray"),
                        "label": option.get("label", value), "value": value,
                        "position": option.get("position", position)})
    return options


def _create_field(ws: Workspace, body: Any) -> Response:
    body = body if isinstance(body, dict) else {}
    obj = ws.object_by_id(body.get("objectMetadataId", ""))
    if obj is None:
        raise metadata_error("Object metadata does not exist")
    type_, name, v = body.get("type"), body.get("name"), ws.version
    if type_ not in FIELD_TYPES:
        raise metadata_error(f"Value '{type_}' does not exist in 'FieldMetadataType' enum.")
    if not isinstance(name, str) or not _CAMEL.match(name):
        raise metadata_error(f"{name} should be in camelCase")
    _ensure_available(obj, name)
    f = scalar(name, type_, body.get("label") or name)
    f.custom, f.nullable = True, not (v == "v1.5" and type_ == "TEXT")
    f.description = body.get("description", "") if v == "v2.4" else None
    f.icon = body.get("icon", "") if v == "v2.4" else body.get("icon")
    if "defaultValue" in body:
        f.default = body["defaultValue"]
    elif type_ == "TEXT" and v == "v1.5":
        f.default = "''"
    if type_ in ("SELECT", "MULTI_SELECT"):
        f.options = _options(ws, body.get("options"))
    now = now_iso()
    if type_ == "RELATION":
        _create_relation(ws, obj, f, body.get("relationCreationPayload"), now)
    _add_to_rows(ws, obj, _register(obj, f, now))
    return 201, {"data": {"createOneField": field_json(ws, obj, f)}}


def _ensure_available(obj: ObjectDef, name: str) -> None:
    if name in obj.fields or name in obj.join_columns():
        raise metadata_error(f"Name '{name}' is not available, check that it is not duplicating another field's name.")


def _create_relation(ws: Workspace, obj: ObjectDef, f: Field, payload: Any, now: str) -> None:
    payload = payload if isinstance(payload, dict) else {}
    target = ws.object_by_id(payload.get("targetObjectMetadataId", ""))
    if target is None:
        raise metadata_error("Object metadata relation target not found for relation creation payload")
    many_to_one_side = payload.get("type", "MANY_TO_ONE") == "MANY_TO_ONE"
    inverse_name = obj.plural if many_to_one_side else obj.singular
    _ensure_available(target, inverse_name)
    f.relation = Relation("MANY_TO_ONE" if many_to_one_side else "ONE_TO_MANY", target.singular, inverse_name)
    inverse = Field(inverse_name, "RELATION", payload.get("targetFieldLabel") or inverse_name, custom=True,
                    icon=payload.get("targetFieldIcon"), description=f.description,
                    relation=Relation("ONE_TO_MANY" if many_to_one_side else "MANY_TO_ONE", obj.singular, f.name))
    _add_to_rows(ws, target, _register(target, inverse, now))


def _field_by_id(ws: Workspace, method: str, field_id: str, body: Any) -> Response:
    found = ws.field_by_id(field_id)
    if found is None:
        raise metadata_error("Field metadata does not exist", 404)
    obj, f = found
    if method == "GET":
        return 200, {"data": {"field": field_json(ws, obj, f)}}
    if method == "PATCH":
        body = body if isinstance(body, dict) else {}
        if "options" in body:
            f.options = _options(ws, body["options"])
        for key, attribute in (("label", "label"), ("description", "description"), ("icon", "icon"),
                               ("isActive", "active"), ("defaultValue", "default")):
            if key in body:
                setattr(f, attribute, body[key])
        f.updated_at = now_iso()
        return 200, {"data": {"updateOneField": field_json(ws, obj, f)}}
    if method != "DELETE":
        raise metadata_error(f"Method {method} is not allowed on metadata fields")
    if not f.custom:
        raise metadata_error("Standard fields can't be deleted")
    if f.active:
        raise metadata_error("Active fields can't be deleted")
    _drop_field(ws, obj, f)
    if f.relation and f.relation.target in ws.objects:
        target = ws.objects[f.relation.target]
        inverse = target.fields.get(f.relation.inverse)
        if inverse:
            _drop_field(ws, target, inverse)
    return 200, {"data": {"deleteOneField": {"id": f.id}}}
