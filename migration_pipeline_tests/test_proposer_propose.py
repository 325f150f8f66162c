"""`propose` on each sample export, memory off: it writes a mapping the engine loads, loading refuses
it while decisions are unconfirmed, and once confirmed the full run accounts for every source row."""

import dagster as dg
import pytest

from migration_pipeline.cli import main
from migration_pipeline.definitions import build_definitions
from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.proposer.confirm import confirm_mapping
from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline_tests.conftest import ROOT
from migration_pipeline_tests.helpers import check_results, materialize_all, write_members

PAIRS = [("perfect_portal", "twenty"), ("perfect_portal", "odoo"), ("profi", "twenty"), ("oplacrm", "twenty"),
         ("backdocket", "twenty")]


@pytest.mark.parametrize(("source", "destination"), PAIRS, ids=[f"{s}-{d}" for s, d in PAIRS])
def test_a_proposed_mapping_loads_once_confirmed(source, destination, tmp_path, monkeypatch):
    monkeypatch.setenv("MIGRATION_PROPOSER_MEMORY", str(tmp_path / "memory.json"))
    export = ROOT / "data" / "samples" / source
    out = tmp_path / f"{source}_to_{destination}_proposed.yaml"
    assert main(["propose", "--export", str(export), "--source-system", source, "--destination", destination,
                 "--out", str(out), "--no-memory"]) == 0
    spec = load_spec(out)
    pending = spec.unconfirmed_decisions()
    assert pending and not spec.confirmed
    rules = [rule for load in spec.loads for rule in load.fields.values()]
    assert all(rule.proposal is not None for rule in rules)
    assert {rule.proposal.band for rule in rules} <= {"auto", "review", "low"}
    assert all(rule.proposal.confirmed == (rule.proposal.band == "auto") for rule in rules)

    members = write_members(tmp_path / "members.csv", ["nobody@example.com"])
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    with dg.instance_for_test() as instance:
        refused = materialize_all(spec, export, ledger_url, tmp_path, members, instance)
        assert not refused.success
        assert pending[0] in " ".join(str(e.event_specific_data) for e in refused.all_events if e.event_type_value == "STEP_FAILURE")

        confirmed = confirm_mapping(out, "Ops Reviewer", None, DecisionMemory(tmp_path / "memory.json"))
        assert confirmed.mapping_confirmed and sorted(confirmed.confirmed) == sorted(p.split(" ")[0] for p in pending)
        result = materialize_all(load_spec(out), export, ledger_url, tmp_path, members, instance)
    checks = check_results(result)
    assert result.success and checks and all(check["passed"] for check in checks.values()), checks
    assert sum(check["created"] for check in checks.values()) > 100


def test_the_propose_job_drafts_a_mapping_from_the_ui(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGRATION_PROPOSER_MEMORY", str(tmp_path / "memory.json"))
    out = tmp_path / "acme_to_twenty.yaml"
    job = build_definitions(tmp_path / "no_mappings", tmp_path).resolve_job_def("propose_mapping")
    config = {"export": str(ROOT / "data" / "samples" / "oplacrm"), "source_system": "oplacrm", "out": str(out),
              "use_memory": False}
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(run_config={"ops": {"propose": {"config": config}}}, instance=instance)
    assert result.success
    metadata = next(e for e in result.all_events if e.event_type_value == "STEP_OUTPUT").event_specific_data.metadata
    spec = load_spec(out)
    assert metadata["decisions"].value > 30 and spec.unconfirmed_decisions()
    assert spec.unconfirmed_decisions()[0] in metadata["to review"].value
