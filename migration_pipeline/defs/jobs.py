"""Operational jobs of a migration that are not materializations: reconciliation and rollback."""

import dagster as dg

from migration_pipeline.defs.assets import resource_keys
from migration_pipeline.mapping.engine import MappingContext
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import load_fields
from migration_pipeline.pipeline.reconcile import reconcile
from migration_pipeline.pipeline.rollback import rollback
from migration_pipeline.reports.markdown import table


def rollback_job_name(migration: str) -> str:
    return f"{migration}_rollback"


def build_rollback_job(spec: MappingSpec) -> dg.JobDefinition:
    keys = resource_keys(spec)

    @dg.op(name=f"{spec.migration}__rollback", required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
           description="Delete what this migration created, restore what it matched, children first. Resumable.")
    def rollback_op(context: dg.OpExecutionContext) -> None:
        export = getattr(context.resources, keys["export"])
        custom = prepare.read_custom_fields(spec, export.archive)
        mapping_context = MappingContext(spec=spec, custom_fields=custom)
        fields = {load.name: load_fields(spec, load, mapping_context) for load in spec.loads}
        ledger = getattr(context.resources, keys["ledger"]).get()
        done = rollback(spec, ledger, getattr(context.resources, keys["destination"]), f"{context.run_id}:rollback", fields)
        rows = [{"load": load, **counts} for load, counts in done.items()]
        context.add_output_metadata({"undone": dg.MetadataValue.md(table(rows, ["load", "deleted", "restored", "forgotten"]))})

    @dg.job(name=rollback_job_name(spec.migration), description=f"One-click rollback of {spec.migration}.")
    def rollback_job() -> None:
        rollback_op()

    return rollback_job


def reconcile_job_name(migration: str) -> str:
    return f"{migration}_reconcile"


def build_reconcile_job(spec: MappingSpec) -> dg.JobDefinition:
    keys = resource_keys(spec)

    @dg.op(name=f"{spec.migration}__reconcile", required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
           description="Source rows against what the destination really holds, links included. Fails when they disagree.")
    def reconcile_op(context: dg.OpExecutionContext) -> None:
        export = getattr(context.resources, keys["export"])
        ledger = getattr(context.resources, keys["ledger"]).get()
        results = reconcile(spec, ledger, getattr(context.resources, keys["destination"]), export.archive, f"{context.run_id}:reconcile")
        rows = [{"load": r.load, "passed": r.passed, "source rows": r.source_rows, "accounted": r.accounted,
                 "expected": r.expected, "held": r.held, "missing": len(r.missing), "dangling links": len(r.dangling),
                 "examples": "; ".join((r.missing + r.dangling)[:3])} for r in results]
        context.add_output_metadata({"reconciliation": dg.MetadataValue.md(table(rows))})
        failed = [r.load for r in results if not r.passed]
        if failed:
            raise dg.Failure(f"{spec.migration}: reconciliation failed for {', '.join(failed)}",
                             metadata={"reconciliation": dg.MetadataValue.md(table(rows))})

    @dg.job(name=reconcile_job_name(spec.migration), description=f"Reconcile {spec.migration} against the destination.")
    def reconcile_job() -> None:
        reconcile_op()

    return reconcile_job
