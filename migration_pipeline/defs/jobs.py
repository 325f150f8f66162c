"""Operational jobs of a migration that are not the full load: sample, approval, delta pickup,
reconciliation and rollback.

Each is one op over the migration's export, ledger and destination, launched from the UI, the
command line or a sensor; the op bodies only unpack resources, call the pipeline and report.
Every job of a migration carries the tag `migration=<name>`, which the run queue uses to keep
two writers off the same destination at once (dagster.yaml).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from migration_pipeline.defs.assets import resource_keys
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import count_source_rows, fields_by_load
from migration_pipeline.pipeline.migrate import Refused, approve, deleted_in_source, require_approval, require_confirmed, run_migration
from migration_pipeline.pipeline.reconcile import reconcile, summary_rows as reconcile_rows, write_report
from migration_pipeline.pipeline.rollback import rollback
from migration_pipeline.pipeline.sample import DEFAULT_SAMPLE_SIZE, SAMPLE_SIZES, run_sample, summary_rows
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.proposer.confirm import confirm_mapping
from migration_pipeline.reports.markdown import table

Body = Callable[[dg.OpExecutionContext, Any, Any, Any, Any], None]  # context, config, export, ledger, destination


def job_name(migration: str, action: str) -> str:
    return f"{migration}_{action}"


def migration_tags(spec: MappingSpec) -> dict[str, str]:
    return {"migration": spec.migration}


class NoConfig(dg.Config):
    pass


class SampleConfig(dg.Config):
    size: int = Field(default=DEFAULT_SAMPLE_SIZE, ge=SAMPLE_SIZES.start, le=SAMPLE_SIZES.stop - 1,
                      description="records to sample (the slice covers every stage, owner and problem first)")
    seed: int = Field(default=7, description="the same seed and export give the same sample")


class ApproveConfig(dg.Config):
    approved_by: str = Field(description="who reviewed the sample's field diff")
    sample_run_id: str = Field(default="", description="the sample run approved; empty: the newest one of the current mapping")
    note: str = ""


def _single_op_job(spec: MappingSpec, action: str, description: str, body: Body, config_class: type = NoConfig,
                   partitions_def: dg.PartitionsDefinition | None = None) -> dg.JobDefinition:
    keys = resource_keys(spec)

    @dg.op(name=f"{spec.migration}__{action}", required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
           description=description)
    def operation(context: dg.OpExecutionContext, config: config_class) -> None:  # type: ignore[valid-type]
        resources = context.resources
        try:
            body(context, config, getattr(resources, keys["export"]), getattr(resources, keys["ledger"]).get(),
                 getattr(resources, keys["destination"]))
        except Refused as refusal:
            raise dg.Failure(str(refusal)) from None

    @dg.job(name=job_name(spec.migration, action), description=description, partitions_def=partitions_def,
            tags=migration_tags(spec))
    def job() -> None:
        operation()

    return job


class RollbackConfig(dg.Config):
    remove_schema: bool = Field(default=False, description="also remove the custom fields the migration created and "
                                "the select options (stages) it added")


def build_rollback_job(spec: MappingSpec, artifacts_dir: str) -> dg.JobDefinition:
    def undo(context: dg.OpExecutionContext, config: RollbackConfig, export: Any, ledger: Any, destination: Any) -> None:
        fields = fields_by_load(spec, prepare.read_custom_fields(spec, export.archive))
        result = rollback(spec, ledger, destination, f"{context.run_id}:rollback", fields, config.remove_schema)
        rows = [{"load": load, **counts} for load, counts in result.undone.items()]
        undone = table(rows, ["load", "deleted", "restored", "forgotten"])
        path = Path(artifacts_dir) / "reports" / spec.migration / "rollbacks" / f"rollback_{context.run_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([
            f"# Rollback of {spec.migration} ({context.run_id})", "", undone, "",
            "## Schema removed", "", *([f"- {s}" for s in result.schema_removed] or ["_(none: fields and options stay; "
                                                                                     "launch with remove_schema to remove them)_"]), "",
            "## Left behind by the destination", "", *([f"- {t}" for t in result.left_behind] or ["_(nothing)_"]), ""]),
            encoding="utf-8")
        context.add_output_metadata({"undone": dg.MetadataValue.md(undone), "schema_removed": len(result.schema_removed),
                                     "left_behind": dg.MetadataValue.md("\n".join(f"- {t}" for t in result.left_behind) or "(nothing)"),
                                     "report": dg.MetadataValue.path(str(path.resolve()))})

    return _single_op_job(spec, "rollback", f"One-click rollback of {spec.migration}: delete what it created, restore what "
                          "it matched, children first; optionally remove the fields it created. Resumable.", undo,
                          RollbackConfig)


def build_reconcile_job(spec: MappingSpec, artifacts_dir: str) -> dg.JobDefinition:
    def check(context: dg.OpExecutionContext, config: NoConfig, export: Any, ledger: Any, destination: Any) -> None:
        results = reconcile(spec, ledger, destination, export.archive, f"{context.run_id}:reconcile")
        path = write_report(spec, results, Path(artifacts_dir) / "reports" / spec.migration / "reconciliations", context.run_id)
        summary = dg.MetadataValue.md(table(reconcile_rows(results)))
        context.add_output_metadata({"reconciliation": summary, "report": dg.MetadataValue.path(str(path.resolve()))})
        failed = [r.load for r in results if not r.passed]
        if failed:
            raise dg.Failure(f"{spec.migration}: reconciliation failed for {', '.join(failed)}; see {path}",
                             metadata={"reconciliation": summary, "report": dg.MetadataValue.md(path.read_text(encoding="utf-8"))})

    return _single_op_job(spec, "reconcile", f"Reconcile {spec.migration}: source rows against what the destination really "
                          "holds, links and a field diff included. Fails when they disagree.", check)


def build_sample_job(spec: MappingSpec, artifacts_dir: str) -> dg.JobDefinition:
    def sample(context: dg.OpExecutionContext, config: SampleConfig, export: Any, ledger: Any, destination: Any) -> None:
        try:
            require_confirmed(spec)
        except Refused as refusal:
            raise dg.Failure(str(refusal)) from None
        directory = Path(artifacts_dir) / "reports" / spec.migration / "samples"
        result = run_sample(spec, export.archive, ledger, destination, context.run_id, directory, config.size, config.seed,
                            export.chunk_rows)
        context.add_output_metadata({
            "records": result.records,
            "fields compared": len(result.diffs),
            "disagreements": len(result.disagreements),
            "mapping_hash": spec.content_hash,
            "summary": dg.MetadataValue.md(table(summary_rows(result))),
            "diff": dg.MetadataValue.md(result.markdown_path.read_text(encoding="utf-8")),
            "diff_csv": dg.MetadataValue.path(str(result.csv_path.resolve())),
        })

    return _single_op_job(spec, "sample", f"Load a representative sample of {spec.migration}, read it back and diff every "
                          "field; approve it to unlock the full run.", sample, SampleConfig)


def build_approve_job(spec: MappingSpec) -> dg.JobDefinition:
    def approve_sample(context: dg.OpExecutionContext, config: ApproveConfig, export: Any, ledger: Any, destination: Any) -> None:
        approved = approve(spec, ledger, config.approved_by, config.sample_run_id, config.note)
        context.add_output_metadata({"sample_run": approved["run_id"], "mapping_hash": spec.content_hash,
                                     "approved_by": approved["approved_by"], "disagreements": approved["disagreements"]})

    return _single_op_job(spec, "approve", f"Approve a sample run of {spec.migration} for the current mapping; the full "
                          "and delta runs refuse to start without it.", approve_sample, ApproveConfig)


class ConfirmConfig(dg.Config):
    confirmed_by: str = Field(description="who reviewed the proposed decisions (kept in the mapping file)")
    decisions: list[str] = Field(default=[], description="<load>.<field> names to confirm; empty with every_decision")
    every_decision: bool = Field(default=False, description="confirm every pending decision of the mapping")


def build_confirm_job(spec: MappingSpec, mapping_path: str) -> dg.JobDefinition:
    def confirm(context: dg.OpExecutionContext, config: ConfirmConfig, export: Any, ledger: Any, destination: Any) -> None:
        if not config.every_decision and not config.decisions:
            raise dg.Failure("name the decisions to confirm, or set every_decision")
        result = confirm_mapping(mapping_path, config.confirmed_by, None if config.every_decision else config.decisions)
        context.add_output_metadata({"confirmed": result.confirmed, "still pending": result.pending,
                                     "mapping confirmed": result.mapping_confirmed,
                                     "next": "reload the code location so the jobs use the confirmed mapping"})

    return _single_op_job(spec, "confirm", f"Confirm proposed decisions of {spec.migration} (the mapping file is updated and "
                          "the decisions remembered for the next proposal).", confirm, ConfirmConfig)


def delta_partitions(spec: MappingSpec) -> dg.DailyPartitionsDefinition:
    """One partition per day of source modified-at, today included (changes keep coming during cutover)."""
    return dg.DailyPartitionsDefinition(start_date=spec.source.delta_start_date, timezone=spec.destination.timezone, end_offset=1)


def build_delta_job(spec: MappingSpec, artifacts_dir: str) -> dg.JobDefinition:
    def pick_up(context: dg.OpExecutionContext, config: NoConfig, export: Any, ledger: Any, destination: Any) -> None:
        require_approval(spec, ledger)
        window = context.partition_time_window
        selection = Selection(mode="delta", window=(window.start, window.end))
        run_migration(spec, export.archive, ledger, destination, context.run_id, selection, export.chunk_rows)
        rows = []
        for load in spec.loads:
            counts = ledger.outcome_counts(spec.migration, context.run_id, load.name)
            rows.append({"load": load.name, "source rows": count_source_rows(spec, load, export.archive, export.chunk_rows),
                         "accounted": sum(counts.values()), **counts})
        deleted = deleted_in_source(spec, export.archive, ledger, export.chunk_rows)
        report = _write_delta_report(spec, Path(artifacts_dir), context.partition_key, context.run_id, rows, deleted)
        context.add_output_metadata({
            "window": selection.describe(),
            "counts": dg.MetadataValue.md(table(rows)),
            "deleted_in_source": sum(len(keys) for keys in deleted.values()),
            "report": dg.MetadataValue.path(str(report.resolve())),
        })
        unbalanced = [r["load"] for r in rows if r["source rows"] != r["accounted"]]
        if unbalanced:
            raise dg.Failure(f"{spec.migration}: delta accounting does not balance for {', '.join(unbalanced)}")

    return _single_op_job(spec, "delta", f"Delta pickup for {spec.migration}: rows modified in the partition's day (and any "
                          "row never loaded) are created or updated through the ledger; records deleted in the source are "
                          "reported, not deleted.", pick_up, partitions_def=delta_partitions(spec))


def _write_delta_report(spec: MappingSpec, artifacts_dir: Path, partition: str, run_id: str, rows: list[dict],
                        deleted: dict[str, list[str]]) -> Path:
    directory = artifacts_dir / "reports" / spec.migration / "deltas"
    directory.mkdir(parents=True, exist_ok=True)
    gone = [{"load": load, "source_key": key} for load, keys in deleted.items() for key in keys]
    csv_path = directory / f"deleted_in_source_{partition}_{run_id}.csv"
    csv_path.write_text("load,source_key\n" + "".join(f"{g['load']},{g['source_key']}\n" for g in gone), encoding="utf-8")
    path = directory / f"delta_{partition}_{run_id}.md"
    path.write_text("\n".join([
        f"# Delta {partition} ({run_id}): {spec.migration}", "", table(rows), "",
        f"## Deleted in the source ({len(gone)})", "",
        "Loaded earlier but absent from this export. Nothing was deleted in the destination: decide per record "
        f"(full list: `{csv_path.name}`).", "", table(gone[:200]), ""]), encoding="utf-8")
    return path
