"""Operational jobs of a migration that are not materializations: rollback."""

import dagster as dg

from migration_pipeline.defs.assets import resource_keys
from migration_pipeline.mapping.engine import MappingContext
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import load_fields
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
