"""The assembled definitions: what `dagster dev -w workspace.yaml` loads, run as the demo runs it."""

import json

import dagster as dg

from migration_pipeline.definitions import build_definitions, load_job_name
from migration_pipeline_tests.conftest import ROOT

SECRET = "s3cret-pw-do-not-print"


def test_one_asset_group_and_job_per_mapping_file(tmp_path):
    defs = build_definitions(ROOT / "mappings", tmp_path)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"perfect_portal_to_twenty/schema_plan", "perfect_portal_to_twenty/owner_map",
            "perfect_portal_to_twenty/companies", "perfect_portal_to_twenty/report"} <= keys
    assert defs.resolve_job_def(load_job_name("perfect_portal_to_twenty")) is not None
    checks = {key.name for key in graph.asset_check_keys}
    assert checks == {"accounting"}
    assert len(graph.asset_check_keys) == 10


def test_the_main_job_runs_on_its_defaults_and_no_secret_leaks(tmp_path, postgres_url, monkeypatch):
    """The ledger URL carries a password (trust auth ignores it): it must appear in no event,
    metadata or report."""
    url_with_password = postgres_url.replace("postgres@", f"postgres:{SECRET}@")
    monkeypatch.setenv("MIGRATION_LEDGER_URL", url_with_password)
    defs = build_definitions(ROOT / "mappings", tmp_path)
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def(load_job_name("perfect_portal_to_twenty")).execute_in_process(instance=instance)
        assert result.success
        records = instance.get_records_for_run(result.run_id).records
        events_text = json.dumps([dg.serialize_value(record.event_log_entry) for record in records])
        run_text = dg.serialize_value(instance.get_run_by_id(result.run_id))
    assert len(records) > 50 and "accounting" in events_text  # the scan saw the whole run
    assert SECRET not in events_text and SECRET not in run_text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="ignore"), path
