"""The one interface every destination implements (Twenty, Odoo, the dry-run file destination).

The pipeline hands a destination batches of destination-shaped payloads that already carry
their deterministic `id`; the destination answers per record. It never decides what to write:
the ledger and the mapping did that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Literal

import dagster as dg

Operation = Literal["create", "update"]
FailureKind = Literal["config", "transient", "data"]


@dataclass(frozen=True)
class Member:
    """A destination user who can own records (a Twenty workspace member, an Odoo user)."""

    id: str
    email: str
    name: str = ""
    contact_id: str | None = None  # the member's own contact record (Odoo: the user's res.partner)


@dataclass(frozen=True)
class WriteContext:
    migration: str
    run_id: str
    load: str
    target: str
    position: int  # the load's place in the dependency order, for import-ordered outputs
    fields: tuple[str, ...]  # every field the load can send, for tabular outputs


@dataclass(frozen=True)
class WriteOutcome:
    """The destination's answer for one record; `error` set means the record was not written.

    `matched` means the record already existed (found by a unique field) and was updated in
    place: `id` is then the existing record's and `before` its state before we touched it."""

    id: str
    ok: bool = True
    error: str | None = None
    kind: FailureKind | None = None
    matched: bool = False
    before: dict[str, Any] | None = None


@dataclass(frozen=True)
class NewFieldRequest:
    target: str
    name: str
    type: str
    label: str
    options: tuple[str, ...] = ()
    create: bool = True  # False: only add missing options to a select that already exists
    relation: str | None = None  # a relational field's target object


@dataclass(frozen=True)
class NewObjectRequest:
    plural: str
    singular: str
    label: str
    label_plural: str
    icon: str = "IconBox"


@dataclass
class SchemaResult:
    created: list[NewFieldRequest] = field(default_factory=list)
    existing: list[NewFieldRequest] = field(default_factory=list)


FileOpener = Callable[[], IO[bytes]]


class Destination(dg.ConfigurableResource, ABC):
    """Where records go. Implementations keep remote quirks inside their own module."""

    batch_size: int = 60

    @abstractmethod
    def describe(self) -> str:
        """A one-line, secret-free description for reports and metadata."""

    @abstractmethod
    def list_members(self) -> list[Member]:
        """Everyone records can be assigned to."""

    @abstractmethod
    def ensure_fields(self, migration: str, requests: Sequence[NewFieldRequest], *, apply: bool) -> SchemaResult:
        """Create missing custom fields and options; with `apply=False` only say what would be created."""

    @abstractmethod
    def write(self, context: WriteContext, operation: Operation, records: Sequence[dict[str, Any]]) -> list[WriteOutcome]:
        """Create or update a batch of payloads (each with its `id`), answering per record."""

    @abstractmethod
    def missing_fields(self, fields_by_target: dict[str, Sequence[str]]) -> list[str]:
        """'object.field' for every mapped field the destination does not have."""

    @abstractmethod
    def upload_file(self, context: WriteContext, name: str, size: int, opener: FileOpener) -> str:
        """Store a file and return the reference the attachment record carries."""

    @abstractmethod
    def delete(self, context: WriteContext, ids: Sequence[str]) -> list[WriteOutcome]:
        """Hard-delete records (rollback removes only what this migration created)."""

    @abstractmethod
    def read(self, context: WriteContext, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The records the destination holds among `ids` (missing ones are simply absent)."""

    def ensure_objects(self, migration: str, requests: Sequence[NewObjectRequest], *, apply: bool) -> list[NewObjectRequest]:
        """Create the custom objects that do not exist yet; return those created (or, without `apply`, to create)."""
        if requests:
            raise NotImplementedError(f"{self.describe()}: custom objects are not supported by this destination yet")
        return []

    def remove_object(self, plural: str) -> list[str]:
        """Delete a custom object the migration created (a full rollback)."""
        raise NotImplementedError(f"{self.describe()}: custom objects are not supported by this destination yet")

    @abstractmethod
    def remove_field(self, change: NewFieldRequest) -> list[str]:
        """Undo a schema change (a field created: `create`; options added: `options`); return the
        traces the destination keeps anyway, for the rollback report."""

    def traces_of_deleted(self, deleted: dict[str, int]) -> list[str]:
        """What the destination keeps by itself of records deleted by a rollback (target → count)."""
        return []

    def as_sent(self, target: str, record: dict[str, Any]) -> dict[str, Any]:
        """The record as the destination receives it (fields renamed, unsupported ones left out)."""
        return record

    def field_name(self, target: str, logical: str) -> str:
        """The destination's name for a mapping field (Twenty v2.x: `personId` → `targetPersonId`)."""
        return logical
