"""Confirming a proposed mapping: loading refuses while any decision is unconfirmed and names it;
confirming (one decision, then the rest) lets the load run, and the confirmed columns are remembered."""

import dagster as dg
import pytest

from migration_pipeline.cli import main
from migration_pipeline.mapping.spec import SpecError, load_spec
from migration_pipeline.proposer.confirm import confirm_mapping
from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline_tests.conftest import MAPPING, SAMPLE
from migration_pipeline_tests.helpers import check_results, materialize_all, write_members

PROPOSAL = "proposal: {confidence: 0.71, band: review, reasons: [alias 'job title'], confirmed: false}"


def proposed_mapping(tmp_path):
    """The Perfect Portal mapping as the proposer would leave it: two decisions awaiting review."""
    text = MAPPING.read_text(encoding="utf-8").replace("confirmed: true", "confirmed: false", 1)
    text = text.replace("      jobTitle: {from: job_title}", f"      jobTitle: {{from: job_title, {PROPOSAL}}}", 1)
    text = text.replace("      domainName.primaryLinkUrl: {from: website, transform: url}",
                        f"      domainName.primaryLinkUrl: {{from: website, transform: url, {PROPOSAL}}}", 1)
    path = tmp_path / "mappings" / MAPPING.name
    path.parent.mkdir()
    path.write_text("# reviewed by the ops team\n" + text, encoding="utf-8")
    return path


def run_full(path, tmp_path, members):
    with dg.instance_for_test() as instance:
        return materialize_all(load_spec(path), SAMPLE, f"sqlite:///{tmp_path / 'ledger.sqlite'}", tmp_path, members, instance)


def failure_messages(result) -> str:
    return " ".join(str(e.event_specific_data) for e in result.all_events if e.event_type_value == "STEP_FAILURE")


def test_loading_refuses_unconfirmed_decisions_by_name_until_they_are_confirmed(tmp_path):
    path = proposed_mapping(tmp_path)
    members = write_members(tmp_path / "members.csv", ["sarah.murphy@harbourlaw.example"])
    memory = DecisionMemory(tmp_path / "memory.json")

    refused = run_full(path, tmp_path, members)
    assert not refused.success
    message = failure_messages(refused)
    assert "2 mapping decision(s) not confirmed" in message
    assert "companies.domainName.primaryLinkUrl (website)" in message and "people.jobTitle (job_title)" in message

    partly = confirm_mapping(path, "Ops Reviewer", ["people.jobTitle"], memory)
    assert partly.confirmed == ["people.jobTitle"] and partly.pending == ["companies.domainName.primaryLinkUrl"]
    still = run_full(path, tmp_path, members)
    assert not still.success and "people.jobTitle" not in failure_messages(still)

    rest = confirm_mapping(path, "Ops Reviewer", None, memory)
    assert rest.mapping_confirmed and rest.confirmed == ["companies.domainName.primaryLinkUrl"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# reviewed by the ops team") and "confirmed_by: Ops Reviewer" in text
    loaded = run_full(path, tmp_path, members)
    assert loaded.success and all(check["passed"] for check in check_results(loaded).values())

    remembered = DecisionMemory(tmp_path / "memory.json").recall("perfect_portal", "contacts", "job_title")
    assert remembered is not None and (remembered.target, remembered.field) == ("people", "jobTitle")


def test_an_unknown_decision_name_is_refused_and_the_cli_confirms_all(tmp_path, monkeypatch):
    path = proposed_mapping(tmp_path)
    with pytest.raises(SpecError, match="no proposed decision named people.title"):
        confirm_mapping(path, "Ops Reviewer", ["people.title"], DecisionMemory(tmp_path / "memory.json"))
    monkeypatch.setenv("MIGRATION_PROPOSER_MEMORY", str(tmp_path / "memory.json"))
    assert main(["confirm", "--mapping", str(path), "--by", "Ops Reviewer"]) == 2  # neither --decision nor --all
    assert main(["confirm", "--mapping", str(path), "--all", "--by", "Ops Reviewer"]) == 0
    spec = load_spec(path)
    assert spec.confirmed and spec.unconfirmed_decisions() == []
