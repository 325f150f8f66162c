"""A whole migration in one call: schema, owners, then every load in dependency order.

The full load runs as separate assets (one per load, for the UI); the sample and delta jobs run
the same steps in one op through `run_migration`, reading only the rows their selection picks.
"""

from __future__ import annotations

from collections.abc import Callable

from migration_pipeline.destinations.base import Destination, SchemaResult
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.engine import CustomField
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import LoadJob, LoadSummary, Observed, fields_by_load, run_load
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive


class NotApproved(RuntimeError):
    """The mapping as it is now has no approved sample run: nothing may be loaded in full."""


def require_approval(spec: MappingSpec, ledger: Ledger) -> dict:
    approval = ledger.approval(spec.migration, spec.content_hash)
    if approval is None:
        sample = ledger.sample(spec.migration, mapping_hash=spec.content_hash)
        step = (f"approve sample run {sample['run_id']} (job {spec.migration}_approve, or `migration-pipeline approve`)"
                if sample else f"run the sample job {spec.migration}_sample, review its field diff, then approve it")
        raise NotApproved(f"{spec.migration}: mapping {spec.content_hash[:12]} has no approved sample run; {step}. "
                          "Every edit of the mapping file needs a new sample and approval.")
    return approval


def prepare_destination(spec: MappingSpec, archive: ExportArchive, destination: Destination,
                        chunk_rows: int = DEFAULT_CHUNK_ROWS) -> tuple[SchemaResult, dict[str, list[CustomField]]]:
    """Create the custom fields and options the loads need; fail naming any mapped field still missing."""
    custom = prepare.read_custom_fields(spec, archive)
    result = destination.ensure_fields(spec.migration, prepare.schema_plan(spec, archive, custom, chunk_rows), apply=True)
    wanted: dict[str, list[str]] = {}
    for name, names in fields_by_load(spec, custom).items():
        wanted.setdefault(spec.load(name).target, []).extend(names)
    missing = destination.missing_fields(wanted)
    if missing:
        raise ValueError(f"{destination.describe()} lacks mapped fields: {', '.join(missing)}; "
                         "add them to the mapping's new_fields or create them, then re-run")
    return result, custom


def run_migration(spec: MappingSpec, archive: ExportArchive, ledger: Ledger, destination: Destination, ledger_run: str,
                  selection: Selection, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                  observe: Callable[[Load, list[Observed]], None] | None = None) -> list[LoadSummary]:
    prepare_destination(spec, archive, destination, chunk_rows)
    owner_map = prepare.build_owner_map(spec, archive, destination.list_members())
    summaries = []
    for load in spec.loads:
        ledger.start_run(spec.migration, load.name, ledger_run, selection.mode, spec.content_hash)
        job = LoadJob(spec=spec, load=load, archive=archive, ledger=ledger, destination=destination,
                      context=prepare.mapping_context(spec, archive, owner_map, load, chunk_rows),
                      ledger_run=ledger_run, chunk_rows=chunk_rows, selection=selection, observe=observe)
        summary = run_load(job)
        if selection.mode != "sample":
            remember_watermark(ledger, spec, load, summary)
        summaries.append(summary)
    return summaries


def remember_watermark(ledger: Ledger, spec: MappingSpec, load: Load, summary: LoadSummary) -> None:
    """Delta pickup starts after the newest change a full or delta run has read."""
    if summary.newest_change is not None:
        ledger.record_watermark(spec.migration, summary.ledger_run, load.name, summary.newest_change)
