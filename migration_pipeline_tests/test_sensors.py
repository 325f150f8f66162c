"""The run status sensors, evaluated on real runs in a Dagster test instance."""

import dagster as dg

from migration_pipeline.defs.jobs import build_reconcile_job, build_rollback_job
from migration_pipeline.defs.sensors import build_sensors
from migration_pipeline.definitions import build_definitions, load_job_name
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline_tests.conftest import ROOT, SAMPLE
from migration_pipeline_tests.helpers import approve_mapping, resources


def _sensors(spec, defs):
    return {s.name: s for s in
            build_sensors(spec, defs.resolve_job_def(load_job_name(spec.migration)), build_reconcile_job(spec, "unused-artifacts"), build_rollback_job(spec, "unused-artifacts"))}


def test_a_successful_load_requests_a_reconciliation_and_a_failed_one_a_rollback(spec, tmp_path, monkeypatch):
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    monkeypatch.setenv("MIGRATION_LEDGER_URL", ledger_url)
    defs = build_definitions(ROOT / "mappings", tmp_path)
    sensors = _sensors(spec, defs)
    approve_mapping(spec, ledger_url)
    reconcile_sensor = sensors[f"{spec.migration}_reconcile_after_load"]
    rollback_sensor = sensors[f"{spec.migration}_rollback_on_failed_reconciliation"]
    with dg.instance_for_test() as instance:
        load = defs.resolve_job_def(load_job_name(spec.migration)).execute_in_process(instance=instance)
        assert load.success
        context = dg.build_run_status_sensor_context(sensor_name=reconcile_sensor.name, dagster_instance=instance,
                                                     dagster_run=load.dagster_run, dagster_event=load.get_run_success_event())
        request = reconcile_sensor(context)
        assert isinstance(request, dg.RunRequest) and request.run_key == f"reconcile-after-{load.run_id}"
        assert reconcile_sensor.job_name == f"{spec.migration}_reconcile"

        # a destination that lost everything: reconciliation fails
        empty = DryRunDestination(output_dir=str(tmp_path / "elsewhere"))
        failed = build_reconcile_job(spec, str(tmp_path)).execute_in_process(
            resources=resources(spec, SAMPLE, ledger_url, tmp_path, None, empty), instance=instance, raise_on_error=False)
        assert not failed.success
        failure = dg.build_run_status_sensor_context(sensor_name=rollback_sensor.name, dagster_instance=instance,
                                                     dagster_run=failed.dagster_run, dagster_event=failed.get_run_failure_event()).for_run_failure()
        flagged = rollback_sensor(failure)
        assert isinstance(flagged, dg.SkipReason) and "auto_rollback is off" in flagged.skip_message
        auto = _sensors(spec.model_copy(update={"auto_rollback": True}), defs)[rollback_sensor.name]
        request = auto(failure)
        assert isinstance(request, dg.RunRequest) and request.run_key == f"rollback-after-{failed.run_id}"
        assert auto.job_name == f"{spec.migration}_rollback"
