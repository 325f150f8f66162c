"""The in-memory workspace: its objects (metadata), their rows and the uploaded files.

One `Workspace` per server. Every request runs under `lock`, so handlers can read and write the
dictionaries directly; rows are stored in Twenty's output shape (composites as dicts) with
`amountMicros` as a number, and rendered per version on the way out.
"""

from __future__ import annotations

import secrets
import string
import threading
from typing import Any

from .files import FileStore
from .schema import GHOST_OBJECTS, ObjectDef, Field, Version, stable_id
from .standard import standard_objects
from .values import initial_value, now_iso

API_KEY_NAME = "migration-test"


class Workspace:
    def __init__(self, version: Version, members: list[str]):
        self.version = version
        self.lock = threading.RLock()
        self.created_at = now_iso()
        self.objects: dict[str, ObjectDef] = standard_objects(version, self.created_at)
        self.rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.objects}
        self.files = FileStore()
        self.base_url = ""
        alphabet = string.ascii_lowercase + string.digits
        self.schema_name = "workspace_" + "".join(secrets.choice(alphabet) for _ in range(25))
        self._positions: dict[str, int] = {}
        for email in members:
            self.add_member(email)

    # ---- lookups -------------------------------------------------------------------------
    def object_by_plural(self, plural: str) -> ObjectDef | None:
        return next((o for o in self.objects.values() if o.plural == plural), None)

    def object_by_id(self, object_id: str) -> ObjectDef | None:
        return next((o for o in self.objects.values() if o.id == object_id), None)

    def field_by_id(self, field_id: str) -> tuple[ObjectDef, Field] | None:
        for obj in self.objects.values():
            for f in obj.fields.values():
                if f.id == field_id:
                    return obj, f
        return None

    def object_ref(self, singular: str) -> dict[str, str]:
        """`{id, nameSingular, namePlural}` of an object, stored or not (relations name both)."""
        obj = self.objects.get(singular)
        if obj:
            return {"id": obj.id, "nameSingular": obj.singular, "namePlural": obj.plural}
        return {"id": stable_id(self.version, "object", singular), "nameSingular": singular,
                "namePlural": GHOST_OBJECTS.get(singular, singular + "s")}

    def field_ref(self, singular: str, name: str) -> dict[str, str]:
        obj = self.objects.get(singular)
        f = obj.fields.get(name) if obj else None
        return {"id": f.id if f else stable_id(self.version, singular, name), "name": name}

    def rows_of(self, obj: ObjectDef, include_deleted: bool = False) -> list[dict[str, Any]]:
        rows = self.rows.get(obj.singular, {}).values()
        return [r for r in rows if include_deleted or r.get("deletedAt") is None]

    def get(self, obj: ObjectDef, record_id: Any, include_deleted: bool = False) -> dict[str, Any] | None:
        row = self.rows.get(obj.singular, {}).get(record_id)
        if row is None or (row.get("deletedAt") is not None and not include_deleted):
            return None
        return row

    def file_url(self, file_id: str) -> str:
        """The signed download URL v2.4 returns for a FILES-field file."""
        return f"{self.base_url}/file/files-field/{file_id}?token={self.files.token()}"

    # ---- record defaults -----------------------------------------------------------------
    def actor(self) -> dict[str, Any]:
        return {"source": "API", "workspaceMemberId": None, "name": API_KEY_NAME, "context": {}}

    def allocate_position(self, obj: ObjectDef) -> int:
        """v1.5 puts every API record at 0; v2.4 places each new one before the others (0, -1, -2…)."""
        if self.version == "v1.5":
            return 0
        position = self._positions.get(obj.singular, 1) - 1
        self._positions[obj.singular] = position
        return position

    def blank_row(self, obj: ObjectDef, record_id: str, now: str) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for f in obj.fields.values():
            if f.stored:
                row[f.name] = initial_value(f, self.version)
        for column in obj.join_columns():
            row[column] = None
        row.update(id=record_id, createdAt=now, updatedAt=now, deletedAt=None)
        if "position" in obj.fields:
            row["position"] = self.allocate_position(obj)
        for name in ("createdBy", "updatedBy"):
            if name in obj.fields:
                row[name] = self.actor()
        return row

    def add_member(self, email: str) -> None:
        obj = self.objects["workspaceMember"]
        member_id = stable_id("workspaceMember", email.lower())
        row = self.blank_row(obj, member_id, self.created_at)
        row.update(userEmail=email, userId=stable_id("user", email.lower()), position=0,
                   searchVector=f"'{email.lower()}':1")
        system = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": None}
        for name in ("createdBy", "updatedBy"):
            if name in row:
                row[name] = dict(system)
        self.rows["workspaceMember"][member_id] = row

    def member_id(self, email: str) -> str:
        for row in self.rows["workspaceMember"].values():
            if row["userEmail"].lower() == email.lower():
                return row["id"]
        raise KeyError(f"no workspace member with email {email!r}")

