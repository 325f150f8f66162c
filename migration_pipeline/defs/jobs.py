"""Operational jobs of a migration that are not materializations: reconciliation and rollback.

Each is one op over the migration's export, ledger and destination, launched from the UI or by a
sensor; the op bodies only unpack resources, call the pipeline and report a Markdown table."""

from collections.abc import Callable
from typing import Any

import dagster as dg

from migration_pipeline.defs.assets import resource_keys
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import fields_by_load
from migration_pipeline.pipeline.reconcile import reconcile
from migration_pipeline.pipeline.rollback import rollback
from migration_pipeline.reports.markdown import table

Body = Callable[[dg.OpExecutionContext, Any, Any, Any], None]  # context, export, ledger, destination


def rollback_job_name(migration: str) -> str:
    return f"{migration}_rollback"


def reconcile_job_name(migration: str) -> str:
    return f"{migration}_reconcile"


def _single_op_job(spec: MappingSpec, action: str, job_name: str, description: str, body: Body) -> dg.JobDefinition:
    keys = resource_keys(spec)

    @dg.op(name=f"{spec.migration}__{action}", required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
           description=description)
    def operation(context: dg.OpExecutionContext) -> None:
        resources = context.resources
        body(context, getattr(resources, keys["export"]), getattr(resources, keys["ledger"]).get(),
             getattr(resources, keys["destination"]))

    @dg.job(name=job_name, description=description)
    def job() -> None:
        operation()

    return job


def build_rollback_job(spec: MappingSpec) -> dg.JobDefinition:
    def undo(context: dg.OpExecutionContext, export: Any, ledger: Any, destination: Any) -> None:
        fields = fields_by_load(spec, prepare.read_custom_fields(spec, export.archive))
        done = rollback(spec, ledger, destination, f"{context.run_id}:rollback", fields)
        rows = [{"load": load, **counts} for load, counts in done.items()]
        context.add_output_metadata({"undone": dg.MetadataValue.md(table(rows, ["load", "deleted", "restored", "forgotten"]))})

    return _single_op_job(spec, "rollback", rollback_job_name(spec.migration),
                          f"One-click rollback of {spec.migration}: delete what it created, restore what it matched, "
                          "children first. Resumable.", undo)


def build_reconcile_job(spec: MappingSpec) -> dg.JobDefinition:
    def check(context: dg.OpExecutionContext, export: Any, ledger: Any, destination: Any) -> None:
        results = reconcile(spec, ledger, destination, export.archive, f"{context.run_id}:reconcile")
        rows = [{"load": r.load, "passed": r.passed, "source rows": r.source_rows, "accounted": r.accounted,
                 "expected": r.expected, "held": r.held, "missing": len(r.missing), "dangling links": len(r.dangling),
                 "examples": "; ".join((r.missing + r.dangling)[:3])} for r in results]
        report = dg.MetadataValue.md(table(rows))
        context.add_output_metadata({"reconciliation": report})
        failed = [r.load for r in results if not r.passed]
        if failed:
            raise dg.Failure(f"{spec.migration}: reconciliation failed for {', '.join(failed)}", metadata={"reconciliation": report})

    return _single_op_job(spec, "reconcile", reconcile_job_name(spec.migration),
                          f"Reconcile {spec.migration}: source rows against what the destination really holds, links "
                          "included. Fails when they disagree.", check)
