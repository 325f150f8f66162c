"""Value maps proposed for select fields: every pick-list value lands on an option or a new one."""

from pathlib import Path

import pytest

from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.proposer.catalog import saved_catalog
from migration_pipeline.proposer.decisions import ColumnProposal, ValueProposal
from migration_pipeline.proposer.gold import gold_decisions
from migration_pipeline.proposer.profile import profile_export
from migration_pipeline.proposer.values import ODOO_DEFAULT_STAGES, propose_value_maps, value_map_accuracy
from migration_pipeline.sources.export import ExportArchive

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def field(source_object: str, column: str, target_object: str, target_path: str) -> ColumnProposal:
    return ColumnProposal(source_object, column, "field", target_object, target_path, 0.95, 0.6, "auto")


@pytest.fixture(scope="module")
def perfect_portal():
    archive = ExportArchive(SAMPLES / "perfect_portal")
    return archive, profile_export(archive)


@pytest.fixture(scope="module")
def oplacrm():
    archive = ExportArchive(SAMPLES / "oplacrm")
    return archive, profile_export(archive)


def options(proposals: list[ValueProposal]) -> dict[str, ValueProposal]:
    return {p.value: p for p in proposals}


def test_matter_stages_map_to_twentys_pipeline(perfect_portal):
    archive, profile = perfect_portal
    proposed = options(propose_value_maps(profile, saved_catalog("twenty"),
                                          [field("matters", "stage", "opportunities", "stage")], archive))
    assert proposed["Closed Won"].option == "CUSTOMER" and proposed["Settled"].option == "CUSTOMER"
    assert proposed["Intake"].option == "NEW"
    assert proposed["Engaged"].option == "MEETING"
    assert proposed["Negotiation"].option == "PROPOSAL"
    pending = proposed["Settlement Pending"]
    assert pending.new_option and pending.option == "SETTLEMENT_PENDING" and pending.value == "Settlement Pending"
    lost = proposed["Closed Lost"]  # Twenty has no lost stage: one is added rather than calling it won
    assert lost.new_option and lost.option == "CLOSED_LOST"
    assert all(p.reasons for p in proposed.values())
    assert not any(p.new_option for p in (proposed["Intake"], proposed["Closed Won"]))


def test_task_statuses_map_to_twentys_task_states(perfect_portal):
    archive, profile = perfect_portal
    proposed = options(propose_value_maps(profile, saved_catalog("twenty"),
                                          [field("tasks", "status", "tasks", "status")], archive))
    assert {value: p.option for value, p in proposed.items()} == {
        "Open": "TODO", "Waiting": "TODO", "In Progress": "IN_PROGRESS", "Completed": "DONE", "Cancelled": "DONE"}
    assert proposed["In Progress"].confidence > proposed["Cancelled"].confidence  # exact beats a borrowed meaning


def test_odoo_keeps_the_firms_own_stages_and_maps_won(perfect_portal):
    """Odoo's stages are crm.stage records each database configures: the firm's steps become stages
    of their own (the brief: stage names mapped one by one), only won goes to Odoo's Won."""
    archive, profile = perfect_portal
    proposed = options(propose_value_maps(profile, saved_catalog("odoo"),
                                          [field("matters", "stage", "crm.lead", "stage_id")], archive))
    assert proposed["Closed Won"].option == "Won" and proposed["Settled"].option == "Won"
    assert (proposed["Intake"].option, proposed["Intake"].new_option) == ("Intake", True)
    assert (proposed["Negotiation"].option, proposed["Negotiation"].new_option) == ("Negotiation", True)
    assert proposed["Closed Lost"].new_option  # Odoo has no lost stage: one is added
    for value, proposal in proposed.items():
        if proposal.new_option:
            assert proposal.option == value  # a new crm.stage named as the firm names it
        else:
            assert proposal.option in ODOO_DEFAULT_STAGES


def test_oplacrm_stage_codes_line_up_through_the_stage_list(oplacrm):
    archive, profile = oplacrm
    proposed = propose_value_maps(profile, saved_catalog("twenty"),
                                  [field("opportunities", "sale_process_stage", "opportunities", "stage")], archive)
    # The records hold stage codes; the stage list file names and orders them: its labels are mapped.
    assert {(p.source_object, p.column) for p in proposed} == {("sale_process_stages", "display_label")}
    assert [p.value for p in proposed] == ["New lead", "Qualified", "Demo", "Proposal sent", "Negotiation",
                                           "Closed won", "Closed lost"]
    mapped = {p.value: p.option for p in proposed}
    assert mapped["New lead"] == "NEW" and mapped["Qualified"] == "SCREENING" and mapped["Demo"] == "MEETING"
    assert mapped["Proposal sent"] == "PROPOSAL" and mapped["Closed won"] == "CUSTOMER"
    # An ordered pipeline keeps its steps: Negotiation does not merge into Proposal sent's stage.
    negotiation = options(proposed)["Negotiation"]
    assert negotiation.new_option and negotiation.option == "NEGOTIATION"
    assert any("stage 5 of 7" in reason for reason in negotiation.reasons)


def test_a_stage_list_reached_several_ways_is_mapped_once_in_its_order(oplacrm):
    archive, profile = oplacrm
    # The records' stage codes, the list's own codes and its labels all lead to the same labels.
    proposed = propose_value_maps(profile, saved_catalog("twenty"), [
        field("opportunities", "sale_process_stage", "opportunities", "stage"),
        field("sale_process_stages", "stage_code", "opportunities", "stage"),
        field("sale_process_stages", "display_label", "opportunities", "stage"),
    ], archive)
    assert [(p.column, p.value) for p in proposed] == [("display_label", v) for v in (
        "New lead", "Qualified", "Demo", "Proposal sent", "Negotiation", "Closed won", "Closed lost")]
    # Reached from its own labels alone, the list still keeps its order: Negotiation stays its own stage.
    alone = options(propose_value_maps(profile, saved_catalog("twenty"), [
        field("sale_process_stages", "display_label", "opportunities", "stage")], archive))
    assert alone["Negotiation"].new_option and alone["Proposal sent"].option == "PROPOSAL"


def test_values_without_the_archive_come_from_the_profile(perfect_portal):
    _, profile = perfect_portal
    proposed = propose_value_maps(profile, saved_catalog("twenty"),
                                  [field("matters", "stage", "opportunities", "stage"),
                                   field("matters", "matter_name", "opportunities", "name")])
    assert {p.column for p in proposed} == {"stage"}  # only the select is mapped
    assert len(proposed) == len(profile.file("matters").column("stage").top_values)


def test_accuracy_against_the_shipped_mappings(perfect_portal, oplacrm):
    for (archive, profile), mapping, columns in (
        (oplacrm, "oplacrm_to_twenty", [field("opportunities", "sale_process_stage", "opportunities", "stage")]),
        (perfect_portal, "perfect_portal_to_twenty", [field("matters", "stage", "opportunities", "stage"),
                                                      field("tasks", "status", "tasks", "status")]),
    ):
        gold = gold_decisions(load_spec(ROOT / "mappings" / f"{mapping}.yaml"), archive)
        proposed = propose_value_maps(profile, saved_catalog(gold.destination), columns, archive)
        accuracy = value_map_accuracy(proposed, gold)
        # Both: every value, Closed lost a new stage as in the gold.
        assert accuracy == 1.0, mapping
    # A select column the proposal missed counts every gold value as wrong.
    gold = gold_decisions(load_spec(ROOT / "mappings" / "perfect_portal_to_twenty.yaml"), perfect_portal[0])
    assert value_map_accuracy([], gold) == 0.0
    wrong = [ValueProposal("tasks", "status", "Open", "DONE", 0.9)]
    assert value_map_accuracy(wrong, gold) < value_map_accuracy(
        [ValueProposal("tasks", "status", "Open", "TODO", 0.9)], gold)
