"""A whole migration in one call: schema, owners, then every load in dependency order.

The full load runs as separate assets (one per load, for the UI); the sample and delta jobs run
the same steps in one op through `run_migration`, reading only the rows their selection picks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migration_pipeline.destinations.base import Destination, NewFieldRequest, SchemaResult
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.engine import CustomField, explode, source_key
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import LoadJob, LoadSummary, Observed, fields_by_load, run_load, source_chunks
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive


OBJECT = "OBJECT"  # a schema change that is a whole custom object, not a field


class Refused(ValueError):
    """A run that must not go ahead; the message tells the operator what to do."""


class NotApproved(Refused):
    """The mapping as it is now has no approved sample run: nothing may be loaded in full."""


def require_confirmed(spec: MappingSpec) -> None:
    """A proposed mapping loads nothing until every decision in it is confirmed, and it says which are not."""
    pending = spec.unconfirmed_decisions()
    if pending:
        shown = ", ".join(pending[:10]) + (f" and {len(pending) - 10} more" if len(pending) > 10 else "")
        raise Refused(f"{spec.migration}: {len(pending)} mapping decision(s) not confirmed: {shown}; confirm them "
                      f"(`migration-pipeline confirm --migration {spec.migration} --decision <load.field>` or --all), then run again")
    if not spec.confirmed:
        raise Refused(f"{spec.migration}: the mapping is not confirmed (confirmed: false); confirm it before loading")


def require_approval(spec: MappingSpec, ledger: Ledger) -> dict:
    require_confirmed(spec)
    approval = ledger.approval(spec.migration, spec.content_hash)
    if approval is None:
        sample = ledger.sample(spec.migration, mapping_hash=spec.content_hash)
        step = (f"approve sample run {sample['run_id']} (job {spec.migration}_approve, or `migration-pipeline approve`)"
                if sample else f"run the sample job {spec.migration}_sample, review its field diff, then approve it")
        raise NotApproved(f"{spec.migration}: mapping {spec.content_hash[:12]} has no approved sample run; {step}. "
                          "Every edit of the mapping file needs a new sample and approval.")
    return approval


def prepare_destination(spec: MappingSpec, archive: ExportArchive, destination: Destination, ledger: Ledger,
                        chunk_rows: int = DEFAULT_CHUNK_ROWS) -> tuple[SchemaResult, dict[str, list[CustomField]]]:
    """Create the custom fields and options the loads need (the ledger remembers them, for a full
    rollback); fail naming any mapped field still missing."""
    custom = prepare.read_custom_fields(spec, archive)
    objects = destination.ensure_objects(spec.migration, prepare.object_requests(spec), apply=True)
    ledger.record_schema_changes(spec.migration, [NewFieldRequest(o.plural, OBJECT, OBJECT, o.label) for o in objects])
    result = destination.ensure_fields(spec.migration, prepare.schema_plan(spec, archive, custom, chunk_rows), apply=True)
    ledger.record_schema_changes(spec.migration, result.created)
    wanted: dict[str, list[str]] = {}
    for name, names in fields_by_load(spec, custom).items():
        wanted.setdefault(spec.load(name).target, []).extend(names)
    missing = destination.missing_fields(wanted)
    if missing:
        raise Refused(f"{destination.describe()} lacks mapped fields: {', '.join(missing)}; "
                         "add them to the mapping's new_fields or create them, then re-run")
    return result, custom


def run_migration(spec: MappingSpec, archive: ExportArchive, ledger: Ledger, destination: Destination, ledger_run: str,
                  selection: Selection, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                  observe: Callable[[Load, list[Observed]], None] | None = None) -> list[LoadSummary]:
    prepare_destination(spec, archive, destination, ledger, chunk_rows)
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


def approve(spec: MappingSpec, ledger: Ledger, approved_by: str, sample_run_id: str = "", note: str = "") -> dict:
    """Record that a person reviewed a sample run of the mapping as it is now; refuse anything else."""
    if not approved_by.strip():
        raise Refused("an approval needs the approver's name (approved_by)")
    sample = ledger.sample(spec.migration, run_id=sample_run_id or None,
                           mapping_hash=None if sample_run_id else spec.content_hash)
    if sample is None:
        wanted = f"sample run {sample_run_id!r}" if sample_run_id else f"a sample run of mapping {spec.content_hash[:12]}"
        raise Refused(f"{spec.migration}: there is no {wanted}; run the job {spec.migration}_sample first")
    if sample["mapping_hash"] != spec.content_hash:
        raise Refused(f"{spec.migration}: sample run {sample['run_id']} was made with mapping {sample['mapping_hash'][:12]}, "
                         f"but the mapping is now {spec.content_hash[:12]}; run a new sample and approve that")
    ledger.approve(spec.migration, spec.content_hash, sample["run_id"], approved_by.strip(), note or None)
    return {**sample, "approved_by": approved_by.strip()}


def deleted_in_source(spec: MappingSpec, archive: ExportArchive, ledger: Ledger,
                      chunk_rows: int = DEFAULT_CHUNK_ROWS) -> dict[str, list[str]]:
    """Per load, the source keys this migration loaded that the export no longer has."""
    found = {}
    for load in spec.loads:
        def export_keys(load: Load = load) -> Iterator[list[str]]:
            for chunk in source_chunks(spec, load, archive, chunk_rows):
                for piece_load, piece in explode(load, chunk.frame, spec):
                    key_columns = piece_load.key or (spec.source.objects[load.source].key,)
                    if all(c in piece.columns for c in key_columns):
                        yield source_key(piece, key_columns).dropna().tolist()
        found[load.name] = ledger.missing_keys(spec.migration, load.name, export_keys())
    return found
