"""The reconciliation job after real loads: it passes when the destination holds what the export
says, and fails, naming the record, when the destination lost one behind the ledger's back."""

import dagster as dg

from migration_pipeline.defs.jobs import build_reconcile_job
from migration_pipeline_tests.conftest import SAMPLE
from migration_pipeline_tests.helpers import materialize_all, resources, write_members
from migration_pipeline_tests.test_twenty_load import destination, server_for


def _reconcile(spec, ledger_url, out, target, instance):
    result = build_reconcile_job(spec, str(out)).execute_in_process(resources=resources(spec, SAMPLE, ledger_url, out, None, target),
                                                          instance=instance, raise_on_error=False)
    table = next(e for e in result.all_events if e.event_type_value in ("STEP_OUTPUT", "STEP_FAILURE") and "reconcil" in str(e.event_specific_data))
    return result, str(table.event_specific_data)


def test_reconciliation_passes_after_a_load_and_catches_a_lost_record(spec, tmp_path):
    server = server_for("v2.4")
    try:
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server)).success
            passed, _ = _reconcile(spec, ledger_url, tmp_path, destination(server), instance)
            assert passed.success
            lost = server.records("opportunities")[0]["id"]
            destination(server).http.request("DELETE", f"/rest/opportunities/{lost}")
            failed, details = _reconcile(spec, ledger_url, tmp_path, destination(server), instance)
        assert not failed.success
        assert "reconciliation failed for opportunities" in details and lost in details
    finally:
        server.stop()


def test_reconciliation_reads_the_dry_run_destination_back(spec, tmp_path):
    members = write_members(tmp_path / "members.csv", [])
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    with dg.instance_for_test() as instance:
        assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, members, instance).success
        dry_run = resources(spec, SAMPLE, ledger_url, tmp_path, members)[f"{spec.migration}_destination"]
        result, _ = _reconcile(spec, ledger_url, tmp_path, dry_run, instance)
    assert result.success


def test_reconciliation_catches_a_field_changed_after_the_load_and_writes_a_report(spec, tmp_path):
    server = server_for("v1.5")
    try:
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server)).success
            company = sorted(server.records("companies"), key=lambda c: c["name"])[0]
            destination(server).http.request("PATCH", f"/rest/companies/{company['id']}", json={"name": "Renamed by hand"})
            failed, details = _reconcile(spec, ledger_url, tmp_path, destination(server), instance)
        assert not failed.success and "reconciliation failed for companies" in details
        report = next((tmp_path / "reports" / spec.migration / "reconciliations").glob("reconciliation_*.md")).read_text(encoding="utf-8")
        assert "Reconciliation FAILED" in report and "expected" in report and "'Renamed by hand'" in report
        assert company["name"] in report
    finally:
        server.stop()
