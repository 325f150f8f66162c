"""What a Twenty workspace holds, read from its metadata API — never from a version number.

Twenty changed shapes between the v1.5 and v2.x lines, and both are in use:
- note/task targets link through `personId|companyId|opportunityId` on v1.5 and through
  `targetPersonId|…` (MORPH_RELATION fields named `target<Object>`) on v2.x;
- attachments carry `fullPath`, `type`, `authorId` and `<object>Id` on v1.5, and a FILES field
  `file: [{fileId, label}]`, `fileCategory` and `target<Object>Id` on v2.x; their upload is
  GraphQL `uploadFile` on /graphql (v1.5) or `uploadFilesFieldFile(fieldMetadataId)` on /metadata;
- `GET /rest/metadata/objects` takes no query string on v2.x (400 with one).
So the mapping speaks one logical shape (v1.5 names) and `WorkspaceSchema` adapts each payload.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_OPTION_COLORS = ("green", "turquoise", "sky", "blue", "purple", "pink", "red", "orange", "yellow", "gray")


@dataclass(frozen=True)
class ObjectInfo:
    id: str
    singular: str
    plural: str
    fields: dict[str, dict[str, Any]]  # field name → metadata field

    def has(self, name: str) -> bool:
        return name in self.fields


class WorkspaceSchema:
    def __init__(self, objects: Iterable[dict[str, Any]]):
        self.objects: dict[str, ObjectInfo] = {}
        for raw in objects:
            info = ObjectInfo(raw["id"], raw["nameSingular"], raw["namePlural"], {f["name"]: f for f in raw.get("fields", [])})
            self.objects[info.plural] = info

    def object(self, plural: str) -> ObjectInfo:
        try:
            return self.objects[plural]
        except KeyError:
            raise KeyError(f"the workspace has no object {plural!r}") from None

    @property
    def files_field_id(self) -> str | None:
        """The attachment FILES field's id on v2.x (its upload names it); None on v1.5."""
        attachment = self.objects.get("attachments")
        field = attachment.fields.get("file") if attachment else None
        return field["id"] if field and field.get("type") == "FILES" else None

    def field_name(self, plural: str, payload_key: str) -> str:
        """The workspace's name for a logical payload key: `personId` → `targetPersonId` on v2.x."""
        info = self.objects.get(plural)
        if info is None or not payload_key.endswith("Id") or payload_key == "id":
            return payload_key
        base = payload_key[:-2]
        if info.has(base):
            return payload_key
        morph = "target" + base[:1].upper() + base[1:]
        return f"{morph}Id" if info.has(morph) else payload_key

    def adapt(self, plural: str, record: dict[str, Any]) -> dict[str, Any]:
        adapted = {self.field_name(plural, key): value for key, value in record.items()}
        if plural == "attachments" and self.files_field_id:
            reference = adapted.pop("fullPath", None)
            adapted.pop("type", None)
            adapted.pop("authorId", None)
            if reference:
                adapted["file"] = [{"fileId": reference, "label": adapted.get("name") or "file"}]
        return adapted

    def missing_fields(self, plural: str, payload_keys: Iterable[str]) -> list[str]:
        """Fields a payload with these keys would send that the workspace does not have."""
        info = self.objects.get(plural)
        if info is None:
            return [f"{plural} (object)"]
        sample = {key.split(".")[0]: "x" for key in payload_keys}
        missing = []
        for name in self.adapt(plural, sample):
            base = name[:-2] if name.endswith("Id") and not info.has(name) else name
            if not info.has(base):
                missing.append(name)
        return missing


def option_payload(values: Iterable[str], existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The FULL option list Twenty wants on PATCH: existing options (with their ids) plus new ones."""
    options = [dict(option) for option in existing or []]
    known = {option["value"] for option in options}
    for value in values:
        if value not in known:
            position = len(options)
            options.append({"value": value, "label": value.replace("_", " ").title(), "position": position,
                            "color": _OPTION_COLORS[position % len(_OPTION_COLORS)]})
            known.add(value)
    return options
