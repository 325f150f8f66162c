"""Sensors of a migration.

- Run status: a successful load is reconciled; a failed reconciliation is rolled back when the
  mapping sets `auto_rollback: true`, and otherwise flagged on the sensor's tick for an operator.
- Drop folder: a new export dropped in `<drops>/<migration>/` during cutover asks the delta job for
  every day partition holding a change newer than what the ledger has loaded. Run keys are built
  from the export's fingerprint and the day, so a re-evaluated tick never launches a run twice.
"""

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import dagster as dg

from migration_pipeline.defs.resources import LedgerResource
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline.selection import changed_days
from migration_pipeline.sources.export import ExportArchive

_REMEMBERED_EXPORTS = 200  # fingerprints kept in the cursor


def build_sensors(spec: MappingSpec, load_job: Any, reconcile_job: dg.JobDefinition,
                  rollback_job: dg.JobDefinition) -> list[dg.SensorDefinition]:
    @dg.run_status_sensor(name=f"{spec.migration}_reconcile_after_load", run_status=dg.DagsterRunStatus.SUCCESS,
                          monitored_jobs=[load_job], request_job=reconcile_job, default_status=dg.DefaultSensorStatus.RUNNING)
    def reconcile_after_load(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return dg.RunRequest(run_key=f"reconcile-after-{context.dagster_run.run_id}")

    @dg.run_failure_sensor(name=f"{spec.migration}_rollback_on_failed_reconciliation", monitored_jobs=[reconcile_job],
                           request_job=rollback_job, default_status=dg.DefaultSensorStatus.RUNNING)
    def rollback_on_failed_reconciliation(context: dg.RunFailureSensorContext) -> dg.RunRequest | dg.SkipReason:
        failed = context.dagster_run.run_id
        if not spec.auto_rollback:
            return dg.SkipReason(f"reconciliation run {failed} FAILED; auto_rollback is off: "
                                 f"read its report, then launch {rollback_job.name} if the migration must be undone")
        return dg.RunRequest(run_key=f"rollback-after-{failed}")

    return [reconcile_after_load, rollback_on_failed_reconciliation]


def export_fingerprint(path: Path) -> str:
    """Changes when any file of the export changes (name, size or modification time)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for file in files:
        stat = file.stat()
        digest.update(f"{file.relative_to(path.parent)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _settled(path: Path, settle_seconds: float) -> bool:
    """A folder still being copied in is left for a later tick."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return bool(files) and time.time() - max(f.stat().st_mtime for f in files) >= settle_seconds


def build_drop_sensor(spec: MappingSpec, delta_job: dg.JobDefinition, drops_dir: Path,
                      settle_seconds: float = 30.0) -> dg.SensorDefinition:
    folder = drops_dir / spec.migration
    export_resource = f"{spec.migration}_export"

    @dg.sensor(name=f"{spec.migration}_drop_folder", job=delta_job, minimum_interval_seconds=60,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description=f"Watches {folder} for new exports (a folder or a .zip each) and requests the delta "
                           "partitions that changed.")
    def drop_folder(context: dg.SensorEvaluationContext, ledger: LedgerResource) -> dg.SensorResult | dg.SkipReason:
        if not folder.is_dir():
            return dg.SkipReason(f"no drop folder {folder} yet")
        done: list[str] = json.loads(context.cursor or "[]")
        exports = sorted(p for p in folder.iterdir() if (p.is_dir() or p.suffix.lower() == ".zip") and not p.name.startswith("."))
        fresh = [(p, export_fingerprint(p)) for p in exports if _settled(p, settle_seconds)]
        fresh = [(p, f) for p, f in fresh if f not in done]
        if not fresh:
            return dg.SkipReason(f"no new export in {folder}")
        since = ledger.get().watermark(spec.migration)
        if since is None:
            return dg.SkipReason(f"{spec.migration} has not been loaded yet: run the full load before delta pickup")
        requests, skipped = [], []
        known = set(delta_job.partitions_def.get_partition_keys()) if delta_job.partitions_def else set()
        for path, fingerprint in fresh:
            days = changed_days(spec, ExportArchive(str(path)), since)
            if set(days) - known:
                context.log.warning(f"{path.name}: changes dated {', '.join(sorted(set(days) - known))} fall outside the "
                                    "delta partitions (before delta_start_date or in the future); they are not picked up")
            days = [day for day in days if day in known]
            skipped += [] if days else [path.name]
            requests += [dg.RunRequest(run_key=f"{path.name}:{fingerprint[:16]}:{day}", partition_key=day,
                                       run_config={"resources": {export_resource: {"config": {"path": str(path.resolve())}}}},
                                       tags={"export": path.name})
                         for day in days]
            done.append(fingerprint)
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(done[-_REMEMBERED_EXPORTS:]),
                               skip_reason=f"no change newer than {since.isoformat()} in {', '.join(skipped)}"
                               if not requests else None)

    return drop_folder
