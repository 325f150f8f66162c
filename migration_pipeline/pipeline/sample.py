"""The sample run: a small representative slice, loaded for real, read back and diffed field by field.

The slice covers, per source object, every value-mapped value (stages, statuses), every owner,
every relation, file and custom field in use, and every kind of problem the mapping finds in
the data; the rest of the budget is a seeded random draw. It is then closed over relations, so
that a sampled matter brings its client and a sampled note its matter: links resolve as they
will in the full run.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from migration_pipeline.destinations.base import Destination, WriteContext
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.contracts import check_raw
from migration_pipeline.mapping.engine import MappingContext, map_chunk, source_key
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.diff import COLUMNS, FieldDiff, diff_load, quarantined_rows, source_columns
from migration_pipeline.pipeline.load import Observed
from migration_pipeline.pipeline.migrate import run_migration
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.reports.markdown import table
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive

SAMPLE_SIZES = range(100, 501)
DEFAULT_SAMPLE_SIZE = 200
Reference = tuple[str, str]  # (source object, key) a row links to


def _objects(spec: MappingSpec) -> list[str]:
    return list(dict.fromkeys(load.source for load in spec.loads))


def _parent(spec: MappingSpec, relation: str) -> str | None:
    """The source object whose key a relation column holds (None when the related load has its own key)."""
    related = spec.load(relation)
    return related.source if related.key is None else None


def _links(spec: MappingSpec, loads: list[Load]) -> list[tuple[str, str, str]]:
    """(load.field, source column, parent object) for every relation the object's loads carry."""
    found = []
    for load in loads:
        rules = [(name, rule.columns[0], rule.relation) for name, rule in load.fields.items()
                 if rule.relation and rule.columns and not rule.lookup]
        rules += [(link.field, link.source_column, link.relation) for link in load.explode]
        found += [(f"{load.name}.{name}", column, parent) for name, column, relation in rules
                  if (parent := _parent(spec, relation)) is not None]
    return found


def _features(spec: MappingSpec, loads: list[Load], frame: pd.DataFrame, context: MappingContext) -> list[set[str]]:
    """What each row exemplifies: value-mapped values, owners, links, files, custom fields, problems."""
    found: list[set[str]] = [set() for _ in range(len(frame))]
    position = {index: i for i, index in enumerate(frame.index)}

    def mark(mask: pd.Series, labels: pd.Series | str) -> None:
        for index in mask[mask].index:
            found[position[index]].add(labels if isinstance(labels, str) else str(labels[index]))

    for load in loads:
        for name, rule in load.fields.items():
            column = rule.columns[0] if rule.columns and rule.columns[0] in frame.columns else None
            if column is None:
                continue
            values = frame[column].astype("str").str.strip().str.lower()
            if rule.transform == "value_map" or rule.owner:
                mark(frame[column].notna(), f"{load.name}.{name}=" + values)
            elif rule.relation:
                mark(frame[column].notna(), f"{load.name}.{name} linked")
        for link in load.explode:
            if link.source_column in frame.columns:
                mark(frame[link.source_column].notna(), f"{load.name}.{link.field} linked")
        if load.file and load.file.columns[0] in frame.columns:
            mark(frame[load.file.columns[0]].notna(), f"{load.name} file")
        if not load.explode:
            source_object = spec.source.objects[load.source]
            problems = check_raw(load.source, source_object, source_object.file, frame) + map_chunk(load, frame, context).problems
            for problem in problems:
                found[position[problem.index]].add(f"{load.name} problem: {problem.field}")
    source_object = spec.source.objects[loads[0].source]
    for custom in context.custom_fields.get(source_object.custom_fields_for or loads[0].source, []):
        if custom.column in frame.columns:
            mark(frame[custom.column].notna(), f"custom {custom.column}")
    return found


@dataclass
class _Picker:
    """Streams one object's rows: keeps the first row showing each feature, and a seeded reservoir."""

    budget: int
    rng: random.Random
    chosen: dict[str, list[Reference]] = field(default_factory=dict)
    reservoir: list[tuple[str, list[Reference]]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    rows: int = 0

    def offer(self, key: str, features: set[str], references: list[Reference]) -> None:
        self.rows += 1
        if features - self.seen:
            self.seen |= features
            self.chosen.setdefault(key, references)
        elif len(self.reservoir) < self.budget:
            self.reservoir.append((key, references))
        else:
            slot = self.rng.randrange(self.rows)
            if slot < self.budget:
                self.reservoir[slot] = (key, references)

    def fill(self, count: int) -> None:
        for key, references in self.reservoir:
            if count <= 0:
                return
            if key not in self.chosen:
                self.chosen[key] = references
                count -= 1


def _rows_with_references(spec: MappingSpec, archive: ExportArchive, obj: str, loads: list[Load],
                          chunk_rows: int) -> Iterable[tuple[pd.DataFrame, pd.Series, list[list[Reference]]]]:
    links = _links(spec, loads)
    for frame in prepare.frames(spec, archive, obj, chunk_rows):
        key_column = spec.source.objects[obj].key
        if key_column not in frame.columns:
            continue
        keys = source_key(frame, [key_column])
        references: list[list[Reference]] = [[] for _ in range(len(frame))]
        for _, column, parent in links:
            if column in frame.columns:
                for i, value in enumerate(source_key(frame, [column])):
                    if isinstance(value, str):
                        references[i].append((parent, value))
        yield frame, keys, references


def choose_sample(spec: MappingSpec, archive: ExportArchive, size: int = DEFAULT_SAMPLE_SIZE, seed: int = 7,
                  chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Selection:
    """The keys to sample per source object (see the module docstring)."""
    if size not in SAMPLE_SIZES:
        raise ValueError(f"sample size {size} is outside {SAMPLE_SIZES.start}–{SAMPLE_SIZES.stop - 1}")
    context = MappingContext(spec=spec, custom_fields=prepare.read_custom_fields(spec, archive))
    pickers: dict[str, _Picker] = {}
    for obj in _objects(spec):
        loads = [load for load in spec.loads if load.source == obj]
        picker = pickers[obj] = _Picker(budget=size, rng=random.Random(f"{seed}:{obj}"))
        for frame, keys, references in _rows_with_references(spec, archive, obj, loads, chunk_rows):
            features = _features(spec, loads, frame, context)
            for i, key in enumerate(keys):
                if isinstance(key, str):
                    picker.offer(key, features[i], references[i])
    covered = sum(len(p.chosen) for p in pickers.values())
    total = sum(p.rows for p in pickers.values()) or 1
    for picker in pickers.values():
        picker.fill(round(max(size - covered, 0) * picker.rows / total))
    return Selection(mode="sample", keys=_close_over_relations(spec, archive, pickers, chunk_rows))


def _close_over_relations(spec: MappingSpec, archive: ExportArchive, pickers: dict[str, _Picker],
                          chunk_rows: int) -> dict[str, frozenset[str]]:
    """Add every record a sampled row links to, children first, so that the sample's links resolve."""
    needed: dict[str, set[str]] = defaultdict(set)
    for obj in reversed(_objects(spec)):
        chosen = pickers[obj].chosen
        wanted = needed[obj] - set(chosen)
        if wanted:
            loads = [load for load in spec.loads if load.source == obj]
            for _, keys, references in _rows_with_references(spec, archive, obj, loads, chunk_rows):
                for i, key in enumerate(keys):
                    if key in wanted:
                        chosen[key] = references[i]
        for references in chosen.values():
            for parent, key in references:
                if parent != obj:
                    needed[parent].add(key)
    return {obj: frozenset(picker.chosen) for obj, picker in pickers.items()}


@dataclass
class SampleResult:
    run_id: str
    selected: dict[str, int]
    diffs: list[FieldDiff]
    csv_path: Path
    markdown_path: Path

    @property
    def disagreements(self) -> list[FieldDiff]:
        return [d for d in self.diffs if not d.agree]

    @property
    def records(self) -> int:
        return sum(self.selected.values())


def run_sample(spec: MappingSpec, archive: ExportArchive, ledger: Ledger, destination: Destination, run_id: str,
               directory: Path, size: int = DEFAULT_SAMPLE_SIZE, seed: int = 7,
               chunk_rows: int = DEFAULT_CHUNK_ROWS) -> SampleResult:
    """Load the sample, read it back, diff it, write the CSV and Markdown, and record the sample run."""
    selection = choose_sample(spec, archive, size, seed, chunk_rows)
    observed: dict[str, list[Observed]] = defaultdict(list)
    run_migration(spec, archive, ledger, destination, run_id, selection, chunk_rows,
                  observe=lambda load, records: observed[load.name].extend(records))
    custom = prepare.read_custom_fields(spec, archive)
    diffs: list[FieldDiff] = []
    for position, load in enumerate(spec.loads, start=1):
        held_back = ledger.quarantine_reasons(spec.migration, run_id, load.name, limit=10_000)
        refused = {r["source_key"] for r in held_back}
        records = [o for o in observed[load.name] if o.key not in refused]
        context = WriteContext(spec.migration, run_id, load.name, load.target, position, ())
        held = {r["id"]: r for r in destination.read(context, sorted({o.payload["id"] for o in records}))}
        diffs += diff_load(load, records, held, destination, source_columns(spec, load, custom))
        diffs += quarantined_rows(load.name, held_back)
    selected = {obj: len(keys) for obj, keys in (selection.keys or {}).items()}
    result = SampleResult(run_id, selected, diffs, directory / f"sample_diff_{run_id}.csv", directory / f"sample_diff_{run_id}.md")
    _write(spec, result)
    ledger.record_sample(spec.migration, run_id, spec.content_hash, result.records, len(result.disagreements),
                         str(result.markdown_path))
    return result


def summary_rows(result: SampleResult) -> list[dict]:
    per_load: dict[str, dict] = {}
    for diff in result.diffs:
        row = per_load.setdefault(diff.load, {"load": diff.load, "records": set(), "fields compared": 0, "disagree": 0})
        row["records"].add(diff.source_key)
        row["fields compared"] += 1
        row["disagree"] += not diff.agree
    return [{**row, "records": len(row["records"])} for row in per_load.values()]


def _write(spec: MappingSpec, result: SampleResult) -> None:
    result.csv_path.parent.mkdir(parents=True, exist_ok=True)
    with result.csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(d.row() for d in result.diffs)
    shown = result.disagreements[:200]
    lines = [
        f"# Sample run {result.run_id}: {spec.migration}",
        "",
        f"Mapping hash `{spec.content_hash[:12]}`; {result.records} source records sampled "
        f"({', '.join(f'{n} {obj}' for obj, n in result.selected.items())}). "
        f"{len(result.disagreements)} of {len(result.diffs)} field values disagree. Full diff: `{result.csv_path.name}`.",
        "",
        table(summary_rows(result)),
        "",
        "## Disagreements" + (f" (first {len(shown)})" if len(shown) < len(result.disagreements) else ""),
        "",
        table([d.row() for d in shown], COLUMNS),
        "",
        "Approve this sample only if every disagreement above is understood (job "
        f"`{spec.migration}_approve`, or `migration-pipeline approve --run {result.run_id}`).",
    ]
    result.markdown_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
