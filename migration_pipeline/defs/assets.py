"""The asset group of one migration, generated from its mapping file.

schema_plan and owner_map come first; then one asset per load, in the spec's dependency order,
each with a blocking accounting check. Asset bodies only unpack context and call the pipeline.
"""


from pathlib import Path
from typing import Any

import dagster as dg

from migration_pipeline.destinations.base import Destination
from migration_pipeline.defs.resources import ExportResource
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import LoadJob, count_source_rows, run_load
from migration_pipeline.pipeline.migrate import Refused, prepare_destination, remember_watermark, require_approval
from migration_pipeline.pipeline.plan import build_plan, write_plan
from migration_pipeline.reports.markdown import table
from migration_pipeline.reports.run_report import write_report


def resource_keys(spec: MappingSpec) -> dict[str, str]:
    return {
        "export": f"{spec.migration}_export",
        "destination": f"{spec.migration}_destination",
        "ledger": "ledger",
    }


def _key(spec: MappingSpec, name: str) -> dg.AssetKey:
    return dg.AssetKey([spec.migration, name])


def build_schema_plan_asset(spec: MappingSpec) -> dg.AssetsDefinition:
    keys = resource_keys(spec)

    @dg.asset(key=_key(spec, "schema_plan"), group_name=spec.migration,
              required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
              description="Custom fields and options the migration needs, created in the destination before any record.")
    def schema_plan(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        export: ExportResource = getattr(context.resources, keys["export"])
        destination: Destination = getattr(context.resources, keys["destination"])
        ledger = getattr(context.resources, keys["ledger"]).get()
        try:
            require_approval(spec, ledger)
            result, _custom = prepare_destination(spec, export.archive, destination, ledger, export.chunk_rows)
        except Refused as refusal:
            raise dg.Failure(str(refusal)) from None
        rows = [{"object": r.target, "field": r.name, "type": r.type, "label": r.label, "options": ", ".join(r.options)}
                for r in result.created]
        return dg.MaterializeResult(metadata={
            "fields": dg.MetadataValue.md(table(rows)),
            "created": len(result.created),
            "destination": destination.describe(),
        })

    return schema_plan


def build_owner_map_asset(spec: MappingSpec) -> dg.AssetsDefinition:
    keys = resource_keys(spec)

    @dg.asset(key=_key(spec, "owner_map"), group_name=spec.migration, required_resource_keys={keys["export"], keys["destination"]},
              description="Source users matched to destination members by email; unmatched ones listed.")
    def owner_map(context: dg.AssetExecutionContext) -> prepare.OwnerMap:
        export: ExportResource = getattr(context.resources, keys["export"])
        destination: Destination = getattr(context.resources, keys["destination"])
        result = prepare.build_owner_map(spec, export.archive, destination.list_members())
        rows = [{"source user": s, "member": m} for s, m in result.matched]
        rows += [{"source user": s, "member": result.fallback_email or "(none: records load without an owner)"} for s in result.unmatched]
        context.add_output_metadata({
            "matched": len(result.matched),
            "unmatched": len(result.unmatched),
            "owners": dg.MetadataValue.md(table(rows)),
        })
        return result

    return owner_map


def _check_result(spec: MappingSpec, load: Load, export: ExportResource, ledger_counts: dict[str, int]) -> dg.AssetCheckResult:
    source_rows = count_source_rows(spec, load, export.archive, export.chunk_rows)
    accounted = sum(ledger_counts.values())
    return dg.AssetCheckResult(
        check_name="accounting",
        passed=source_rows == accounted,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"source_rows": source_rows, "accounted": accounted, **ledger_counts,
                  "identity": f"{source_rows} = " + " + ".join(f"{v} {k}" for k, v in ledger_counts.items())},
    )


def build_load_asset(spec: MappingSpec, load: Load) -> dg.AssetsDefinition:
    keys = resource_keys(spec)
    key = _key(spec, load.name)
    relations = {rule.relation for rule in load.fields.values() if rule.relation} | {link.relation for link in load.explode}

    @dg.asset(
        key=key,
        group_name=spec.migration,
        ins={"owner_map": dg.AssetIn(key=_key(spec, "owner_map"))},
        deps=[_key(spec, "schema_plan"), *(_key(spec, name) for name in sorted(relations))],
        required_resource_keys={keys["export"], keys["destination"], keys["ledger"]},
        check_specs=[dg.AssetCheckSpec("accounting", asset=key, blocking=True,
                                       description="source rows = created + updated + unchanged + merged + quarantined")],
        description=f"{spec.source.system} {load.source} → {spec.destination.system} {load.target}",
    )
    def load_asset(context: dg.AssetExecutionContext, owner_map: prepare.OwnerMap) -> dg.MaterializeResult:
        export: ExportResource = getattr(context.resources, keys["export"])
        ledger = getattr(context.resources, keys["ledger"]).get()
        try:
            require_approval(spec, ledger)
        except Refused as refusal:
            raise dg.Failure(str(refusal)) from None
        ledger_run = f"{context.run_id}:{context.retry_number}"
        ledger.start_run(spec.migration, load.name, ledger_run, "full", spec.content_hash)
        job = LoadJob(
            spec=spec, load=load, archive=export.archive, ledger=ledger,
            destination=getattr(context.resources, keys["destination"]),
            context=prepare.mapping_context(spec, export.archive, owner_map, load, export.chunk_rows),
            ledger_run=ledger_run, chunk_rows=export.chunk_rows,
        )
        summary = run_load(job)
        remember_watermark(ledger, spec, load, summary)
        counts = ledger.outcome_counts(spec.migration, ledger_run, load.name)
        reasons = [{"rows": n, "reason": r} for r, n in summary.reasons.most_common(25)]
        return dg.MaterializeResult(
            metadata={
                "ledger_run": ledger_run,
                "source_rows": summary.source_rows,
                **counts,
                "counts": dg.MetadataValue.md(table([{"source rows": summary.source_rows, **counts}])),
                "quarantine_reasons": dg.MetadataValue.md(table(reasons, ["rows", "reason"])),
            },
            check_results=[_check_result(spec, load, export, counts)],
        )

    return load_asset


def build_report_asset(spec: MappingSpec, artifacts_dir: str) -> dg.AssetsDefinition:
    keys = resource_keys(spec)

    @dg.asset(key=_key(spec, "report"), group_name=spec.migration, deps=[_key(spec, load.name) for load in spec.loads],
              ins={"owner_map": dg.AssetIn(key=_key(spec, "owner_map"))},
              required_resource_keys={keys["ledger"]}, description="The run report (Markdown) and the quarantine (CSV).")
    def report(context: dg.AssetExecutionContext, owner_map: prepare.OwnerMap) -> dg.MaterializeResult:
        ledger = getattr(context.resources, keys["ledger"]).get()
        directory = Path(artifacts_dir) / "reports" / spec.migration
        report_path, quarantine_path = write_report(spec, ledger, directory, owner_map)
        return dg.MaterializeResult(metadata={
            "report": dg.MetadataValue.path(str(report_path.resolve())),
            "quarantine": dg.MetadataValue.path(str(quarantine_path.resolve())),
            "summary": dg.MetadataValue.md(report_path.read_text(encoding="utf-8")),
        })

    return report


def plan_key(spec: MappingSpec) -> dg.AssetKey:
    return _key(spec, "plan")


def build_plan_asset(spec: MappingSpec, artifacts_dir: str) -> dg.AssetsDefinition:
    keys = resource_keys(spec)

    @dg.asset(key=plan_key(spec), group_name=spec.migration, required_resource_keys={keys["export"], keys["destination"]},
              description="Pre-flight plan: what a full run would create, merge, hold and need — the destination is only read.")
    def plan(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        export: ExportResource = getattr(context.resources, keys["export"])
        destination: Destination = getattr(context.resources, keys["destination"])
        found = build_plan(spec, export.archive, destination, export.chunk_rows)
        paths = write_plan(spec, found, Path(artifacts_dir) / "reports" / spec.migration / "plan")
        return dg.MaterializeResult(metadata={
            "plan": dg.MetadataValue.md(paths["markdown"].read_text(encoding="utf-8")),
            "rebuild_inventory": dg.MetadataValue.md(paths["inventory_markdown"].read_text(encoding="utf-8")),
            **{name: dg.MetadataValue.path(str(path.resolve())) for name, path in paths.items()},
            "mapping_hash": spec.content_hash,
        })

    return plan


def build_migration_assets(spec: MappingSpec, artifacts_dir: str) -> list[Any]:
    return [
        build_plan_asset(spec, artifacts_dir),
        build_schema_plan_asset(spec),
        build_owner_map_asset(spec),
        *(build_load_asset(spec, load) for load in spec.loads),
        build_report_asset(spec, artifacts_dir),
    ]
