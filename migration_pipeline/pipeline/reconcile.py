"""Reconciliation: does the destination hold what the export says it should?

Per load, three independent numbers must agree: the rows in the export, the rows the latest run
accounted for (created + updated + unchanged + merged + quarantined), and the records the
ledger maps that the destination actually returns when asked (not just what the ledger claims).
Links are checked on a sample: a link value must point at a record of the related load that the
destination holds. Memory stays flat: the ledger and the destination are read a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migration_pipeline.destinations.base import Destination, WriteContext
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline.load import count_source_rows
from migration_pipeline.sources.export import ExportArchive

SAMPLE_LINKS = 200


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

    @property
    def passed(self) -> bool:
        return self.source_rows == self.accounted and not self.missing and not self.dangling


def _relations(load: Load) -> dict[str, str]:
    links = {name: rule.relation for name, rule in load.fields.items() if rule.relation}
    links.update({link.field: link.relation for link in load.explode})
    return links


def reconcile(spec: MappingSpec, ledger: Ledger, destination: Destination, archive: ExportArchive,
              run_id: str) -> list[LoadReconciliation]:
    results = []
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
        results.append(result)
    return results


def _dangling_links(spec: MappingSpec, ledger: Ledger, destination: Destination, load: Load,
                    sample: list[dict], run_id: str) -> list[str]:
    dangling = []
    for logical, relation in _relations(load).items():
        related = spec.load(relation)
        name = destination.field_name(load.target, logical)
        targets = sorted({record[name] for record in sample if record.get(name)})
        context = WriteContext(spec.migration, run_id, related.name, related.target, 0, ())
        present = {record["id"] for record in destination.read(context, targets)} if targets else set()
        dangling += [f"{record['id']}.{name} → {record[name]}" for record in sample
                     if record.get(name) and record[name] not in present]
    return dangling
