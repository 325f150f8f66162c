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


class Repair(_Strict):
    """A second way to find a related record when the row's own reference resolves to nothing
    (Profi: a session's lost package link, found again in the package's own session list)."""

    source_column: str | tuple[str, ...] = Field(alias="from")
    lookup: str
    note: str


class Proposal(_Strict):
    """How the mapping proposer arrived at a decision; loading refuses it until a person confirms it."""

    confidence: float
    band: Literal["auto", "review", "low"]
    reasons: tuple[str, ...] = ()
    candidates: tuple[dict[str, Any], ...] = ()  # the runners-up: field, score, why
    confirmed: bool = False
    confirmed_by: str | None = None


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
    # What the owner field holds: the member's id, the member's own contact (an Odoo message author),
    # or the member's email (a text field on an object with no owner relation, such as a Twenty person)
    owner_record: Literal["member", "contact", "email"] = "member"
    lookup: str | None = None
    then_lookup: str | None = None  # a second lookup on the first one's value (a contact's case → its last change)
    fallback: tuple[Fallback, ...] = ()  # tried in order where the value is still empty
    repair: Repair | None = None  # a relation whose key resolves to nothing: re-resolved through a lookup
    proposal: Proposal | None = None  # set by the proposer; None for a rule written by hand

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
    matter goes to the opportunity's chatter, one on a client only to the client's).

    A leaf tests one column (`present`, `values` or `file_exists`); `all`, `any` and `not` combine
    conditions, so complementary loads can share one YAML anchor and never overlap."""

    column: str | None = None
    present: bool | None = None  # the column has a value (True) or is empty (False)
    values: tuple[str, ...] = ()  # or: its trimmed value is one of these, case-insensitively
    file_exists: bool | None = None  # or: the column names a file the export holds (True) or not (False)
    all_of: tuple[RowCondition, ...] = Field(default=(), alias="all")
    any_of: tuple[RowCondition, ...] = Field(default=(), alias="any")
    not_: RowCondition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_kind(self) -> RowCondition:
        combined = sum(bool(part) for part in (self.all_of, self.any_of, self.not_ is not None))
        leaf = self.column is not None
        tests = sum(test for test in (self.present is not None, bool(self.values), self.file_exists is not None))
        if combined + leaf != 1 or (leaf and tests != 1):
            raise ValueError("a condition is either one column test (column + present, values or file_exists) "
                             "or one of all / any / not")
        return self

    def columns(self) -> tuple[str, ...]:
        parts = (*self.all_of, *self.any_of, *((self.not_,) if self.not_ else ()))
        own = (self.column,) if self.column else ()
        return own + tuple(column for part in parts for column in part.columns())

    def describe(self) -> str:
        if self.all_of or self.any_of:
            joiner = " and " if self.all_of else " or "
            return "(" + joiner.join(part.describe() for part in self.all_of or self.any_of) + ")"
        if self.not_ is not None:
            return f"not {self.not_.describe()}"
        if self.values:
            return f"{self.column} in ({', '.join(self.values)})"
        if self.file_exists is not None:
            return f"{self.column} {'names a file in the export' if self.file_exists else 'names no file in the export'}"
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
    # The name of an earlier load whose records (same source key) this load updates instead of
    # creating records: links that need every record to exist first (joint opportunities).
    updates: str | None = None

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


class SameRecord(_Strict):
    """Which rows of an object are one record after deduplication: rows sharing `by` (an email)."""

    source: str
    key: str
    by: str


class Lookup(_Strict):
    """An aggregate over another source object, joined on `key` (e.g. stage-entered time)."""

    source: str
    key: tuple[str, ...]
    value: str
    # list: every distinct value, ';'-joined; sum: the values read as amounts ('£1,200.00') and added
    aggregate: Literal["max", "min", "first", "last", "list", "sum"] = "max"
    # The plan reports rows with no entry when every row should have one (a matter's stage history);
    # not when most rows have none (a contact's cases: only clients have them).
    every_row: bool = True
    # The key names a record of `same_record_as.source` that may be a duplicate (two contacts with one
    # email): rows of duplicates then count as the same record's, so a merged contact's cases stay.
    same_record_as: SameRecord | None = None


class Owners(_Strict):
    source: str
    email_column: str
    fallback_member_email: str | None = None
    # What an owner with no destination member means for the record: `assign` loads it (to the
    # fallback member, else unassigned); `hold` keeps it back, quarantined, until the member exists.
    unmatched: Literal["assign", "hold"] = "assign"

    @model_validator(mode="after")
    def _hold_has_no_fallback(self) -> Owners:
        if self.unmatched == "hold" and self.fallback_member_email:
            raise ValueError("unmatched: hold keeps records back; it cannot also give them to fallback_member_email")
        return self


class CustomFieldType(_Strict):
    type: str
    transform: str = "text"
    args: dict[str, Any] = {}
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
    # `columns`: custom fields are extra columns of the object's own file, declared in `source`.
    # `key_value`: `source` holds one row per (record, field) pair; the declared type is per row.
    layout: Literal["columns", "key_value"] = "columns"
    record_column: str = "record_id"  # key_value: the record the pair belongs to
    value_column: str = "value"  # key_value: the pair's value
    # A custom field whose name is one of the destination object's own fields gets this prefix
    # (OplaCRM's "City" on a person becomes oplaCity, not Twenty's city).
    collision_prefix: str | None = None
    reserved: dict[str, tuple[str, ...]] = {}  # destination object → its own field names


class ReviewList(_Strict):
    """Rows the pre-flight plan lists for a person to act on: locked records, renumbered invoices,
    recurring task rules. `rebuild: true` also puts them in the rebuild inventory."""

    title: str
    source: str
    why: str
    when: RowCondition | None = None
    columns: tuple[str, ...] = ()
    rebuild: bool = False


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
    review: tuple[ReviewList, ...] = ()
    content_hash: str = ""

    def unconfirmed_decisions(self) -> list[str]:
        """Every proposed field rule nobody has confirmed yet, as `<load>.<field> (<columns>)`."""
        return [f"{load.name}.{name} ({', '.join(rule.columns) or 'constant'})"
                for load in self.loads for name, rule in load.fields.items()
                if rule.proposal is not None and not rule.proposal.confirmed]

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
            for chained in (rule.lookup, rule.then_lookup):
                if chained and chained not in spec.lookups:
                    raise ValueError(f"{where}.fields.{field_name}.lookup: unknown lookup {chained!r}")
            if rule.then_lookup and not rule.lookup:
                raise ValueError(f"{where}.fields.{field_name}.then_lookup: needs a first `lookup`")
            if rule.repair and (not rule.relation or rule.repair.lookup not in spec.lookups):
                raise ValueError(f"{where}.fields.{field_name}.repair: needs a relation and a known lookup")
            map_name = rule.args.get("map")
            if rule.transform == "value_map" and map_name not in spec.value_maps:
                raise ValueError(f"{where}.fields.{field_name}.args.map: unknown value map {map_name!r}")
            if rule.on_missing == "fallback" and not rule.fallback_key:
                raise ValueError(f"{where}.fields.{field_name}.fallback_key: on_missing: fallback needs the related record's key")
            if rule.owner and spec.owners is None:
                raise ValueError(f"{where}.fields.{field_name}.owner: the spec has no `owners` section")
        if load.updates and (load.updates not in seen or spec.load(load.updates).target != load.target or load.dedupe_on):
            raise ValueError(f"{where}.updates: must name an earlier load with the same target, and the load cannot dedupe")
        if load.name in seen:
            raise ValueError(f"{where}.name: duplicate load name {load.name!r}")
        seen.append(load.name)
    for name, lookup in spec.lookups.items():
        for source in (lookup.source, lookup.same_record_as.source if lookup.same_record_as else lookup.source):
            if source not in objects:
                raise ValueError(f"lookups.{name}.source: unknown source object {source!r}")
    for index, review in enumerate(spec.review):
        if review.source not in objects:
            raise ValueError(f"review[{index}].source: unknown source object {review.source!r}")
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
