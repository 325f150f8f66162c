"""Writing a proposed mapping: the file loads, reads like the shipped ones, and once confirmed it runs."""

from pathlib import Path

import pytest
import yaml

from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.pipeline.load import count_source_rows
from migration_pipeline.pipeline.migrate import Refused, require_confirmed, run_migration
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.proposer.catalog import saved_catalog
from migration_pipeline.proposer.confirm import confirm_mapping
from migration_pipeline.proposer.decisions import Candidate, ColumnProposal, ObjectProposal, band_for
from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline.proposer.profile import profile_export
from migration_pipeline.proposer.values import propose_value_maps
from migration_pipeline.proposer.write import write_mapping
from migration_pipeline.sources.export import ExportArchive

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "data" / "samples" / "perfect_portal"


def decide(source_object: str, column: str, kind: str, target: str | None, path: str | None,
           confidence: float = 0.95, **extra) -> ColumnProposal:
    runner_up = Candidate(target or "", "jobTitle" if target == "people" else "name", round(1 - confidence, 2))
    candidates = (Candidate(target or "", path or "", confidence, ("name",)), runner_up) if path else ()
    margin = confidence - runner_up.probability
    return ColumnProposal(source_object, column, kind, target, path, confidence, margin, band_for(confidence, margin),
                          (f"column '{column}' reads like {path or 'nothing the destination has'}",), candidates,
                          **extra)


# Part of Perfect Portal → Twenty, as a matcher would decide it. Matters come first on purpose: the
# writer orders the loads by their relations.
OBJECTS = [
    ObjectProposal("matters", "matters.csv", "matter_id", ("opportunities",), 0.9),
    ObjectProposal("contacts", "contacts.csv", "contact_id", ("people",), 0.95),
    ObjectProposal("clients", "clients.csv", "client_id", ("companies",), 0.95),
    ObjectProposal("users", "users.csv", "user_id", (), 0.9, reference_only=True),
]
COLUMNS = [
    decide("clients", "client_id", "field", "companies", "id"),
    decide("clients", "client_name", "field", "companies", "name"),
    decide("clients", "website", "field", "companies", "domainName.primaryLinkUrl", semantic_type="url"),
    decide("clients", "city", "field", "companies", "address.addressCity", 0.7),
    decide("clients", "owner_email", "owner", "companies", "accountOwnerId"),
    decide("clients", "created_at", "field", "companies", "createdAt", semantic_type="datetime"),
    decide("contacts", "first_name", "field", "people", "name.firstName"),
    decide("contacts", "last_name", "field", "people", "name.lastName"),
    decide("contacts", "full_name", "skip", None, None, 0.8),
    decide("contacts", "email", "field", "people", "emails.primaryEmail", semantic_type="email"),
    decide("contacts", "phone", "field", "people", "phones.primaryPhoneNumber", 0.6, semantic_type="phone"),
    decide("contacts", "client_id", "relation", "people", "companyId", relation_to="clients"),
    decide("contacts", "preferred_language", "custom", "people", None, 0.4, new_field_type="TEXT"),
    decide("matters", "matter_id", "field", "opportunities", "id"),
    decide("matters", "matter_name", "field", "opportunities", "name"),
    decide("matters", "stage", "field", "opportunities", "stage", 0.92),
    decide("matters", "amount", "field", "opportunities", "amount.amountMicros", semantic_type="money"),
    decide("matters", "client_id", "relation", "opportunities", "companyId", relation_to="clients"),
    decide("matters", "primary_contact_id", "relation", "opportunities", "pointOfContactId", relation_to="contacts"),
    decide("matters", "settlement_date", "custom", "opportunities", None, 0.55, new_field_type="DATE"),
    decide("users", "email", "owner", None, None),
]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    archive = ExportArchive(EXPORT)
    profile = profile_export(archive)
    values = propose_value_maps(profile, saved_catalog("twenty"), COLUMNS, archive)
    path = tmp_path_factory.mktemp("proposed") / "perfect_portal_proposed.yaml"
    spec = write_mapping(path, "perfect_portal_proposed", "perfect_portal", "twenty", "data/samples/perfect_portal",
                         profile, OBJECTS, COLUMNS, values)
    return path, spec, archive


def test_the_file_loads_in_the_shipped_format(written):
    path, spec, _ = written
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# perfect_portal → twenty: proposed by the mapping proposer on ")
    assert "migration-pipeline confirm" in text.split("\nmigration:")[0]
    assert spec.source.objects["clients"].key == "client_id"
    assert spec.source.objects["clients"].modified_at == "modified_at"
    assert "users" in spec.source.reference_only
    assert spec.destination.default_phone_region == "AU" and spec.destination.timezone == "Australia/Sydney"
    assert spec.destination.default_currency == "AUD"
    assert spec.owners is not None and (spec.owners.source, spec.owners.email_column) == ("users", "email")


def test_loads_follow_their_relations(written):
    _, spec, _ = written
    assert spec.load_order() == ["companies", "people", "opportunities"]
    people, opportunities = spec.load("people"), spec.load("opportunities")
    assert people.fields["companyId"].relation == "companies" and people.fields["companyId"].on_missing == "null"
    assert opportunities.fields["pointOfContactId"].relation == "people"
    assert people.dedupe_on == "emails.primaryEmail"


def test_field_rules_carry_transforms_and_proposals(written):
    _, spec, _ = written
    companies, people, opportunities = (spec.load(name) for name in ("companies", "people", "opportunities"))
    assert companies.fields["domainName.primaryLinkUrl"].transform == "url"
    assert companies.fields["createdAt"].transform == "datetime"
    assert companies.fields["accountOwnerId"].owner
    assert people.fields["emails.primaryEmail"].transform == "email"
    assert people.fields["phones.primaryPhoneNumber"].transform == "phone"
    assert opportunities.fields["amount.amountMicros"].transform == "money_micros"
    assert "full_name" not in {column for rule in people.fields.values() for column in rule.columns}  # skipped
    assert "id" not in companies.fields  # the key is the record's identity, kept by the ledger
    # A custom decision is a field the migration creates, named in Twenty's camelCase.
    assert people.new_fields["preferredLanguage"].type == "TEXT"
    assert opportunities.new_fields["settlementDate"].type == "DATE"
    assert opportunities.fields["settlementDate"].transform == "date"
    for load in spec.loads:
        for name, rule in load.fields.items():
            assert rule.proposal is not None, (load.name, name)
            assert rule.proposal.confirmed == (rule.proposal.band == "auto")
    top = companies.fields["name"].proposal
    assert top.candidates[0] == {"field": "name", "probability": 0.95} and len(top.candidates) <= 3


def test_stage_value_map_keeps_every_value(written):
    _, spec, _ = written
    stage = spec.load("opportunities").fields["stage"]
    assert stage.transform == "value_map"
    value_map = spec.value_maps[stage.args["map"]]
    assert value_map.create_options
    assert value_map.values["Closed Won"] == "CUSTOMER" and value_map.values["Intake"] == "NEW"
    assert value_map.values["Settlement Pending"] == "SETTLEMENT_PENDING"


def test_review_decisions_wait_for_confirmation(written):
    _, spec, _ = written
    assert not spec.confirmed
    assert spec.unconfirmed_decisions() == [
        "companies.address.addressCity (city)",
        "people.phones.primaryPhoneNumber (phone)",
        "people.preferredLanguage (preferred_language)",
        "opportunities.settlementDate (settlement_date)",
    ]
    with pytest.raises(Refused):
        require_confirmed(spec)


def test_confirmed_proposal_loads_every_row_in_a_dry_run(written, tmp_path):
    path, _, archive = written
    confirmed_path = tmp_path / path.name
    confirmed_path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = confirm_mapping(confirmed_path, "tester", None, DecisionMemory(tmp_path / "memory.json"))
    assert result.mapping_confirmed and len(result.confirmed) == 4
    spec = load_spec(confirmed_path)
    require_confirmed(spec)
    assert yaml.safe_load(confirmed_path.read_text(encoding="utf-8"))["confirmed"] is True

    members = tmp_path / "members.csv"
    members.write_text("email,first_name,last_name\nsarah.murphy@harbourlaw.example,Sarah,Murphy\n", encoding="utf-8")
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        destination = DryRunDestination(output_dir=str(tmp_path / "dry_run"), members_file=str(members))
        summaries = run_migration(spec, archive, ledger, destination, "proposed-run", Selection())
        assert [summary.load for summary in summaries] == spec.load_order()
        for summary in summaries:
            load = spec.load(summary.load)
            counts = ledger.outcome_counts(spec.migration, summary.ledger_run, load.name)
            assert sum(counts.values()) == count_source_rows(spec, load, archive) > 0, (load.name, counts)
            assert counts["created"] > 0, (load.name, counts)
    finally:
        ledger.dispose()


def test_stage_codes_read_through_the_stage_list_and_self_links_load_last(tmp_path):
    """OplaCRM: owners named by user id, stages by code (their labels are mapped through a lookup),
    and opportunities linking to each other (written once every opportunity exists)."""
    archive = ExportArchive(ROOT / "data" / "samples" / "oplacrm")
    profile = profile_export(archive)
    objects = [ObjectProposal("opportunities", "opportunities.csv", "opportunity_id", ("opportunities",), 0.9),
               ObjectProposal("accounts", "accounts.csv", "account_id", ("companies",), 0.9)]
    columns = [
        decide("accounts", "name", "field", "companies", "name"),
        decide("accounts", "owner_id", "owner", "companies", "accountOwnerId"),
        decide("opportunities", "name", "field", "opportunities", "name"),
        decide("opportunities", "sale_process_stage", "field", "opportunities", "stage"),
        decide("opportunities", "account_id", "relation", "opportunities", "companyId", relation_to="accounts"),
        decide("opportunities", "opportunities_joint_id", "relation", "opportunities", "jointOpportunityId", 0.7,
               relation_to="opportunities"),
    ]
    values = propose_value_maps(profile, saved_catalog("twenty"), columns, archive)
    spec = write_mapping(tmp_path / "oplacrm.yaml", "oplacrm_proposed", "oplacrm", "twenty", None, profile, objects,
                         columns, values)
    assert spec.load_order() == ["companies", "opportunities", "opportunities_links"]
    assert spec.destination.timezone == "Asia/Singapore" and spec.destination.default_currency == "SGD"
    owner = spec.load("companies").fields["accountOwnerId"]
    assert owner.owner and spec.lookups[owner.lookup].source == "users"
    stage = spec.load("opportunities").fields["stage"]
    assert spec.lookups[stage.lookup].value == "display_label"
    assert spec.value_maps[stage.args["map"]].values["Closed won"] == "CUSTOMER"
    links = spec.load("opportunities_links")
    assert links.updates == "opportunities" and links.fields["jointOpportunityId"].relation == "opportunities"
    assert links.new_fields["jointOpportunity"].type == "RELATION"
    assert spec.unconfirmed_decisions() == ["opportunities_links.jointOpportunityId (opportunities_joint_id)"]

    confirm_mapping(tmp_path / "oplacrm.yaml", "tester", None, DecisionMemory(tmp_path / "memory.json"))
    spec = load_spec(tmp_path / "oplacrm.yaml")
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        summaries = run_migration(spec, archive, ledger, DryRunDestination(output_dir=str(tmp_path / "dry_run")),
                                  "proposed-run", Selection())
        for summary in summaries:
            load = spec.load(summary.load)
            counts = ledger.outcome_counts(spec.migration, summary.ledger_run, load.name)
            assert sum(counts.values()) == count_source_rows(spec, load, archive) > 0, (load.name, counts)
            assert counts["quarantined"] == 0, (load.name, dict(summary.reasons))
    finally:
        ledger.dispose()
