"""Run status sensors of a migration: a successful load is reconciled; a failed reconciliation is
rolled back when the mapping sets `auto_rollback: true`, and otherwise flagged on the sensor's
tick for an operator to launch the rollback job by hand."""

from typing import Any

import dagster as dg

from migration_pipeline.mapping.spec import MappingSpec


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
