"""The mapping spec: one YAML file per migration pair, parsed into typed models.

A spec names the source objects (file, key, modified-at column), the value maps, the owner
source, the cross-object lookups, and the ordered list of loads (source object → destination
object, field by field). Loading a bad spec raises `SpecError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class SpecError(ValueError):
    """A mapping spec that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceObject(_Strict):
    file: str
    key: str
    modified_at: str | None = None
    required_columns: tuple[str, ...] = ()
    custom_fields_for: str | None = None  # object name used in the custom field definitions file


class Fallback(_Strict):
    source_column: str | tuple[str, ...] = Field(alias="from")
    transform: str = "text"
    args: dict[str, Any] = {}
    note: str


class FieldRule(_Strict):
    """How one destination field (dotted for composite sub-fields) gets its value."""

    source_column: str | tuple[str, ...] | None = Field(default=None, alias="from")
    transform: str = "text"
    args: dict[str, Any] = {}
    value: Any = None  # a constant, used when `from` is not given
    default: Any = None  # used where the source value is empty
    required: bool = False
    relation: str | None = None  # name of the load whose records this field points at
    on_missing: Literal["quarantine", "null", "fallback"] = "quarantine"  # a relation that resolves to nothing
    fallback_key: str | None = None  # on_missing: fallback — the related record (source key) to link to instead
    many: bool = False  # a relation to several records: the value is a ';'-separated list of their keys
    owner: bool = False  # resolve a source user email to a destination member id
    owner_record: Literal["member", "contact"] = "member"  # or the member's own contact (an Odoo message author)
    lookup: str | None = None
    fallback: tuple[Fallback, ...] = ()  # tried in order where the value is still empty

    @field_validator("fallback", mode="before")
    @classmethod
    def _fallback_list(cls, value: Any) -> Any:
        return (value,) if isinstance(value, dict) else value

    @property
    def columns(self) -> tuple[str, ...]:
        if self.source_column is None:
            return ()
        if isinstance(self.source_column, str):
            return (self.source_column,)
        return tuple(self.source_column)

    @model_validator(mode="after")
    def _has_input(self) -> FieldRule:
        if self.source_column is None and self.value is None:
            raise ValueError("a field rule needs `from` (source column) or `value` (constant)")
        return self


class ExplodeLink(_Strict):
    """One optional link of a fanned-out load (note → person, note → company, …)."""

    source_column: str = Field(alias="from")
    relation: str
    field: str


class RowCondition(_Strict):
    """The rows of the source object a load takes; the others are another load's (a note on a
    matter goes to the opportunity's chatter, one on a client only to the client's)."""

    column: str
    present: bool | None = None  # the column has a value (True) or is empty (False)
    values: tuple[str, ...] = ()  # or: its trimmed value is one of these, case-insensitively

    def describe(self) -> str:
        if self.values:
            return f"{self.column} in ({', '.join(self.values)})"
        return f"{self.column} {'present' if self.present else 'empty'}"


class NewObject(_Strict):
    """A custom object the migration creates in the destination (Twenty: SessionRecord)."""

    singular: str
    label: str
    label_plural: str
    icon: str = "IconBox"


class NewField(_Strict):
    """A custom field the migration creates on the destination object (options observed in the data)."""

    type: str
    label: str
    relation: str | None = None  # a relational field's target (Odoo many2many: res.partner)


class Load(_Strict):
    """One source object feeding one destination object, in dependency order."""

    name: str
    source: str
    target: str
    key: tuple[str, ...] | None = None  # defaults to the source object's key
    dedupe_on: str | None = None
    fields: dict[str, FieldRule]
    explode: tuple[ExplodeLink, ...] = ()
    custom_fields: bool = False
    new_fields: dict[str, NewField] = {}
    file: FieldRule | None = None  # attachments: the file inside the export to upload
    when: RowCondition | None = None  # only these rows of the source object (default: all)
    # Records the migration adds to this load, written as export rows (column → value): a fallback
    # client for matters whose client cannot be resolved. Mapped, loaded and rolled back like the rest.
    synthetic: tuple[dict[str, str], ...] = ()

    @field_validator("key", mode="before")
    @classmethod
    def _key_tuple(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class ValueMap(_Strict):
    values: dict[str, str]
    probability: dict[str, int] = {}
    default: str | None = None
    case_sensitive: bool = False
    create_options: bool = False  # add the mapped values to the destination select (pipeline stages)


class Lookup(_Strict):
    """An aggregate over another source object, joined on `key` (e.g. stage-entered time)."""

    source: str
    key: tuple[str, ...]
    value: str
    aggregate: Literal["max", "min", "first", "last", "list"] = "max"  # list: every distinct value, ';'-joined


class Owners(_Strict):
    source: str
    email_column: str
    fallback_member_email: str | None = None


class CustomFieldType(_Strict):
    type: str
    transform: str = "text"
    subfield: str | None = None  # composite destination types: the sub-field the value goes to


class CustomFields(_Strict):
    source: str
    object_column: str = "object"
    column_column: str = "column"
    label_column: str = "label"
    type_column: str = "type"
    options_column: str = "options"
    type_map: dict[str, CustomFieldType]
    naming: Literal["camelCase", "x_snake_case"] = "camelCase"  # Twenty: settlementDate; Odoo: x_settlement_date


class SourceSpec(_Strict):
    system: str
    dayfirst: bool = False  # how the export writes dates like 03/04/2021
    sample_export: str | None = None
    objects: dict[str, SourceObject]
    reference_only: dict[str, str] = {}  # objects read for reports, never loaded: why
    delta_start_date: str = "2015-01-01"  # the first day a delta partition can cover (source modified-at)


class DestinationSpec(_Strict):
    system: str
    default_currency: str = "USD"
    default_phone_region: str = "US"
    timezone: str = "UTC"


class MappingSpec(_Strict):
    migration: str
    confirmed: bool = False
    auto_rollback: bool = False  # a failed reconciliation launches the rollback job by itself
    source: SourceSpec
    destination: DestinationSpec
    owners: Owners | None = None
    value_maps: dict[str, ValueMap] = {}
    lookups: dict[str, Lookup] = {}
    custom_fields: CustomFields | None = None
    new_objects: dict[str, NewObject] = {}  # plural name → the custom object to create before any field
    loads: tuple[Load, ...]
    content_hash: str = ""

    def load(self, name: str) -> Load:
        for load in self.loads:
            if load.name == name:
                return load
        raise KeyError(name)

    def load_order(self) -> list[str]:
        return [load.name for load in self.loads]

    @model_validator(mode="after")
    def _references_resolve(self) -> MappingSpec:
        _check_references(self)
        return self


def _check_references(spec: MappingSpec) -> None:
    objects = spec.source.objects
    seen: list[str] = []
    for index, load in enumerate(spec.loads):
        where = f"loads[{index}] ({load.name})"
        if load.source not in objects:
            raise ValueError(f"{where}.source: unknown source object {load.source!r}")
        rules = dict(load.fields)
        for link in load.explode:
            rules[link.field] = FieldRule.model_validate({"from": link.source_column, "relation": link.relation})
        for field_name, rule in rules.items():
            if rule.relation and rule.relation not in seen:
                raise ValueError(
                    f"{where}.fields.{field_name}.relation: {rule.relation!r} is not a load listed before it"
                )
            if rule.lookup and rule.lookup not in spec.lookups:
                raise ValueError(f"{where}.fields.{field_name}.lookup: unknown lookup {rule.lookup!r}")
            map_name = rule.args.get("map")
            if rule.transform == "value_map" and map_name not in spec.value_maps:
                raise ValueError(f"{where}.fields.{field_name}.args.map: unknown value map {map_name!r}")
            if rule.on_missing == "fallback" and not rule.fallback_key:
                raise ValueError(f"{where}.fields.{field_name}.fallback_key: on_missing: fallback needs the related record's key")
            if rule.owner and spec.owners is None:
                raise ValueError(f"{where}.fields.{field_name}.owner: the spec has no `owners` section")
        if load.name in seen:
            raise ValueError(f"{where}.name: duplicate load name {load.name!r}")
        seen.append(load.name)
    for name, lookup in spec.lookups.items():
        if lookup.source not in objects:
            raise ValueError(f"lookups.{name}.source: unknown source object {lookup.source!r}")
    if spec.owners and spec.owners.source not in objects:
        raise ValueError(f"owners.source: unknown source object {spec.owners.source!r}")


def _error_location(error: dict[str, Any]) -> str:
    parts = [str(part) for part in error["loc"] if part not in ("function-after",)]
    return ".".join(parts) or "(top level)"


def load_spec(path: str | Path) -> MappingSpec:
    """Parse and check a mapping file; its content hash identifies the exact mapping approved."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as error:
        raise SpecError(f"{path}: cannot read the mapping file ({error.strerror})") from None
    try:
        document = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{path}: the mapping file must be a YAML mapping at the top level")
    document["content_hash"] = hashlib.sha256(raw_bytes).hexdigest()
    try:
        return MappingSpec.model_validate(document)
    except ValidationError as error:
        problems = [f"key {_error_location(e)}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()[:3]]
        raise SpecError(f"{path}: " + "; ".join(problems)) from None


def mapping_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob("*.yaml"))
