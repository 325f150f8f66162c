"""The assembled definitions: what `dagster dev -w workspace.yaml` loads, run as the demo runs it."""

import json

import dagster as dg

from migration_pipeline.definitions import build_definitions, load_job_name
from migration_pipeline.mapping.spec import load_spec
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
    for path in sorted((ROOT / "mappings").glob("*.yaml")):  # one accounting check per load of every mapping
        spec = load_spec(path)
        assert {k.asset_key.path[-1] for k in graph.asset_check_keys if k.asset_key.path[0] == spec.migration} == set(spec.load_order())
        for action in ("plan", "sample", "approve", "load", "delta", "reconcile", "rollback"):
            assert defs.resolve_job_def(f"{spec.migration}_{action}") is not None


def test_the_demo_lifecycle_runs_on_its_defaults_and_no_secret_leaks(tmp_path, postgres_url, monkeypatch):
    """plan → sample → approve → full run, as `make demo` does. The ledger URL carries a password
    (trust auth ignores it): it must appear in no event, metadata or report."""
    url_with_password = postgres_url.replace("postgres@", f"postgres:{SECRET}@")
    monkeypatch.setenv("MIGRATION_LEDGER_URL", url_with_password)
    defs = build_definitions(ROOT / "mappings", tmp_path)
    migration = "perfect_portal_to_twenty"
    with dg.instance_for_test() as instance:
        def run(name, config=None):
            run_config = {"ops": {f"{migration}__{name}": {"config": config}}} if config else None
            return defs.resolve_job_def(f"{migration}_{name}").execute_in_process(
                instance=instance, run_config=run_config, raise_on_error=False)

        assert run("plan").success
        sample = run("sample")
        assert sample.success
        assert run("approve", {"approved_by": "ops lead", "sample_run_id": sample.run_id}).success
        result = run("load")
        assert result.success
        run_ids = [r.run_id for r in instance.get_runs()]
        records = [r for run_id in run_ids for r in instance.get_records_for_run(run_id).records]
        events_text = json.dumps([dg.serialize_value(record.event_log_entry) for record in records])
        run_text = json.dumps([dg.serialize_value(instance.get_run_by_id(run_id)) for run_id in run_ids])
    assert len(run_ids) == 4 and len(records) > 50 and "accounting" in events_text  # the scan saw every run
    assert SECRET not in events_text and SECRET not in run_text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="ignore"), path
