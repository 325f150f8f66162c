"""The data model of a Twenty workspace as the double holds it: objects, fields, relations.

Twenty describes every object through its metadata API, and REST records are shaped by that
metadata, so the double keeps one description (`ObjectDef`/`Field`) and derives records, the
metadata JSON and validation from it. Field ids of standard objects are deterministic (uuid5) so
tests and replays can rely on them across server instances.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Version = Literal["v1.5", "v2.4"]

_NAMESPACE = uuid.UUID("6f1c1a52-6a0e-4c57-9d0b-3b0f2f7f9a11")

# Sub-fields of composite field types, in the order Twenty returns them.
COMPOSITES: dict[str, tuple[str, ...]] = {
    "FULL_NAME": ("firstName", "lastName"),
    "EMAILS": ("primaryEmail", "additionalEmails"),
    "PHONES": ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode", "additionalPhones"),
    "LINKS": ("primaryLinkLabel", "primaryLinkUrl", "secondaryLinks"),
    "ADDRESS": ("addressStreet1", "addressStreet2", "addressCity", "addressPostcode", "addressState",
                "addressCountry", "addressLat", "addressLng"),
    "CURRENCY": ("amountMicros", "currencyCode"),
    "RICH_TEXT_V2": ("blocknote", "markdown"),
    "ACTOR": ("source", "workspaceMemberId", "name", "context"),
}
# Sub-fields holding lists: null on v1.5 when empty, [] on v2.4.
ARRAY_SUBFIELDS = frozenset({"additionalEmails", "additionalPhones", "secondaryLinks"})

# Every FieldMetadataType value the metadata API accepts for a new field.
FIELD_TYPES = frozenset({
    "UUID", "TEXT", "PHONES", "EMAILS", "DATE_TIME", "DATE", "BOOLEAN", "NUMBER", "NUMERIC", "LINKS",
    "CURRENCY", "FULL_NAME", "RATING", "SELECT", "MULTI_SELECT", "RELATION", "MORPH_RELATION", "POSITION",
    "ADDRESS", "RAW_JSON", "RICH_TEXT_V2", "ACTOR", "ARRAY", "TS_VECTOR", "FILES",
})
RELATION_TYPES = frozenset({"RELATION", "MORPH_RELATION"})

# Objects Twenty has but the double does not store: relations to them render as [] / null.
GHOST_OBJECTS: dict[str, str] = {
    "favorite": "favorites", "timelineActivity": "timelineActivities", "messageParticipant": "messageParticipants",
    "calendarEventParticipant": "calendarEventParticipants", "blocklist": "blocklists",
    "connectedAccount": "connectedAccounts", "dashboard": "dashboards", "workflow": "workflows",
}


class _Unset:
    """Marker for "no explicit initial value": the record default derives from `Field.default`."""


UNSET: Any = _Unset()


def stable_id(*parts: str) -> str:
    """A deterministic UUID for standard metadata, so every server instance agrees on it."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@dataclass
class Relation:
    """One side of a relation. MANY_TO_ONE sides own the join column `<field>Id`."""

    kind: Literal["MANY_TO_ONE", "ONE_TO_MANY"]
    target: str  # nameSingular of the object on the other side
    inverse: str  # field name on the other side
    cascade: bool = False  # MANY_TO_ONE only: a hard delete of the target deletes this row too


@dataclass
class Field:
    name: str
    type: str
    label: str
    id: str = ""
    nullable: bool = True
    system: bool = False
    custom: bool = False
    active: bool = True
    default: Any = None  # metadata defaultValue, quoted the way Twenty stores it ("'NEW'", "''")
    options: list[dict[str, Any]] | None = None
    description: str | None = None
    icon: str | None = None
    relation: Relation | None = None
    initial: Any = UNSET  # value for new records when it differs from what `default` implies
    created_at: str = ""
    updated_at: str = ""

    @property
    def join_column(self) -> str | None:
        """`companyId` for a MANY_TO_ONE field `company`; None for every other field."""
        if self.relation and self.relation.kind == "MANY_TO_ONE":
            return f"{self.name}Id"
        return None

    @property
    def stored(self) -> bool:
        """Whether records carry a value under the field's own name (relations do not)."""
        return self.type not in RELATION_TYPES

    def option_values(self) -> list[str]:
        return [option["value"] for option in self.options or []]


@dataclass
class ObjectDef:
    singular: str
    plural: str
    label_singular: str
    label_plural: str
    id: str
    fields: dict[str, Field] = field(default_factory=dict)
    custom: bool = False
    system: bool = False
    description: str = ""
    icon: str | None = None
    label_identifier: str = "name"
    image_identifier: str | None = None
    read_only: bool = False
    unique: tuple[tuple[str, str], ...] = ()  # (field, sub-field) pairs that must be unique
    search: tuple[str, ...] = ()  # "field" or "field.sub" values indexed into searchVector
    created_at: str = ""
    updated_at: str = ""

    def active_fields(self) -> list[Field]:
        return [f for f in self.fields.values() if f.active]

    def join_columns(self) -> dict[str, Field]:
        """Join column name → its MANY_TO_ONE (or MORPH) field."""
        return {f.join_column: f for f in self.active_fields() if f.join_column}

    def add(self, new: Field) -> Field:
        self.fields[new.name] = new
        return new
