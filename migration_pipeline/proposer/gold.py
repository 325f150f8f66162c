"""Gold decisions: what a mapping proposer should decide for a pair, read off the shipped mapping.

The five shipped mappings were written and reviewed by hand, so they are the answer key a proposer
is scored against: for every column of every export file, where it goes (or that it is skipped);
which value maps translate which column; which columns point at which keys. The decisions are
derived from the spec's loads, never typed in, so they follow the mappings as those change.

Choices a scorer should know about:
- A column used in several places gets one decision, the others listed in `also`. A use through
  the column's own `from` beats a `fallback`/`repair` use; then the object's earliest load (its
  primary target) wins; within a load, a single-column rule beats a composite one (template,
  fingerprint, lookup) and a standard field beats a field the migration creates.
- The key of an object that is loaded is decided as the record's identity: kind "field", target
  path "id" (the ledger ties the source key to the destination id), `key=True`; an object with
  several loads (a client made a company and a person) lists the others' identities in `also`.
- A column only read by a `when` condition feeds no field: "skip".
- Columns of another object read through a lookup (a matter's stage history, a case's number on
  the client's person) get the rule's decision with `composite=True`.
- The owners table's email column is matched against the destination's users: kind "owner", no
  target.
- Custom-field files: the definitions file (`columns` layout) and OplaCRM's key-value file
  (`custom_field_values`, one row per record and field) carry no record of their own, but the
  columns the custom-fields section reads (object, field key, type, record, value…) serve custom
  fields: kind "custom" with no single target, since one file feeds several objects. The fields
  they make are listed one by one in `GoldMapping.custom_fields` (for key-value files, `column` is
  the field key, e.g. "Credit Limit"). Other columns of those files (the pair's own id) are "skip".
- Reference-only objects are "skip" throughout, even where a lookup reads them (listed in `also`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from migration_pipeline.mapping.engine import CustomField
from migration_pipeline.mapping.spec import FieldRule, Load, Lookup, MappingSpec, NewField
from migration_pipeline.pipeline.prepare import read_custom_fields
from migration_pipeline.sources.export import ExportArchive, normalize_header

Kind = Literal["field", "custom", "relation", "owner", "skip"]
Via = Literal["relation", "lookup", "owner", "custom_fields"]
KINDS: tuple[Kind, ...] = ("field", "custom", "relation", "owner", "skip")
IDENTITY_PATH = "id"  # the target path of a loaded object's key
FILE_PATH = "file"  # the target path of an attachment load's file to upload


@dataclass(frozen=True)
class Usage:
    """One way the mapping uses a column: the destination it feeds and how."""

    kind: Kind
    target_object: str | None = None
    target_path: str | None = None
    new_field_name: str | None = None  # set where the target is a field the migration creates
    new_field_type: str | None = None
    composite: bool = False  # the value is built from several columns or read through a lookup
    fallback: bool = False  # used only where the rule's own column is empty or does not resolve


@dataclass(frozen=True)
class ColumnDecision:
    """The gold decision for one column of one export file."""

    source_object: str
    column: str
    kind: Kind
    target_object: str | None = None
    target_path: str | None = None
    new_field_name: str | None = None
    new_field_type: str | None = None
    composite: bool = False
    fallback: bool = False
    key: bool = False  # the object's key column
    also: tuple[Usage, ...] = ()  # the column's other uses, the more direct first


@dataclass(frozen=True)
class SourceObjectGold:
    name: str
    file: str
    key: str
    reference_only: bool


@dataclass(frozen=True)
class ValueMapGold:
    """A value map and the column whose values it translates (through lookups, the looked-up one)."""

    map_name: str
    source_object: str
    column: str
    target_object: str
    target_path: str
    values: tuple[tuple[str, str], ...]  # (source value, destination option)
    default: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values the mapping resolves against another file's column."""

    source_object: str
    file: str
    column: str
    target_object: str
    target_file: str
    target_column: str
    via: Via


@dataclass(frozen=True)
class CustomFieldGold:
    """A custom field the export declares and the mapping creates on a destination object."""

    source_object: str
    column: str  # the file column (`columns` layout) or the field key (`key_value` layout)
    target_object: str
    name: str
    type: str
    layout: Literal["columns", "key_value"]


@dataclass(frozen=True)
class GoldMapping:
    migration: str
    destination: str
    objects: tuple[SourceObjectGold, ...]
    decisions: tuple[ColumnDecision, ...]
    value_maps: tuple[ValueMapGold, ...]
    foreign_keys: tuple[ForeignKey, ...]
    custom_fields: tuple[CustomFieldGold, ...]

    def decision(self, source_object: str, column: str) -> ColumnDecision:
        for decision in self.decisions:
            if decision.source_object == source_object and decision.column == column:
                return decision
        raise KeyError((source_object, column))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (value maps as {source value: option})."""
        document = asdict(self)
        for value_map in document["value_maps"]:
            value_map["values"] = dict(value_map["values"])
        return document


@dataclass(frozen=True)
class _Use:
    source_object: str
    column: str
    usage: Usage
    foreign: bool  # made by another object's load (a lookup into this object) or by the owners section
    load_index: int
    order: int

    def rank(self) -> tuple[bool, bool, int, bool, bool, int]:
        usage = self.usage
        return (usage.fallback, self.foreign, self.load_index, usage.composite, usage.new_field_name is not None,
                self.order)


def gold_decisions(spec: MappingSpec, archive: ExportArchive) -> GoldMapping:
    """The decisions the shipped mapping `spec` makes for the export `archive` (its sample)."""
    custom = read_custom_fields(spec, archive)
    uses: dict[tuple[str, str], list[_Use]] = {}
    for use in _uses(spec, custom):
        uses.setdefault((use.source_object, use.column), []).append(use)
    objects = tuple(
        SourceObjectGold(name, obj.file, obj.key, name in spec.source.reference_only)
        for name, obj in spec.source.objects.items()
    )
    decisions = tuple(
        _decide(spec, gold.name, column, uses.get((gold.name, column), []))
        for gold in objects
        for column in archive.header(gold.file)
    )
    return GoldMapping(
        migration=spec.migration,
        destination=spec.destination.system,
        objects=objects,
        decisions=decisions,
        value_maps=tuple(_unique(_value_maps(spec))),
        foreign_keys=tuple(_unique_foreign_keys(_foreign_keys(spec))),
        custom_fields=tuple(_unique(_custom_field_golds(spec, custom))),
    )


def renamed_gold(gold: GoldMapping, renames: dict[str, dict[str, str]]) -> GoldMapping:
    """The gold for a perturbed copy of the export: columns follow the renamed headers, as the
    reader folds them. `renames` is `perturb_export`'s answer: per file, column → header written."""
    by_file = {name.lower(): {old: normalize_header(new) for old, new in columns.items()}
               for name, columns in renames.items()}
    files = {gold_object.name: gold_object.file for gold_object in gold.objects}

    def column(source_object: str, name: str) -> str:
        return by_file.get(files.get(source_object, "").lower(), {}).get(name, name)

    return replace(
        gold,
        objects=tuple(replace(o, key=column(o.name, o.key)) for o in gold.objects),
        decisions=tuple(replace(d, column=column(d.source_object, d.column)) for d in gold.decisions),
        value_maps=tuple(replace(v, column=column(v.source_object, v.column)) for v in gold.value_maps),
        foreign_keys=tuple(
            replace(f, column=column(f.source_object, f.column), target_column=column(f.target_object, f.target_column))
            for f in gold.foreign_keys
        ),
        custom_fields=tuple(
            replace(c, column=column(c.source_object, c.column)) if c.layout == "columns" else c
            for c in gold.custom_fields
        ),
    )


def _decide(spec: MappingSpec, source_object: str, column: str, uses: list[_Use]) -> ColumnDecision:
    ranked = sorted(uses, key=_Use.rank)
    usages = _unique(use.usage for use in ranked)
    is_key = column == spec.source.objects[source_object].key
    own_loads = [load for load in spec.loads if load.source == source_object]
    if source_object in spec.source.reference_only:
        primary = Usage("skip")
    elif is_key and own_loads:
        primary = Usage("field", own_loads[0].target, IDENTITY_PATH)
        usages = _unique([*(Usage("field", load.target, IDENTITY_PATH) for load in own_loads[1:]
                            if not load.updates), *usages])
    else:
        primary = usages[0] if usages else Usage("skip")
    also = tuple(usage for usage in usages if usage != primary)
    return ColumnDecision(source_object, column, **asdict(primary), key=is_key, also=also)


def _uses(spec: MappingSpec, custom: dict[str, list[CustomField]]) -> Iterator[_Use]:
    """Every use the mapping makes of a column, in the order it makes them."""
    new_fields = _new_fields_by_target(spec)
    order = 0
    for index, load in enumerate(spec.loads):
        for path, rule in _rules(load):
            declared = _declared(new_fields.get(load.target, {}), path)
            kind: Kind = "relation" if rule.relation else "owner" if rule.owner else "custom" if declared else "field"
            usage = Usage(kind, load.target, path, *(declared or (None, None)))
            reads = [(rule.columns, rule.lookup, rule.then_lookup, False)]
            reads += [(_columns(fallback.source_column), None, None, True) for fallback in rule.fallback]
            if rule.repair:
                reads.append((_columns(rule.repair.source_column), rule.repair.lookup, None, True))
            for columns, lookup, then_lookup, fallback in reads:
                composite = len(columns) > 1 or lookup is not None
                for column in columns:
                    order += 1
                    yield _Use(load.source, column, replace(usage, composite=composite, fallback=fallback),
                               False, index, order)
                for name in (lookup, then_lookup):
                    if name is None:
                        continue
                    looked_up = spec.lookups[name]
                    for column in (*looked_up.key, looked_up.value):
                        order += 1
                        yield _Use(looked_up.source, column, replace(usage, composite=True, fallback=fallback),
                                   looked_up.source != load.source, index, order)
        if load.custom_fields:
            source_object = spec.source.objects[load.source]
            for field in custom.get(source_object.custom_fields_for or load.source, []):
                if field.lookup is None:  # `columns` layout: the value is a column of the object's own file
                    order += 1
                    yield _Use(load.source, field.column,
                               Usage("custom", load.target, field.target_path, field.name, field.dest_type),
                               False, index, order)
    after_loads = len(spec.loads)
    if spec.custom_fields is not None:
        for column in _custom_field_columns(spec):
            yield _Use(spec.custom_fields.source, column, Usage("custom", composite=True), True, after_loads, 0)
    if spec.owners is not None:
        yield _Use(spec.owners.source, spec.owners.email_column, Usage("owner"), True, after_loads, 0)


def _rules(load: Load) -> Iterator[tuple[str, FieldRule]]:
    """A load's field rules, its fan-out links as relation rules, and its file to upload."""
    yield from load.fields.items()
    for link in load.explode:
        yield link.field, FieldRule.model_validate({"from": link.source_column, "relation": link.relation})
    if load.file is not None:
        yield FILE_PATH, load.file


def _new_fields_by_target(spec: MappingSpec) -> dict[str, dict[str, NewField]]:
    """The fields the migration creates, by destination object: a field declared by one load
    (Odoo's x_pp_source_id on res.partner) is new for every load of that object."""
    found: dict[str, dict[str, NewField]] = {}
    for load in spec.loads:
        found.setdefault(load.target, {}).update(load.new_fields)
    return found


def _declared(new_fields: dict[str, NewField], path: str) -> tuple[str, str] | None:
    """The new field a destination path writes: 'amount.amountMicros' → amount, 'personId' → person."""
    top = path.split(".")[0]
    for name in (top, top.removesuffix("Id")):
        if name in new_fields:
            return name, new_fields[name].type
    return None


def _custom_field_columns(spec: MappingSpec) -> tuple[str, ...]:
    config = spec.custom_fields
    assert config is not None
    if config.layout == "key_value":
        return (config.object_column, config.column_column, config.type_column, config.record_column,
                config.value_column)
    return (config.object_column, config.column_column, config.label_column, config.type_column,
            config.options_column)


def _custom_field_golds(spec: MappingSpec, custom: dict[str, list[CustomField]]) -> Iterator[CustomFieldGold]:
    config = spec.custom_fields
    for load in spec.loads:
        if not load.custom_fields or config is None:
            continue
        source_object = spec.source.objects[load.source]
        for field in custom.get(source_object.custom_fields_for or load.source, []):
            yield CustomFieldGold(load.source, field.column, load.target, field.name, field.dest_type, config.layout)


def _columns(source_column: str | tuple[str, ...]) -> tuple[str, ...]:
    return (source_column,) if isinstance(source_column, str) else tuple(source_column)


def _looked_up_value(spec: MappingSpec, rule: FieldRule) -> Lookup | None:
    """The lookup whose value a rule ends with: its `then_lookup`, else its `lookup`."""
    name = rule.then_lookup or rule.lookup
    return spec.lookups[name] if name else None


def _value_maps(spec: MappingSpec) -> Iterator[ValueMapGold]:
    for load in spec.loads:
        for path, rule in _rules(load):
            if rule.transform != "value_map":
                continue
            map_name = rule.args["map"]
            value_map = spec.value_maps[map_name]
            looked_up = _looked_up_value(spec, rule)
            source_object, column = (looked_up.source, looked_up.value) if looked_up else (load.source, rule.columns[0])
            yield ValueMapGold(map_name, source_object, column, load.target, path,
                               tuple(value_map.values.items()), value_map.default)


def _foreign_keys(spec: MappingSpec) -> Iterator[ForeignKey]:
    objects = spec.source.objects

    def link(source: str, column: str, target: str, target_column: str, via: Via) -> Iterator[ForeignKey]:
        if (source, column) != (target, target_column):  # a record's own key is no foreign key
            yield ForeignKey(source, objects[source].file, column, target, objects[target].file, target_column, via)

    def lookup_chain(source: str, columns: tuple[str, ...], names: tuple[str | None, ...]) -> Iterator[ForeignKey]:
        for name in names:
            if name is None:
                continue
            looked_up = spec.lookups[name]
            for column, key in zip(columns, looked_up.key):
                yield from link(source, column, looked_up.source, key, "lookup")
            source, columns = looked_up.source, (looked_up.value,)

    for load in spec.loads:
        for _, rule in _rules(load):
            yield from lookup_chain(load.source, rule.columns, (rule.lookup, rule.then_lookup))
            looked_up = _looked_up_value(spec, rule)
            # The column naming the related record or the owner: the last lookup's value, else the rule's own.
            holder = (looked_up.source, looked_up.value) if looked_up else (
                (load.source, rule.columns[0]) if len(rule.columns) == 1 else None)
            if rule.relation:
                related = spec.load(rule.relation).source
                key = objects[related].key
                if holder:
                    yield from link(*holder, related, key, "relation")
                for fallback in rule.fallback:
                    if len(_columns(fallback.source_column)) == 1:
                        yield from link(load.source, _columns(fallback.source_column)[0], related, key, "relation")
                if rule.repair:
                    yield from lookup_chain(load.source, _columns(rule.repair.source_column), (rule.repair.lookup,))
                    repair_lookup = spec.lookups[rule.repair.lookup]
                    yield from link(repair_lookup.source, repair_lookup.value, related, key, "relation")
            if rule.owner and spec.owners is not None and holder and holder[0] != spec.owners.source:
                yield from link(*holder, spec.owners.source, spec.owners.email_column, "owner")
    config = spec.custom_fields
    if config is not None and config.layout == "key_value":
        owners = [load.source for load in spec.loads if load.custom_fields]
        for owner in dict.fromkeys(owners):
            yield from link(config.source, config.record_column, owner, objects[owner].key, "custom_fields")


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _unique_foreign_keys(keys: Iterator[ForeignKey]) -> list[ForeignKey]:
    """One entry per (column, target column); the first way the mapping relies on it names it."""
    found: dict[tuple[str, str, str, str], ForeignKey] = {}
    for key in keys:
        found.setdefault((key.source_object, key.column, key.target_object, key.target_column), key)
    return list(found.values())
