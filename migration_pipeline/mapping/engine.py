"""The mapping engine: a chunk of one source object → a destination-shaped frame plus problems.

Everything here is pure and column-wise. Relations are carried as the *source* key of the record
they point at (column `ref:<field>`) and resolved later through the ledger; owners are resolved
here from the owner map, since it is small and known before any record loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.spec import FieldRule, Load, MappingSpec

KEY = "_key"
ROW = "_row"
NOTES = "_notes"
DEDUPE = "_dedupe"
REF = "ref:"
REPAIR = "repair:"  # a relation's second key, tried where its own resolves to nothing
IDENTITY = "identity:"  # context.lookups entry: key → deduplicated record, for lookups that follow duplicates


@dataclass(frozen=True)
class CustomField:
    """A custom field found in the export's definitions, and how it lands in the destination."""

    source_object: str
    column: str
    name: str
    label: str
    dest_type: str
    transform: str
    subfield: str | None = None
    options: tuple[str, ...] = ()
    args: tuple[tuple[str, Any], ...] = ()  # the transform's arguments (a multi-select's separator)
    lookup: str | None = None  # key-value custom fields: the table of this field's value per record

    @property
    def target_path(self) -> str:
        return f"{self.name}.{self.subfield}" if self.subfield else self.name


@dataclass
class MappingContext:
    spec: MappingSpec
    owner_ids: dict[str, str] = field(default_factory=dict)  # trimmed lower-case email → member id
    fallback_owner_id: str | None = None
    owner_contact_ids: dict[str, str] = field(default_factory=dict)  # email → the member's own contact id
    fallback_owner_contact_id: str | None = None
    fallback_owner_email: str | None = None
    lookups: dict[str, dict[str, str]] = field(default_factory=dict)  # '|'-joined key → value
    custom_fields: dict[str, list[CustomField]] = field(default_factory=dict)  # by source object


@dataclass(frozen=True)
class Problem:
    index: Any
    field: str
    reason: str


@dataclass
class MappedChunk:
    frame: pd.DataFrame
    problems: list[Problem]
    deferred: dict[str, FieldRule]  # fields whose costly, infallible transform runs at payload time

    def problem_rows(self) -> set[Any]:
        return {problem.index for problem in self.problems}


def source_key(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """The trimmed key text; several columns join with '|'. Missing where every part is blank."""
    parts = [frame[c].astype("str").str.strip().fillna("") for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key.mask(key.str.strip("|") == "")


def dedupe_value(values: pd.Series) -> pd.Series:
    """Spacing and case folded, so ' John.Smith@X.com' and 'john.smith@x.com' are one person."""
    text = values.astype("str").str.replace(r"\s+", " ", regex=True).str.strip().str.lower()
    return text.mask(text == "")


def _inputs(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series | pd.DataFrame:
    return frame[columns[0]] if len(columns) == 1 else frame[list(columns)]


def _missing_columns(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c not in frame.columns]


def _transform_args(rule_args: dict[str, Any], rule: FieldRule, spec: MappingSpec) -> dict[str, Any]:
    args = dict(rule_args)
    if rule.transform == "value_map":
        args = {"map": spec.value_maps[args["map"]], "map_name": args["map"]}
    if rule.transform == "datetime":
        args.setdefault("timezone", spec.destination.timezone)
    if rule.transform in ("datetime", "date"):
        args.setdefault("dayfirst", spec.source.dayfirst)
    if rule.transform == "phone" and "region" not in args:
        args["region"] = spec.destination.default_phone_region
    return args


def _rule_for(frame: pd.DataFrame, rule: FieldRule, context: MappingContext) -> transforms.Transformed:
    if not rule.columns:
        return transforms.Transformed(pd.Series(rule.value, index=frame.index, dtype="object"))
    inputs = _inputs(frame, rule.columns)
    if rule.lookup:
        inputs = _apply_lookup(frame, rule, context)
    if rule.relation:
        return transforms.Transformed(inputs if rule.lookup else source_key(frame, rule.columns))
    return transforms.apply(rule.transform, inputs, _transform_args(rule.args, rule, context.spec))


def _apply_lookup(frame: pd.DataFrame, rule: FieldRule, context: MappingContext) -> pd.Series:
    keys = source_key(frame, rule.columns)
    identities = context.lookups.get(IDENTITY + (rule.lookup or ""))
    if identities is not None:  # a duplicate's rows count as its record's
        keys = transforms.map_distinct(keys, identities).where(lambda found: found.notna(), keys)
    found = transforms.map_distinct(keys, context.lookups.get(rule.lookup or "", {}))
    if rule.then_lookup:
        found = transforms.map_distinct(found, context.lookups.get(rule.then_lookup, {}))
    return found


def _repair_keys(frame: pd.DataFrame, rule: FieldRule, context: MappingContext) -> pd.Series:
    assert rule.repair is not None
    columns = (rule.repair.source_column,) if isinstance(rule.repair.source_column, str) else tuple(rule.repair.source_column)
    if _missing_columns(frame, columns):
        return pd.Series(None, index=frame.index, dtype="object")
    return transforms.map_distinct(source_key(frame, columns), context.lookups.get(rule.repair.lookup, {}))


def _resolve_owner(values: pd.Series, rule: FieldRule, context: MappingContext) -> tuple[pd.Series, pd.Series, list[Problem]]:
    emails = transforms.apply("lower", values, {}).values
    tables = {"member": context.owner_ids, "contact": context.owner_contact_ids,
              "email": {email: email for email in context.owner_ids}}
    fallbacks = {"member": context.fallback_owner_id, "contact": context.fallback_owner_contact_id,
                 "email": context.fallback_owner_email}
    ids = transforms.map_distinct(emails, tables[rule.owner_record])
    fallback = fallbacks[rule.owner_record]
    unmatched = emails.notna() & ids.isna()
    notes = pd.Series(None, index=values.index, dtype="object")
    owners = context.spec.owners
    if owners is not None and owners.unmatched == "hold":
        held = [Problem(i, "owner", f"owner {e!r} has no workspace member: held until the member exists "
                                   "(invite them, or map the user), then re-run") for i, e in emails[unmatched].items()]
        return ids, notes, held
    if fallback:
        ids = ids.where(~unmatched, fallback)
        note = "owner '{}' has no workspace member; assigned to the fallback member"
    else:
        note = "owner '{}' has no workspace member; loaded without an owner"
    if unmatched.any():
        notes[unmatched] = [note.format(e) for e in emails[unmatched]]
    return ids, notes, []


def _expand_rules(load: Load, frame: pd.DataFrame, context: MappingContext) -> dict[str, FieldRule]:
    rules = dict(load.fields)
    if load.custom_fields:
        source_object = context.spec.source.objects[load.source]
        custom = context.custom_fields.get(source_object.custom_fields_for or load.source, [])
        for definition in custom:
            rule = {"transform": definition.transform, "args": dict(definition.args)}
            if definition.lookup:  # a key-value pair: this record's value, found by the record's key
                rules[definition.target_path] = FieldRule.model_validate({**rule, "from": source_object.key, "lookup": definition.lookup})
            elif definition.column in frame.columns:
                rules[definition.target_path] = FieldRule.model_validate({**rule, "from": definition.column})
    return rules


def map_chunk(load: Load, frame: pd.DataFrame, context: MappingContext) -> MappedChunk:
    """Map one chunk of `load.source` rows; problems name the row, the field and what is wrong."""
    source_object = context.spec.source.objects[load.source]
    key_columns = load.key or (source_object.key,)
    out = pd.DataFrame(index=frame.index)
    out[ROW] = frame.index + 1  # the reader numbers data rows across chunks
    out[KEY] = source_key(frame, key_columns) if not _missing_columns(frame, key_columns) else None
    notes = pd.Series("", index=frame.index, dtype="object")
    problems: list[Problem] = []  # a missing key is the raw contract's to report
    deferred: dict[str, FieldRule] = {}
    for name, rule in _expand_rules(load, frame, context).items():
        missing = _missing_columns(frame, rule.columns)
        if missing:
            out[name] = None
            if rule.required:
                problems += [Problem(i, name, f"{name} is required but column {missing[0]!r} is not in the export") for i in frame.index]
            continue
        if transforms.get(rule.transform).deferred and not rule.relation:
            deferred[name] = rule
            out[name] = transforms.apply("text", _inputs(frame, rule.columns), {}).values
            continue
        result = _rule_for(frame, rule, context)
        values = result.values
        if rule.lookup and rule.required and not rule.fallback:
            problems += _lookup_misses(frame, values, name, rule, context)
        flagged = result.problems.notna() if result.problems is not None else pd.Series(False, index=frame.index)
        if result.problems is not None:
            problems += _problems(result.problems, name, rule)
        if rule.owner:
            if rule.lookup:  # a user id the user list does not know stays visible as an unmatched owner
                values = values.where(values.notna(), source_key(frame, rule.columns))
            values, owner_notes, held = _resolve_owner(values, rule, context)
            notes = _add_notes(notes, owner_notes)
            problems += held
        if rule.fallback:
            values, notes = _apply_fallback(frame, values, notes, rule, context)
        if rule.default is not None:
            values = values.where(values.notna(), rule.default)
        if rule.relation:
            if rule.on_missing == "fallback" and rule.fallback_key:
                empty = values.isna()
                values = values.where(~empty, rule.fallback_key)
                notes = _add_notes(notes, pd.Series(f"{name}: {', '.join(rule.columns)} is empty; linked to the fallback "
                                                    f"record {rule.fallback_key!r}", index=values.index).where(empty, None))
            out[REF + name] = values
            if rule.repair:
                out[REPAIR + name] = _repair_keys(frame, rule, context)
            values = None
        out[name] = values
        if rule.required:
            empty = out[REF + name if rule.relation else name].isna() & ~flagged.astype(bool)
            if rule.repair:
                empty &= out[REPAIR + name].isna()
            columns = ", ".join(rule.columns) or "(constant)"
            problems += [Problem(i, name, f"{name} is required but {columns} is empty") for i in out.index[empty]]
    if load.dedupe_on:
        out[DEDUPE] = dedupe_value(out[load.dedupe_on]) if load.dedupe_on in out else None
    out[NOTES] = notes
    return MappedChunk(out, _unique(problems), deferred)


def _lookup_misses(frame: pd.DataFrame, values: pd.Series, name: str, rule: FieldRule, context: MappingContext) -> list[Problem]:
    """A required looked-up value that is missing because the lookup does not know the row's key."""
    keys = source_key(frame, rule.columns)
    source = context.spec.lookups[rule.lookup or ""].source
    missed = keys.notna() & values.isna()
    return [Problem(i, name, f"{name} ← {', '.join(rule.columns)}: {key!r} is not in {source}; add it there or fix the row")
            for i, key in keys[missed].items()]


def _problems(problem_texts: pd.Series, name: str, rule: FieldRule) -> list[Problem]:
    present = problem_texts.dropna()
    columns = ", ".join(rule.columns) + (f" via {rule.lookup}" if rule.lookup else "")  # custom:account:Credit Limit
    return [Problem(i, name, f"{name} ← {columns}: {text}") for i, text in present.items()]


def _add_notes(notes: pd.Series, extra: pd.Series) -> pd.Series:
    extra = extra.reindex(notes.index)
    joined = notes.where(extra.isna(), notes.str.cat(extra.fillna(""), sep="; ").str.strip("; "))
    return joined


def _apply_fallback(
    frame: pd.DataFrame, values: pd.Series, notes: pd.Series, rule: FieldRule, context: MappingContext
) -> tuple[pd.Series, pd.Series]:
    for fallback in rule.fallback:
        empty = values.isna()
        columns = (fallback.source_column,) if isinstance(fallback.source_column, str) else fallback.source_column
        if not empty.any() or _missing_columns(frame, columns):
            continue
        args = _transform_args(fallback.args, FieldRule.model_validate({"from": columns, "transform": fallback.transform}), context.spec)
        # Only the empty rows pay for the fallback's transform.
        substitute = transforms.apply(fallback.transform, _inputs(frame.loc[empty], columns), args).values
        substitute = substitute.reindex(values.index)
        used = empty & substitute.notna()
        values = values.astype("object").where(~used, substitute)
        notes = _add_notes(notes, pd.Series(fallback.note, index=values.index).where(used, None))
    return values, notes


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


LINK = "_link"


def explode(load: Load, frame: pd.DataFrame, spec: MappingSpec) -> list[tuple[Load, pd.DataFrame]]:
    """A fanned-out load (noteTargets): one sub-load per link column, on the rows that have one."""
    if not load.explode:
        return [(load, frame)]
    key = (*(load.key or (spec.source.objects[load.source].key,)), LINK)
    pieces = []
    for link in load.explode:
        if link.source_column not in frame.columns:
            continue
        rows = frame[frame[link.source_column].notna()]
        fields = {
            **load.fields,
            link.field: FieldRule.model_validate({"from": link.source_column, "relation": link.relation}),
        }
        piece_load = load.model_copy(update={"fields": fields, "explode": (), "key": key})
        pieces.append((piece_load, rows.assign(**{LINK: link.field})))
    return pieces
