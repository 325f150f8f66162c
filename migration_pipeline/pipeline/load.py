"""Running one load: source chunks → map → validate → resolve → write → ledger.

Every source row ends in exactly one audit action for the run: created, updated, unchanged,
merged (a duplicate folded into the record it duplicates) or quarantined (with a reason). The
ledger is written after the destination accepted a chunk, and ids are derived from the source
key, so a run killed at any point converges when started again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from migration_pipeline.destinations.base import Destination, WriteContext, WriteOutcome
from migration_pipeline.ledger.store import Ledger, MappedRecord
from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.contracts import check_destination, check_raw
from migration_pipeline.mapping.engine import (
    DEDUPE,
    KEY,
    NOTES,
    REF,
    REPAIR,
    ROW,
    CustomField,
    MappingContext,
    Problem,
    explode,
    map_chunk,
    source_key,
)
from migration_pipeline.mapping.spec import FieldRule, Load, MappingSpec, RowCondition
from migration_pipeline.pipeline.payloads import build_payloads, destination_id, payload_hash
from migration_pipeline.pipeline.selection import Selection, modified_times, outside_window
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, Chunk, ExportArchive



@dataclass
class LoadSummary:
    load: str
    ledger_run: str
    source_rows: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)  # quarantine reason (without the value) → rows
    newest_change: dt.datetime | None = None  # the latest source modified-at among the rows read
    kept: int = 0  # records whose written form was kept for reconciliation

    def saw(self, times: pd.Series | None) -> None:
        """Remember the newest change read; a modified-at in the future is a source clock error, not a change."""
        if times is not None:
            times = times[times <= pd.Timestamp.now(tz="UTC")]
        newest = times.max() if times is not None and len(times) else pd.NaT
        if not pd.isna(newest) and (self.newest_change is None or newest > self.newest_change):
            self.newest_change = newest.to_pydatetime()


@dataclass(frozen=True)
class Observed:
    """A record as the run meant to write it: what a sample's field diff compares with the destination."""

    key: str
    outcome: str  # create | update | unchanged | merged
    payload: dict[str, Any]
    source: dict[str, Any]


@dataclass
class LoadJob:
    spec: MappingSpec
    load: Load
    archive: ExportArchive
    ledger: Ledger
    destination: Destination
    context: MappingContext
    ledger_run: str
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    selection: Selection = Selection()
    observe: Callable[[Load, list[Observed]], None] | None = None
    keep_expected: int = 200  # per load and run: records whose written form reconciliation diffs later

    @property
    def write_context(self) -> WriteContext:
        return WriteContext(
            migration=self.spec.migration,
            run_id=self.ledger_run,
            load=self.load.name,
            target=self.load.target,
            position=self.spec.load_order().index(self.load.name) + 1,
            fields=tuple(load_fields(self.spec, self.load, self.context)),
        )


def load_fields(spec: MappingSpec, load: Load, context: MappingContext) -> list[str]:
    names = list(load.fields) + [link.field for link in load.explode]
    if load.custom_fields:
        source_object = spec.source.objects[load.source]
        names += [c.target_path for c in context.custom_fields.get(source_object.custom_fields_for or load.source, [])]
    if load.file:
        names.append("fullPath")
    return list(dict.fromkeys(names))


def fields_by_load(spec: MappingSpec, custom: dict[str, list[CustomField]]) -> dict[str, list[str]]:
    """Every destination field each load can send, custom fields included."""
    context = MappingContext(spec=spec, custom_fields=custom)
    return {load.name: load_fields(spec, load, context) for load in spec.loads}


def taken(load: Load, frame: pd.DataFrame, archive: ExportArchive) -> pd.DataFrame:
    """The rows of a chunk this load takes (its `when` condition)."""
    if load.when is None:
        return frame
    return frame[matches(load.when, frame, archive)]


def matches(condition: RowCondition, frame: pd.DataFrame, archive: ExportArchive) -> pd.Series:
    """Which rows of `frame` satisfy `condition` (a boolean mask); a missing column is an empty one."""
    if condition.all_of or condition.any_of:
        masks = [matches(part, frame, archive) for part in condition.all_of or condition.any_of]
        combined = masks[0]
        for mask in masks[1:]:
            combined = combined & mask if condition.all_of else combined | mask
        return combined
    if condition.not_ is not None:
        return ~matches(condition.not_, frame, archive)
    column = frame[condition.column] if condition.column in frame.columns else pd.Series(None, index=frame.index, dtype="object")
    values = transforms.apply("text", column, {}).values
    if condition.values:
        mask = values.str.lower().isin([v.lower() for v in condition.values])
    elif condition.file_exists is not None:
        held = values.map(archive.exists, na_action="ignore").fillna(False).astype(bool)
        mask = held if condition.file_exists else ~held
    else:
        mask = values.notna() if condition.present else values.isna()
    return mask.fillna(False).astype(bool)


def owns_malformed_lines(spec: MappingSpec, load: Load) -> bool:
    """Unreadable lines of a source object are quarantined once: by its first plain load."""
    plain = [candidate.name for candidate in spec.loads if candidate.source == load.source and not candidate.explode]
    return bool(plain) and plain[0] == load.name


def chunks(job: LoadJob) -> Iterator[Chunk]:
    yield from source_chunks(job.spec, job.load, job.archive, job.chunk_rows)


SYNTHETIC_ROWS = 10**9  # synthetic records are numbered from here, after any export row


def source_chunks(spec: MappingSpec, load: Load, archive: ExportArchive, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Chunk]:
    """The export file's chunks, then the load's synthetic records as one more chunk."""
    yield from archive.read_chunks(spec.source.objects[load.source].file, chunk_rows)
    if load.synthetic:
        frame = pd.DataFrame([dict(row) for row in load.synthetic], dtype="object")
        frame.index = range(SYNTHETIC_ROWS, SYNTHETIC_ROWS + len(frame))
        yield Chunk(frame)


def run_load(job: LoadJob) -> LoadSummary:
    summary = LoadSummary(load=job.load.name, ledger_run=job.ledger_run)
    source_object = job.spec.source.objects[job.load.source]
    for chunk in chunks(job):
        frame = taken(job.load, job.selection.rows(job.spec, job.load.source, chunk.frame), job.archive)
        raw = check_raw(job.load.source, source_object, source_object.file, frame)
        if job.selection.keys is None and owns_malformed_lines(job.spec, job.load):
            _quarantine_malformed(job, chunk, summary)
        for piece_load, piece in explode(job.load, frame, job.spec):
            piece = _skip_unmodified(job, piece_load, piece, summary)
            piece_raw = [p for p in raw if p.index in piece.index]
            _process_piece(job, piece_load, piece, piece_raw, summary)
    return summary


def _skip_unmodified(job: LoadJob, load: Load, piece: pd.DataFrame, summary: LoadSummary) -> pd.DataFrame:
    """A delta skips rows already loaded and modified outside its window; returns the rows to process."""
    times = modified_times(job.spec, job.load.source, piece)
    window = job.selection.window
    if window is None or times is None:
        summary.saw(times)
        return piece
    outside = outside_window(times, window)
    keys = source_key(piece.loc[outside], load.key or (job.spec.source.objects[load.source].key,))
    loaded = job.ledger.lookup(job.spec.migration, job.load.name, keys.dropna().tolist())
    skipped = keys[keys.isin(list(loaded))]
    if len(skipped):
        detail = f"not modified in {job.selection.describe()}: skipped without re-reading"
        job.ledger.record(job.spec.migration, job.ledger_run, job.load.name, audit=[
            {"source_key": key, "action": "unchanged", "dest_id": loaded[key].dest_id, "detail": detail} for key in skipped
        ])
        summary.counts["unchanged"] += len(skipped)
        summary.source_rows += len(skipped)
    kept = piece.drop(index=skipped.index)
    summary.saw(times.drop(index=skipped.index))
    return kept


def _quarantine_malformed(job: LoadJob, chunk: Chunk, summary: LoadSummary) -> None:
    if not chunk.malformed:
        return
    file_name = job.spec.source.objects[job.load.source].file
    rows = [
        {"source_key": None, "row_number": None, "field": None,
         "reason": f"{file_name} line {bad.line}: {bad.message} — the line has more fields than the header "
                   "(an unquoted delimiter?); fix it in the export"}
        for bad in chunk.malformed
    ]
    job.ledger.record(
        job.spec.migration, job.ledger_run, job.load.name,
        audit=[{"source_key": None, "action": "quarantined", "detail": r["reason"]} for r in rows],
        quarantined=rows,
    )
    summary.source_rows += len(rows)
    summary.counts["quarantined"] += len(rows)
    summary.reasons["malformed line"] += len(rows)


@dataclass
class _Verdicts:
    """Problems per row index, in the order found."""

    by_row: dict[Any, list[Problem]] = field(default_factory=dict)

    def add(self, problems: Sequence[Problem]) -> None:
        """Keep the first, most specific, problem found for each field of a row."""
        for problem in problems:
            found = self.by_row.setdefault(problem.index, [])
            if all(p.field != problem.field for p in found):
                found.append(problem)

    def bad(self) -> set[Any]:
        return set(self.by_row)


def _process_piece(job: LoadJob, load: Load, piece: pd.DataFrame, raw: list[Problem], summary: LoadSummary) -> None:
    mapped = map_chunk(load, piece, job.context)
    frame = mapped.frame
    verdicts = _Verdicts()
    verdicts.add(raw)
    verdicts.add(mapped.problems)
    verdicts.add(check_destination(job.spec, job.load.name, frame))
    notes = frame[NOTES].copy()
    _drop_links_to_rows_not_taken(job, load, piece, frame)
    for name, rule in load.fields.items():
        if REF + name in frame.columns:
            ids, problems, extra_notes = _resolve_relation(job, frame, name, rule)
            frame[name] = ids
            verdicts.add(problems)
            notes = _append(notes, extra_notes)
    if load.file is not None:
        verdicts.add(_check_files(job, frame, piece, load))
    verdicts.add(_duplicate_keys(frame, verdicts.bad()))
    frame[NOTES] = notes
    good = frame.loc[~frame.index.isin(verdicts.bad())]
    _write(job, load, good, mapped.deferred, piece, verdicts, summary)
    _record_quarantine(job, frame, verdicts, summary)
    summary.source_rows += len(frame)


def _drop_links_to_rows_not_taken(job: LoadJob, load: Load, piece: pd.DataFrame, frame: pd.DataFrame) -> None:
    """A link to the record another load made *of this same row* (a client's company) exists only where
    that load took the row; elsewhere there is nothing to link, which is not an orphan."""
    for name, rule in load.fields.items():
        if not rule.relation or REF + name not in frame.columns:
            continue
        related = job.spec.load(rule.relation)
        key = related.key or (job.spec.source.objects[related.source].key,)
        if related.source == load.source and related.when is not None and rule.columns == tuple(key):
            frame.loc[~matches(related.when, piece, job.archive), REF + name] = None


def _append(notes: pd.Series, extra: pd.Series) -> pd.Series:
    both = notes.fillna("").str.cat(extra.reindex(notes.index).fillna(""), sep="; ").str.strip("; ")
    return both


def _resolve_many(job: LoadJob, frame: pd.DataFrame, name: str, rule: FieldRule) -> tuple[pd.Series, list[Problem], pd.Series]:
    """A list of related keys → the list of their ids; keys that resolve to nothing follow on_missing."""
    lists = frame[REF + name].map(lambda text: [k for k in str(text).split(";") if k], na_action="ignore")
    found = job.ledger.lookup(job.spec.migration, rule.relation or "", [k for keys in lists.dropna() for k in keys])
    ids = lists.map(lambda keys: sorted({found[k].dest_id for k in keys if k in found}) or None, na_action="ignore")
    lost = lists.map(lambda keys: [k for k in keys if k not in found], na_action="ignore")
    message = lost.map(lambda keys: f"{name}: {rule.relation} records {', '.join(keys)} were not loaded" if keys else None,
                       na_action="ignore")
    if rule.on_missing == "quarantine":
        return ids, [Problem(i, name, text) for i, text in message.dropna().items()], pd.Series(None, index=frame.index, dtype="object")
    return ids, [], message.map(lambda m: f"{m}; left out of the link", na_action="ignore")


def _resolve_relation(job: LoadJob, frame: pd.DataFrame, name: str, rule: FieldRule) -> tuple[pd.Series, list[Problem], pd.Series]:
    if rule.many:
        return _resolve_many(job, frame, name, rule)
    keys, relation = frame[REF + name], rule.relation or ""
    repair_keys = frame[REPAIR + name] if REPAIR + name in frame.columns else None
    wanted = keys.dropna().tolist() + ([rule.fallback_key] if rule.fallback_key else [])
    wanted += repair_keys.dropna().tolist() if repair_keys is not None else []
    found = job.ledger.lookup(job.spec.migration, relation, wanted)
    ids = keys.map(lambda k: found[k].dest_id if k in found else None, na_action="ignore")
    repaired = pd.Series(None, index=frame.index, dtype="object")
    if repair_keys is not None:
        ids, repaired = _repair(ids, keys, repair_keys, found, name, rule)
    missing = keys.notna() & ids.isna()
    message = keys.where(missing, None).map(
        lambda k: f"{name}: {relation} record {k!r} was not loaded (it is not in the export, or it was quarantined)",
        na_action="ignore",
    )
    if rule.on_missing == "null":
        return ids, [], _append(repaired, message.map(lambda m: f"{m}; linked to nothing", na_action="ignore"))
    fallback = found.get(rule.fallback_key or "")
    if rule.on_missing == "fallback" and fallback is not None:
        ids = ids.where(~missing, fallback.dest_id)
        return ids, [], _append(repaired, message.map(lambda m: f"{m}; linked to the fallback record {rule.fallback_key!r}",
                                                      na_action="ignore"))
    problems = [Problem(i, name, text) for i, text in message.dropna().items()]
    return ids, problems, repaired


def _repair(ids: pd.Series, keys: pd.Series, repair_keys: pd.Series, found: dict[str, MappedRecord], name: str,
            rule: FieldRule) -> tuple[pd.Series, pd.Series]:
    """Rows whose own reference resolves to nothing, linked through the repair lookup; the note says how."""
    assert rule.repair is not None
    second = repair_keys.map(lambda k: found[k].dest_id if k in found else None, na_action="ignore")
    use = ids.isna() & second.notna()
    columns = "+".join(rule.columns)
    notes = pd.Series(None, index=ids.index, dtype="object")
    for index in ids.index[use]:
        own = keys[index]
        broken = f"{name}: {columns} {own!r} resolves to nothing" if isinstance(own, str) else f"{name}: {columns} is empty"
        notes[index] = f"{broken}; repaired: {rule.repair.note}, linked to {rule.relation} record {repair_keys[index]!r}"
    return ids.where(~use, second), notes


def _check_files(job: LoadJob, frame: pd.DataFrame, piece: pd.DataFrame, load: Load) -> list[Problem]:
    assert load.file is not None
    column = load.file.columns[0]
    paths = transforms.apply("text", piece[column], {}).values if column in piece else pd.Series(None, index=frame.index)
    problems = []
    for index, path in paths.items():
        if not isinstance(path, str):  # blank: None or pandas' missing value
            problems.append(Problem(index, "file", f"file: {column} is empty, there is no file to upload"))
        elif not job.archive.exists(path):
            problems.append(Problem(index, "file", f"file: {path!r} is referenced but not in the export; add it and re-run"))
    frame["fullPath"] = paths
    return problems


def _duplicate_keys(frame: pd.DataFrame, bad: set[Any]) -> list[Problem]:
    keys = frame.loc[~frame.index.isin(bad), KEY].dropna()
    repeated = keys[keys.duplicated(keep="first")]
    return [Problem(i, KEY, f"source key {k!r} appears more than once in the export; only the first row was used") for i, k in repeated.items()]


@dataclass
class _Plan:
    creates: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    unchanged: list[Any] = field(default_factory=list)
    merged: list[tuple[Any, str, str]] = field(default_factory=list)  # row, survivor id, survivor key


def _row_facts(good: pd.DataFrame, dedupe: bool) -> dict[Any, dict[str, Any]]:
    """Key, notes and dedupe value per row, read once (row-wise pandas access is slow)."""
    columns = [KEY, NOTES] + ([DEDUPE] if dedupe else [])
    facts = good[columns].astype("object").where(good[columns].notna(), None)
    return dict(zip(good.index, facts.to_dict("records")))


def _write(
    job: LoadJob, load: Load, good: pd.DataFrame, deferred: dict[str, Any], piece: pd.DataFrame,
    verdicts: _Verdicts, summary: LoadSummary,
) -> None:
    if good.empty:
        return
    migration = job.spec.migration
    rows = _row_facts(good, bool(load.dedupe_on))
    existing = job.ledger.lookup(migration, job.load.name, [row[KEY] for row in rows.values()])
    payloads = dict(zip(good.index, build_payloads(good, job.write_context.fields, deferred)))
    plan = _plan(job, rows, existing, payloads, verdicts)
    written = _send(job, plan, verdicts)
    # What the destination holds under which id: its own for what it created (Odoo numbers records).
    stored = {index: {**payload, "id": written[index].id} for index, payload in plan.creates + plan.updates if index in written}
    # An unchanged duplicate stays merged: the record under its id is the survivor's.
    stored.update({index: payloads[index] for index in plan.unchanged if existing[rows[index][KEY]].outcome != "merged"})
    mappings, audit = [], []
    for index, payload in plan.creates + plan.updates:
        outcome = written.get(index)
        if outcome is None:
            continue
        row, entry = rows[index], existing.get(rows[index][KEY])
        if outcome.matched:
            mappings.append({**_mapping(load, row, payload, outcome.id, "matched", False), "before_image": outcome.before})
            detail = f"matched the existing {load.target} record {outcome.id} holding the same unique value; updated it"
            audit.append(_event(row, "updated", outcome.id, "; ".join(filter(None, [detail, row[NOTES]]))))
            continue
        first_outcome = "patched" if job.load.updates else "created"
        mappings.append(_mapping(load, row, payload, outcome.id, entry.outcome if entry else first_outcome,
                                 entry is None and not job.load.updates))
        audit.append(_event(row, "updated" if entry or job.load.updates else "created", outcome.id, row[NOTES]))
    for index in plan.unchanged:
        audit.append(_event(rows[index], "unchanged", existing[rows[index][KEY]].dest_id, rows[index][NOTES]))
    # A survivor created in this chunk has the id the destination gave it (Odoo numbers its own).
    given = {payload["id"]: written[index].id for index, payload in plan.creates if index in written}
    refused = {payload["id"] for index, payload in plan.creates if index not in written}
    for index, survivor_id, survivor_key in plan.merged:
        if survivor_id in refused:
            verdicts.add([Problem(index, load.dedupe_on or KEY, f"duplicate of {survivor_key!r}, which the destination "
                                  "refused: fix that record and re-run")])
            continue
        survivor_id = given.get(survivor_id, survivor_id)
        mappings.append(_mapping(load, rows[index], payloads[index], survivor_id, "merged", False))
        detail = f"duplicate of {survivor_key or 'an earlier record'!r} (same {load.dedupe_on}); linked to that record"
        audit.append(_event(rows[index], "merged", survivor_id, detail))
    job.ledger.record(migration, job.ledger_run, job.load.name, mappings=mappings, audit=audit)
    summary.counts.update(event["action"] for event in audit)
    if job.observe is not None:
        job.observe(load, _observed(plan, rows, payloads, stored, given, piece))
    _keep_expected(job, [i for i in stored if i not in written or not written[i].matched], rows, stored, piece, summary)


def _keep_expected(job: LoadJob, indices: list[Any], rows: dict[Any, dict[str, Any]], payloads: dict[Any, dict[str, Any]],
                   piece: pd.DataFrame, summary: LoadSummary) -> None:
    chosen = indices[: max(job.keep_expected - summary.kept, 0)]
    if not chosen:
        return
    source = piece.loc[chosen].astype("object").where(piece.loc[chosen].notna(), None)
    job.ledger.keep_expected(job.spec.migration, job.load.name, job.ledger_run, [
        {"source_key": rows[i][KEY], "payload": payloads[i], "source": source.loc[i].to_dict()} for i in chosen])
    summary.kept += len(chosen)


def _plan(
    job: LoadJob, rows: dict[Any, dict[str, Any]], existing: dict[str, MappedRecord],
    payloads: dict[Any, dict[str, Any]], verdicts: _Verdicts,
) -> _Plan:
    plan = _Plan()
    new_rows = []
    for index, row in rows.items():
        key, entry, payload = row[KEY], existing.get(row[KEY]), payloads[index]
        if entry is None:
            new_rows.append(index)
            continue
        payload["id"] = entry.dest_id
        if entry.payload_hash == payload_hash(payload):
            plan.unchanged.append(index)
        elif entry.last_run_id == job.ledger_run:
            verdicts.add([Problem(index, KEY, f"source key {key!r} appears more than once in the export with different values; only the first row was used")])
        elif entry.outcome == "merged":
            plan.merged.append((index, entry.dest_id, ""))
        else:
            plan.updates.append((index, payload))
    if job.load.updates:
        _plan_patches(job, rows, new_rows, payloads, verdicts, plan)
        return plan
    values = [rows[i].get(DEDUPE) for i in new_rows if rows[i].get(DEDUPE)]
    survivors = job.ledger.lookup_dedupe(job.spec.migration, job.load.name, values) if values else {}
    for index in new_rows:
        key, value = rows[index][KEY], rows[index].get(DEDUPE)
        survivor = survivors.get(value) if value else None
        if survivor is not None and survivor[0] != key:
            payloads[index]["id"] = survivor[1]
            plan.merged.append((index, survivor[1], survivor[0]))
            continue
        payloads[index]["id"] = destination_id(job.spec.migration, job.load.name, key)
        if value:
            survivors[value] = (key, payloads[index]["id"])
        plan.creates.append((index, payloads[index]))
    return plan


def _plan_patches(job: LoadJob, rows: dict[Any, dict[str, Any]], new_rows: list[Any], payloads: dict[Any, dict[str, Any]],
                  verdicts: _Verdicts, plan: _Plan) -> None:
    """An updating load's first write of a row goes to the record its `updates` load made of that row."""
    updated = job.load.updates or ""
    targets = job.ledger.lookup(job.spec.migration, updated, [rows[i][KEY] for i in new_rows])
    for index in new_rows:
        target = targets.get(rows[index][KEY])
        if target is None:
            verdicts.add([Problem(index, KEY, f"the {updated} record of this row was not loaded (quarantined, or not in "
                                              "the export): there is nothing to update")])
            continue
        payloads[index]["id"] = target.dest_id
        plan.updates.append((index, payloads[index]))


def _observed(plan: _Plan, rows: dict[Any, dict[str, Any]], payloads: dict[Any, dict[str, Any]],
              stored: dict[Any, dict[str, Any]], given: dict[str, str], piece: pd.DataFrame) -> list[Observed]:
    """The records written, unchanged or merged, each under the id the destination holds it by."""
    records = dict(stored)
    for index, survivor_id, _ in plan.merged:
        records[index] = {**payloads[index], "id": given.get(survivor_id, survivor_id)}
    records.update({index: payloads[index] for index in plan.unchanged if index not in stored})
    planned = [(i, "create") for i, _ in plan.creates] + [(i, "update") for i, _ in plan.updates]
    planned = [(i, outcome) for i, outcome in planned if i in records]
    planned += [(i, "unchanged" if i in stored else "merged") for i in plan.unchanged]
    planned += [(i, "merged") for i, _, _ in plan.merged]
    source = piece.astype("object").where(piece.notna(), None)
    return [Observed(rows[i][KEY], outcome, records[i], source.loc[i].to_dict()) for i, outcome in planned]


def _send(job: LoadJob, plan: _Plan, verdicts: _Verdicts) -> dict[Any, WriteOutcome]:
    """Write creates then updates in batches; a record the destination refuses as data is quarantined."""
    written: dict[Any, WriteOutcome] = {}
    context = job.write_context
    batch_size = job.destination.batch_size
    for operation, items in (("create", plan.creates), ("update", plan.updates)):
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            records = [_with_uploaded_file(job, payload) if job.load.file else payload for _, payload in batch]
            outcomes = job.destination.write(context, operation, records)
            for (index, _payload), outcome in zip(batch, outcomes):
                if outcome.ok:
                    written[index] = outcome
                elif outcome.kind == "data":
                    verdicts.add([Problem(index, "destination", f"the destination refused the record: {outcome.error}")])
                else:
                    raise RuntimeError(f"{job.load.name}: destination {outcome.kind} error: {outcome.error}")
    return written


def _with_uploaded_file(job: LoadJob, payload: dict[str, Any]) -> dict[str, Any]:
    """Upload the export's file; the record then carries the destination's file reference."""
    path = payload["fullPath"]
    reference = job.destination.upload_file(job.write_context, path, job.archive.size(path), lambda: job.archive.open(path))
    return {**payload, "fullPath": reference}


def _mapping(load: Load, row: dict[str, Any], payload: dict[str, Any], dest_id: str, outcome: str, created: bool) -> dict[str, Any]:
    dedupe = row.get(DEDUPE)
    return {
        "source_key": row[KEY],
        "dest_object": load.target,
        "dest_id": dest_id,
        "payload_hash": payload_hash(payload),
        "before_image": None,
        "dedupe_value": dedupe if isinstance(dedupe, str) else None,
        "outcome": outcome,
        "created_by_us": created,
    }


def _event(row: dict[str, Any], action: str, dest_id: str | None, detail: Any) -> dict[str, Any]:
    return {"source_key": row[KEY], "action": action, "dest_id": dest_id, "detail": detail or None}


def _record_quarantine(job: LoadJob, frame: pd.DataFrame, verdicts: _Verdicts, summary: LoadSummary) -> None:
    if not verdicts.by_row:
        return
    source = job.load.source
    quarantined, audit = [], []
    for index, problems in verdicts.by_row.items():
        if index not in frame.index:
            continue
        key = frame.at[index, KEY]
        row_number = int(frame.at[index, ROW])
        for problem in problems:
            reason = f"{source} row {row_number} (key {key if isinstance(key, str) else 'missing'}): {problem.reason}"
            quarantined.append({"source_key": key, "row_number": row_number, "field": problem.field, "reason": reason})
            summary.reasons[_reason_kind(problem)] += 1
        audit.append({"source_key": key, "action": "quarantined", "dest_id": None,
                      "detail": "; ".join(p.reason for p in problems)})
    job.ledger.record(job.spec.migration, job.ledger_run, job.load.name, audit=audit, quarantined=quarantined)
    summary.counts["quarantined"] += len(audit)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _reason_kind(problem: Problem) -> str:
    """A reason with its values blanked, so that the summary groups alike problems."""
    return _QUOTED.sub("…", problem.reason)[:160]


def count_source_rows(spec: MappingSpec, load: Load, archive: ExportArchive, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                      selection: Selection = Selection()) -> int:
    """Independent recount of what a load must account for, straight from the export."""
    total = 0
    for chunk in source_chunks(spec, load, archive, chunk_rows):
        frame = taken(load, selection.rows(spec, load.source, chunk.frame), archive)
        if load.explode:
            total += sum(int(frame[link.source_column].notna().sum())
                         for link in load.explode if link.source_column in frame.columns)
        else:
            total += len(frame) + (len(chunk.malformed) if selection.keys is None and owns_malformed_lines(spec, load) else 0)
    return total
