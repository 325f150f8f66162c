"""Reconciliation: does the destination hold what the export says it should?

Per load, three independent numbers must agree: the rows in the export, the rows the latest run
accounted for (created + updated + unchanged + merged + quarantined), and the records the
ledger maps that the destination actually returns when asked (not just what the ledger claims).
Links are checked on a sample: a link value must point at a record of the related load that the
destination holds. Fields are checked on a sample too: the records whose written form the load
kept are read back and diffed field by field, so a value changed or lost after the load shows.
Memory stays flat: the ledger and the destination are read a page at a time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from migration_pipeline.destinations.base import Destination, WriteContext
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline.diff import COLUMNS, FieldDiff, diff_load, source_columns
from migration_pipeline.pipeline.load import Observed, count_source_rows
from migration_pipeline.pipeline.prepare import read_custom_fields
from migration_pipeline.reports.markdown import table
from migration_pipeline.sources.export import ExportArchive

SAMPLE_LINKS = 200
SAMPLE_FIELDS = 200  # records per load whose fields are diffed


@dataclass
class LoadReconciliation:
    load: str
    target: str
    source_rows: int
    accounted: int
    expected: int = 0
    held: int = 0
    missing: list[str] = field(default_factory=list)  # destination ids the ledger maps but the destination lacks
    dangling: list[str] = field(default_factory=list)  # "record.field → id" links to nothing
    diffs: list[FieldDiff] = field(default_factory=list)  # the field diff of the kept sample

    @property
    def disagreements(self) -> list[FieldDiff]:
        return [d for d in self.diffs if not d.agree]

    @property
    def passed(self) -> bool:
        return self.source_rows == self.accounted and not self.missing and not self.dangling and not self.disagreements


def _relations(load: Load) -> dict[str, str]:
    links = {name: rule.relation for name, rule in load.fields.items() if rule.relation}
    links.update({link.field: link.relation for link in load.explode})
    return links


def reconcile(spec: MappingSpec, ledger: Ledger, destination: Destination, archive: ExportArchive,
              run_id: str) -> list[LoadReconciliation]:
    results = []
    custom = read_custom_fields(spec, archive)
    for position, load in enumerate(spec.loads, start=1):
        context = WriteContext(spec.migration, run_id, load.name, load.target, position, ())
        latest = ledger.latest_run(spec.migration, load.name)
        accounted = sum(ledger.outcome_counts(spec.migration, latest, load.name).values()) if latest else 0
        result = LoadReconciliation(load.name, load.target, count_source_rows(spec, load, archive), accounted)
        sample: list[dict] = []
        for page in ledger.entries(spec.migration, load.name):
            expected = sorted({row["dest_id"] for row in page if row["outcome"] != "merged"})
            held = destination.read(context, expected)
            held_ids = {record["id"] for record in held}
            result.expected += len(expected)
            result.held += len(held_ids)
            result.missing += [i for i in expected if i not in held_ids]
            sample += held[: SAMPLE_LINKS - len(sample)]
        result.dangling = _dangling_links(spec, ledger, destination, load, sample, run_id)
        result.diffs = _field_diff(spec, ledger, destination, load, context, source_columns(spec, load, custom))
        results.append(result)
    return results


def _field_diff(spec: MappingSpec, ledger: Ledger, destination: Destination, load: Load, context: WriteContext,
                columns: dict[str, tuple[str, ...]]) -> list[FieldDiff]:
    kept = [Observed(r["source_key"], "kept", r["payload"], r["source"])
            for r in ledger.expected_records(spec.migration, load.name, SAMPLE_FIELDS)]
    if not kept:
        return []
    held = {record["id"]: record for record in destination.read(context, [k.payload["id"] for k in kept])}
    return diff_load(load, kept, held, destination, columns)


def _linked(value: object) -> list[str]:
    """The ids a link field holds: one, none, or a list (a many-to-many)."""
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _dangling_links(spec: MappingSpec, ledger: Ledger, destination: Destination, load: Load,
                    sample: list[dict], run_id: str) -> list[str]:
    dangling = []
    for logical, relation in _relations(load).items():
        related = spec.load(relation)
        name = destination.field_name(load.target, logical)
        targets = sorted({target for record in sample for target in _linked(record.get(name))})
        context = WriteContext(spec.migration, run_id, related.name, related.target, 0, ())
        present = {record["id"] for record in destination.read(context, targets)} if targets else set()
        dangling += [f"{record['id']}.{name} → {target}" for record in sample
                     for target in _linked(record.get(name)) if target not in present]
    return dangling


def summary_rows(results: list[LoadReconciliation]) -> list[dict]:
    return [{"load": r.load, "passed": r.passed, "source rows": r.source_rows, "accounted": r.accounted,
             "expected": r.expected, "held": r.held, "missing": len(r.missing), "dangling links": len(r.dangling),
             "fields compared": len(r.diffs), "fields disagreeing": len(r.disagreements),
             "examples": "; ".join((r.missing + r.dangling + [f"{d.source_key}.{d.field}" for d in r.disagreements])[:3])}
            for r in results]


def write_report(spec: MappingSpec, results: list[LoadReconciliation], directory: Path, run_id: str) -> Path:
    """`reconciliation_<run>.md` (verdict per load, then every problem) and the field diff as CSV."""
    directory.mkdir(parents=True, exist_ok=True)
    diff_path = directory / f"reconciliation_{run_id}_field_diff.csv"
    with diff_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(d.row() for r in results for d in r.diffs)
    verdict = "PASSED" if all(r.passed for r in results) else "FAILED"
    problems = [{"load": r.load, "kind": kind, "what": what} for r in results
                for kind, items in (("missing in destination", r.missing), ("dangling link", r.dangling),
                                    ("field disagrees", [f"{d.source_key}.{d.field}: expected {d.expected!r}, holds {d.actual!r}"
                                                         for d in r.disagreements]))
                for what in items]
    path = directory / f"reconciliation_{run_id}.md"
    path.write_text("\n".join([
        f"# Reconciliation {verdict}: {spec.migration}", "", f"Run {run_id}, mapping `{spec.content_hash[:12]}`. "
        f"Field diff of the kept sample: `{diff_path.name}`.", "", table(summary_rows(results)), "",
        f"## Problems ({len(problems)})", "", table(problems[:500]), ""]), encoding="utf-8")
    return path
