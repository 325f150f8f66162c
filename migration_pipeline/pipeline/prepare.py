"""What must be known before any record loads: custom fields, lookups, owners, the schema plan."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from migration_pipeline.destinations.base import Member, NewFieldRequest, NewObjectRequest
from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.engine import IDENTITY, CustomField, MappingContext, dedupe_value, source_key
from migration_pipeline.mapping.spec import CustomFields, FieldRule, Load, MappingSpec, SameRecord
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive, normalize_header



def camel_case(label: str) -> str:
    """'Settlement date' → 'settlementDate' (Twenty field names are camelCase)."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", label) if w]
    if not words:
        return "customField"
    name = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return name if name[0].isalpha() else f"field{name[0].upper()}{name[1:]}"


def x_snake_case(label: str) -> str:
    """'Settlement date' → 'x_settlement_date' (Odoo custom fields must start with x_)."""
    words = [w.lower() for w in re.split(r"[^0-9A-Za-z]+", label) if w]
    return "x_" + ("_".join(words) or "custom_field")


def frames(spec: MappingSpec, archive: ExportArchive, object_name: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    for chunk in archive.read_chunks(spec.source.objects[object_name].file, chunk_rows):
        yield chunk.frame


def load_frames(spec: MappingSpec, archive: ExportArchive, load: Load, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The rows a load reads: its source object's, then the records it adds itself (`synthetic`)."""
    yield from frames(spec, archive, load.source, chunk_rows)
    if load.synthetic:
        yield pd.DataFrame([dict(row) for row in load.synthetic], dtype="object")


def read_custom_fields(spec: MappingSpec, archive: ExportArchive) -> dict[str, list[CustomField]]:
    """The export's custom field definitions, by the object name they belong to."""
    config = spec.custom_fields
    if config is None:
        return {}
    found: dict[str, dict[str, CustomField]] = {}
    observed: dict[tuple[str, str], set[str]] = {}  # key-value choice fields: the values seen
    for frame in frames(spec, archive, config.source, DEFAULT_CHUNK_ROWS):
        key_value = config.layout == "key_value"
        if key_value and {config.object_column, config.column_column} <= set(frame.columns):
            _observe_choices(frame, config, observed)
            frame = frame.drop_duplicates([config.object_column, config.column_column])
        for row in frame.to_dict("records"):
            column = row.get(config.column_column)
            source_type = str(row.get(config.type_column) or "").strip().lower()
            # An unknown type still migrates, as text, rather than losing the column.
            kind = config.type_map.get(source_type) or config.type_map.get("text")
            owner_object = str(row.get(config.object_column) or "").strip().lower()
            if kind is None or not isinstance(column, str) or column.strip() in found.get(owner_object, {}):
                continue
            label = column.strip() if key_value else str(row.get(config.label_column) or column).strip()
            options = tuple(o.strip() for o in str(row.get(config.options_column) or "").split(";") if o.strip())
            found.setdefault(owner_object, {})[column.strip()] = CustomField(
                source_object=owner_object,
                column=column.strip() if key_value else normalize_header(column),
                name=_custom_name(spec, owner_object, label),
                label=label,
                dest_type=kind.type,
                transform=kind.transform,
                subfield=kind.subfield,
                options=options,
                args=tuple(sorted(kind.args.items())),
                lookup=f"custom:{owner_object}:{column.strip()}" if key_value else None,
            )
    for (owner_object, key), values in observed.items():
        definition = found.get(owner_object, {}).get(key)
        if definition is not None and definition.dest_type.upper() in _CHOICE_TYPES:
            found[owner_object][key] = replace(definition, options=definition.options + tuple(sorted(values)))
    return {owner_object: list(fields.values()) for owner_object, fields in found.items()}


def _observe_choices(frame: pd.DataFrame, config: CustomFields, observed: dict[tuple[str, str], set[str]]) -> None:
    """Key-value pairs carry their options only as values: remember each field's distinct values."""
    columns = [config.object_column, config.column_column, config.value_column]
    if any(c not in frame.columns for c in columns):
        return
    pairs = frame[columns].dropna().drop_duplicates()
    for owner_object, key, value in pairs.itertuples(index=False):
        observed.setdefault((str(owner_object).strip().lower(), str(key).strip()), set()).add(str(value))


def _custom_name(spec: MappingSpec, owner_object: str, label: str) -> str:
    """The destination name of a custom field, prefixed where it would take one of the object's own fields."""
    config = spec.custom_fields
    assert config is not None
    name = camel_case(label) if config.naming == "camelCase" else x_snake_case(label)
    if not config.collision_prefix:
        return name
    taken: set[str] = set()
    for load in spec.loads:
        source_object = spec.source.objects[load.source]
        if load.custom_fields and (source_object.custom_fields_for or load.source) == owner_object:
            taken |= set(config.reserved.get(load.target, ())) | {field.split(".")[0] for field in load.fields}
    if name not in taken:
        return name
    prefixed = f"{config.collision_prefix} {label}"
    return camel_case(prefixed) if config.naming == "camelCase" else x_snake_case(prefixed)


def key_value_tables(spec: MappingSpec, archive: ExportArchive, definitions: Iterable[CustomField],
                     chunk_rows: int = DEFAULT_CHUNK_ROWS) -> dict[str, dict[str, str]]:
    """Each key-value custom field's value per record key (its lookup table)."""
    config = spec.custom_fields
    wanted = {(d.source_object, d.column): d.lookup for d in definitions if d.lookup}
    tables: dict[str, dict[str, str]] = {name: {} for name in wanted.values()}
    if config is None or not wanted:
        return tables
    columns = [config.object_column, config.column_column, config.record_column, config.value_column]
    for frame in frames(spec, archive, config.source, chunk_rows):
        if any(c not in frame.columns for c in columns):
            continue
        objects = frame[config.object_column].astype("str").str.strip().str.lower()
        keys = frame[config.column_column].astype("str").str.strip()
        records = source_key(frame, [config.record_column])
        for (owner_object, key), name in wanted.items():
            rows = (objects == owner_object) & (keys == key) & records.notna() & frame[config.value_column].notna()
            tables[name].update(zip(records[rows], frame.loc[rows, config.value_column]))
    return tables


def build_lookups(
    spec: MappingSpec, archive: ExportArchive, names: Iterable[str], chunk_rows: int = DEFAULT_CHUNK_ROWS,
    identities_by_lookup: dict[str, dict[str, str]] | None = None,
) -> dict[str, dict[str, str]]:
    """Aggregate each named lookup's source object by its key; memory grows with distinct keys only."""
    names = list(names)
    if identities_by_lookup is None:
        identities_by_lookup = record_identities(spec, archive, names, chunk_rows)
    tables: dict[str, dict[str, str]] = {}
    for name in names:
        lookup = spec.lookups[name]
        identities = identities_by_lookup.get(name)
        partials = []
        for frame in frames(spec, archive, lookup.source, chunk_rows):
            if any(c not in frame.columns for c in (*lookup.key, lookup.value)):
                continue
            values = _amounts(frame[lookup.value]) if lookup.aggregate == "sum" else frame[lookup.value]
            keys = source_key(frame, lookup.key)
            if identities is not None:
                keys = transforms.map_distinct(keys, identities).where(lambda found: found.notna(), keys)
            keyed = pd.DataFrame({"key": keys, "value": values}).dropna()
            partials.append(keyed.groupby("key")["value"].agg(_aggregate(lookup.aggregate)))
        if partials:
            combined = pd.concat(partials).groupby(level=0).agg(_aggregate(lookup.aggregate))
            if lookup.aggregate == "sum":  # every other lookup hands on export text; so does a sum
                combined = combined.map(lambda total: f"{total:.2f}")
            tables[name] = combined.to_dict()
        else:
            tables[name] = {}
    return tables


def record_identities(spec: MappingSpec, archive: ExportArchive, lookup_names: Iterable[str],
                      chunk_rows: int = DEFAULT_CHUNK_ROWS) -> dict[str, dict[str, str]]:
    """For each named lookup that follows duplicates: key → the record it is after deduplication
    ('=' + the folded email); keys with no email stay themselves. Each object is read once, however
    many lookups follow its duplicates."""
    by_rule: dict[SameRecord, dict[str, str]] = {}
    found: dict[str, dict[str, str]] = {}
    for name in lookup_names:
        same = spec.lookups[name].same_record_as
        if same is None:
            continue
        if same not in by_rule:
            by_rule[same] = {}
            for frame in frames(spec, archive, same.source, chunk_rows):
                if same.key in frame.columns and same.by in frame.columns:
                    folded = dedupe_value(frame[same.by])
                    keys = source_key(frame, [same.key])
                    present = keys.notna() & folded.notna()
                    by_rule[same].update(zip(keys[present], "=" + folded[present]))
        found[name] = by_rule[same]
    return found


def lookup_table(spec: MappingSpec, archive: ExportArchive, rule: FieldRule, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> dict[str, str]:
    """What a rule's lookup (and its `then_lookup`) gives for each key of the rule's own columns."""
    names = [name for name in (rule.lookup, rule.then_lookup) if name]
    identities_by_lookup = record_identities(spec, archive, names, chunk_rows)
    tables = build_lookups(spec, archive, names, chunk_rows, identities_by_lookup)
    first = tables[names[0]]
    identities = identities_by_lookup.get(names[0])
    if identities is not None:  # keyed by the row's own key, as the rule reads it
        first = {**first, **{key: first[identity] for key, identity in identities.items() if identity in first}}
    if len(names) == 1:
        return first
    second = tables[names[1]]
    return {key: second[value] for key, value in first.items() if value in second}


def _amounts(values: pd.Series) -> pd.Series:
    """'£1,200.00' → 1200.0; what is not an amount is left out of a sum."""
    digits = values.astype("str").str.replace(r"[^0-9.\-]", "", regex=True)
    return pd.to_numeric(digits.mask(digits == ""), errors="coerce")


def _joined(values: pd.Series) -> str:
    return ";".join(sorted({part for value in values for part in str(value).split(";") if part}))


def _aggregate(name: str) -> Any:
    return _joined if name == "list" else name


@dataclass
class OwnerMap:
    ids: dict[str, str]  # trimmed lower-case email → member id
    matched: list[tuple[str, str]] = field(default_factory=list)  # (source email, member email)
    unmatched: list[str] = field(default_factory=list)
    fallback_id: str | None = None
    contact_ids: dict[str, str] = field(default_factory=dict)  # email → the member's own contact id
    fallback_contact_id: str | None = None
    fallback_email: str | None = None


def build_owner_map(spec: MappingSpec, archive: ExportArchive, members: list[Member]) -> OwnerMap:
    """Match source users to destination members by email, case-insensitive and trimmed."""
    by_email = {m.email.strip().lower(): m for m in members}
    owners = spec.owners
    if owners is None:
        return OwnerMap(ids={m.email.strip().lower(): m.id for m in members})
    source_emails: list[str] = []
    for frame in frames(spec, archive, owners.source, DEFAULT_CHUNK_ROWS):
        if owners.email_column in frame.columns:
            emails = transforms.apply("lower", frame[owners.email_column], {}).values.dropna()
            source_emails += emails.tolist()
    result = OwnerMap(ids={email: member.id for email, member in by_email.items()},
                      contact_ids={email: m.contact_id for email, m in by_email.items() if m.contact_id})
    for email in dict.fromkeys(source_emails):
        if email in by_email:
            result.matched.append((email, by_email[email].email))
        else:
            result.unmatched.append(email)
    fallback = (owners.fallback_member_email or "").strip().lower()
    if fallback:
        if fallback not in by_email:
            raise ValueError(f"owners.fallback_member_email {fallback!r} is not a destination member")
        result.fallback_id, result.fallback_email = by_email[fallback].id, by_email[fallback].email
        result.fallback_contact_id = by_email[fallback].contact_id
    return result


def _observed_options(values: Iterator[pd.Series], dest_type: str) -> tuple[str, ...]:
    seen: set[str] = set()
    for series in values:
        clean = series.dropna()
        if dest_type == "MULTI_SELECT":
            seen.update(v for cell in clean for v in cell)
        else:
            seen.update(clean.astype(str))
    return tuple(sorted(seen))


def schema_plan(
    spec: MappingSpec, archive: ExportArchive, custom: dict[str, list[CustomField]], chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> list[NewFieldRequest]:
    """Every custom field the loads need, with select options taken from the values in the export."""
    requests: list[NewFieldRequest] = []
    for load in spec.loads:
        source_object = spec.source.objects[load.source]
        # name, type, label, column, transform, declared options, transform arguments
        wanted: list[tuple[str, str, str, str, str, tuple[str, ...], dict[str, Any]]] = []
        if load.custom_fields:
            for definition in custom.get(source_object.custom_fields_for or load.source, []):
                column = "" if definition.lookup else definition.column  # key-value options were read with the pairs
                wanted.append((definition.name, definition.dest_type, definition.label, column, definition.transform,
                               definition.options, dict(definition.args)))
        for name, new_field in load.new_fields.items():
            rule = load.fields.get(name)
            column = rule.columns[0] if rule and rule.columns and not rule.lookup else ""
            # A looked-up value's options are the lookup's values, not the key column's.
            looked_up = tuple(lookup_table(spec, archive, rule, chunk_rows).values()) if rule and rule.lookup else ()
            transform_name, args = (rule.transform, dict(rule.args)) if rule else ("text", {})
            if transform_name == "value_map":  # a new select fed by a value map offers what the map can give
                value_map = spec.value_maps[args["map"]]
                column, transform_name, args = "", "text", {}
                looked_up = tuple(sorted({*value_map.values.values(), *([value_map.default] if value_map.default else [])}))
            wanted.append((name, new_field.type, new_field.label, column, transform_name, looked_up, args))
        relations = {name: new_field.relation for name, new_field in load.new_fields.items()}
        for name, dest_type, label, column, transform_name, declared, args in wanted:
            options: tuple[str, ...] = ()
            if dest_type.upper() in _CHOICE_TYPES:
                columns = (
                    transforms.apply(transform_name, frame[column], args).values
                    for frame in load_frames(spec, archive, load, chunk_rows)
                    if column and column in frame.columns
                )
                # Values seen in the data first: they are what the records will carry.
                options = tuple(dict.fromkeys(_observed_options(columns, dest_type.upper())
                                              + declared_values(declared, transform_name, args)))
            requests.append(NewFieldRequest(target=load.target, name=name, type=dest_type, label=label, options=options,
                                            relation=relations.get(name)))
        requests += _value_map_options(spec, load)
    return list({(r.target, r.name): r for r in requests}.values())


_CHOICE_TYPES = ("SELECT", "MULTI_SELECT", "SELECTION")  # Twenty's selects, Odoo's selection


def declared_values(options: tuple[str, ...], transform_name: str, args: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The options a definitions file declares, shaped as the records' values will be."""
    if not options:
        return ()
    shaped = transforms.apply(transform_name, pd.Series(list(options), dtype="object"), args or {}).values
    flat: list[str] = []
    for value in shaped.dropna():
        flat += value if isinstance(value, list) else [str(value)]
    return tuple(flat)


def object_requests(spec: MappingSpec) -> list[NewObjectRequest]:
    return [NewObjectRequest(plural, o.singular, o.label, o.label_plural, o.icon) for plural, o in spec.new_objects.items()]


def _value_map_options(spec: MappingSpec, load: Load) -> list[NewFieldRequest]:
    """A value map that may create options (stages) adds every value it can produce to its select;
    other value maps must produce options the destination already has, or the rows are refused."""
    requests = []
    for name, rule in load.fields.items():
        value_map = spec.value_maps[rule.args["map"]] if rule.transform == "value_map" else None
        if value_map is not None and value_map.create_options and name not in load.new_fields:
            values = sorted({*value_map.values.values(), *([value_map.default] if value_map.default else [])})
            requests.append(NewFieldRequest(target=load.target, name=name, type="SELECT", label=name, options=tuple(values), create=False))
    return requests


def mapping_context(
    spec: MappingSpec, archive: ExportArchive, owner_map: OwnerMap, load: Load, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> MappingContext:
    """What mapping `load` needs: the owner map, its lookups only, and the custom field definitions."""
    used = {name for rule in load.fields.values() for name in (rule.lookup, rule.then_lookup) if name}
    used |= {rule.repair.lookup for rule in load.fields.values() if rule.repair}
    custom = read_custom_fields(spec, archive)
    source_object = spec.source.objects[load.source]
    own_custom = custom.get(source_object.custom_fields_for or load.source, []) if load.custom_fields else []
    identities = record_identities(spec, archive, sorted(used), chunk_rows)
    return MappingContext(
        spec=spec,
        owner_ids=owner_map.ids,
        fallback_owner_id=owner_map.fallback_id,
        owner_contact_ids=owner_map.contact_ids,
        fallback_owner_contact_id=owner_map.fallback_contact_id,
        fallback_owner_email=owner_map.fallback_email,
        lookups={**build_lookups(spec, archive, sorted(used), chunk_rows, identities),
                 **key_value_tables(spec, archive, own_custom, chunk_rows),
                 **{IDENTITY + name: table for name, table in identities.items()}},
        custom_fields=custom,
    )
