"""Errors the double answers with, in Twenty's JSON shapes.

REST and metadata errors carry `messages: [...]`; file and metadata-path errors (Nest's default
exception filter) carry a singular `message`. Handlers raise `TwentyError`; the server renders it.
The record errors below differ per version, down to v1.5 leaking TypeORM's query in the text.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import COMPOSITES, Field, ObjectDef


class TwentyError(Exception):
    def __init__(self, status: int, error: str, message: str, *, singular: bool = False,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.singular = singular
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        if self.singular:
            return {"statusCode": self.status, "message": self.message, "error": self.error}
        return {"statusCode": self.status, "error": self.error, "messages": [self.message]}


def bad_request(message: str, error: str = "BadRequestException") -> TwentyError:
    return TwentyError(400, error, message)


def metadata_error(message: str, status: int = 400) -> TwentyError:
    """Errors of /rest/metadata: `error` is the HTTP reason phrase."""
    return TwentyError(status, "Bad Request" if status == 400 else "Not Found", message)


def unknown_field(version: str, obj: ObjectDef, key: str) -> TwentyError:
    if version == "v1.5":
        message = f'Field metadata for field "{key}" is missing in object metadata {obj.singular}'
        return TwentyError(400, "Error", message)
    return bad_request(f"Object {obj.singular} doesn't have any \"{key}\" field.")


def not_found(version: str) -> TwentyError:
    """GET of a missing, hard- or soft-deleted record."""
    if version == "v1.5":
        return bad_request("Record not found")
    return TwentyError(404, "NotFoundException", "Record not found")


def entity_not_found(version: str, obj: ObjectDef, record_id: str, *, full_select: bool) -> TwentyError:
    """PATCH/DELETE of a missing record: v1.5 leaks TypeORM's EntityNotFoundError text."""
    if version == "v2.4":
        return not_found(version)
    if full_select:
        columns = [c for f in obj.active_fields() if f.stored for c in _columns(f)] + list(obj.join_columns())
        criteria: dict[str, Any] = {"where": {"id": record_id}, "select": {c: True for c in columns}}
    else:
        criteria = {"select": {"id": True}, "where": {"id": record_id}}
    return TwentyError(400, "EntityNotFoundError", f'Could not find any entity of type "{obj.singular}" matching: '
                       + json.dumps(criteria, indent=4))


def _columns(f: Field) -> list[str]:
    if f.type in COMPOSITES:
        return [f.name + sub[:1].upper() + sub[1:] for sub in COMPOSITES[f.type]]
    return [f.name]
