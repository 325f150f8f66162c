"""OplaCRM → Twenty, rule by rule, on named rows of the committed sample (data/samples/README.md lists
them), loaded into the Twenty test server (v2.4) through the real asset graph."""

import csv

import pandas as pd

from migration_pipeline.pipeline.payloads import destination_id
from migration_pipeline.pipeline.plan import build_plan
from migration_pipeline.sources.export import ExportArchive
from migration_pipeline_tests.pairs import audit_rows, quarantine_rows, pair_fixture, record, source_rows, twenty_destination

MIGRATION = "oplacrm_to_twenty"
FORMER_REP = "former.rep@tanjongsupply.example"  # in users.csv, inactive, never invited to Twenty
HELD_PAIR = ("e0ce22fd-470b-4e1b-af7c-b9c440972e38", "ed449750-c6e6-437f-9cfd-ca6b2485c3e7")  # joint opportunities


run = pair_fixture("oplacrm", "v2.4")



def full_key(run, file_name: str, prefix: str) -> str:
    return next(key for key in source_rows(run, file_name) if key.startswith(prefix))


def merged_into(run, load: str, key: str) -> str:
    return next(r["dest_id"] for r in audit_rows(run, load, "merged") if r["source_key"] == key)


def test_accounts_are_deduplicated_by_external_id_or_by_a_name_and_address_hash(run):
    survivor = record(run, "companies", "companies", full_key(run, "accounts.csv", "89a255fd"))
    assert survivor["oplaExternalId"] == "ERP-10007"
    assert merged_into(run, "companies", full_key(run, "accounts.csv", "ba7fafdc")) == survivor["id"]  # same ERP id
    first = record(run, "companies", "companies", "6eafff49-7c3b-4190-b967-cf66e0c304e7")  # no external id
    assert first["oplaExternalId"].startswith("hash:")
    # 'oriental foodstuff pte. ltd.' at '82  Sin Ming Lane': the same account typed again
    assert merged_into(run, "companies", full_key(run, "accounts.csv", "b3ac09ae")) == first["id"]
    assert sum(1 for c in run.server.records("companies") if c["oplaExternalId"] == "ERP-10007") == 1


def test_contacts_are_deduplicated_by_email_and_linked_through_the_account_external_id(run):
    contacts = source_rows(run, "contacts.csv")
    by_external = record(run, "people", "people", full_key(run, "contacts.csv", "99b1a73c"))  # account ERP-10001
    account = record(run, "companies", "companies", contacts[full_key(run, "contacts.csv", "99b1a73c")]["account_id"])
    assert by_external["companyId"] == account["id"] and account["oplaExternalId"] == "ERP-10001"
    without = record(run, "people", "people", full_key(run, "contacts.csv", "f54864e5"))  # its account has no external id
    assert without["companyId"] == record(run, "companies", "companies", "18d854d8-fd85-4748-8d87-dbf6f4808530")["id"]
    survivor = record(run, "people", "people", full_key(run, "contacts.csv", "1bbdfb0b"))
    assert merged_into(run, "people", full_key(run, "contacts.csv", "7722f08e")) == survivor["id"]  # '  Akumar@Woodlandsfood.Com.Sg '


def test_stages_map_by_display_label_and_keep_the_source_probability(run):
    won = record(run, "opportunities", "opportunities", full_key(run, "opportunities.csv", "225fdd4f"))
    assert won["stage"] == "CUSTOMER" and won["oplaStageProbability"] == 100 and won["oplaWinLoss"] == "WON"
    assert won["oplaCloseReason"] == "Existing relationship" and won["closeDate"].startswith("2022-01-1")
    assert won["amount"] == {"amountMicros": 16_600_000_000, "currencyCode": "USD"}
    lost = record(run, "opportunities", "opportunities", full_key(run, "opportunities.csv", "c7cfa099"))
    assert lost["stage"] == "CLOSED_LOST" and lost["oplaStageProbability"] == 0
    demo = record(run, "opportunities", "opportunities", full_key(run, "opportunities.csv", "323270bc"))
    assert demo["stage"] == "MEETING" and demo["oplaStageProbability"] == 40
    on_hold = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "opportunities")}
    assert "'ON_HOLD' is not in sale_process_stages" in on_hold[full_key(run, "opportunities.csv", "57165a10")]


def test_products_and_invoices_are_custom_objects_with_prefixed_invoice_numbers(run):
    products = source_rows(run, "products.csv")
    assert {p["name"] for p in run.server.records("products")} == {p["name"] for p in products.values()}
    invoices = source_rows(run, "invoices.csv")
    key = next(k for k, row in invoices.items() if row["invoice_number"] == "INV/2022/00007")
    invoice = record(run, "invoices", "invoices", key)
    assert invoice["name"] == "opla_INV/2022/00007"
    assert invoice["opportunityId"] == record(run, "opportunities", "opportunities", invoices[key]["opportunity_id"])["id"]
    orphans = {r["source_key"] for r in quarantine_rows(run, "invoices")}
    assert full_key(run, "invoices.csv", "4b1ee37b") in orphans  # its opportunity is not in the export


def test_healthscore_locked_and_tags(run):
    accounts = source_rows(run, "accounts.csv")
    company = record(run, "companies", "companies", "6eafff49-7c3b-4190-b967-cf66e0c304e7")
    assert company["oplaHealthscore"] == float(accounts["6eafff49-7c3b-4190-b967-cf66e0c304e7"]["healthscore"])
    locked = [k for k, row in accounts.items() if row["locked"] == "true"]
    assert record(run, "companies", "companies", locked[0])["oplaLocked"] is True
    messy = record(run, "people", "people", full_key(run, "contacts.csv", "1bbdfb0b"))
    raw = source_rows(run, "contacts.csv")[full_key(run, "contacts.csv", "1bbdfb0b")]["tags"] or ""
    expected = sorted({t.strip().upper().replace(" ", "_") for t in raw.split(",") if t.strip()})
    assert sorted(messy["oplaTags"] or []) == expected


def test_key_value_custom_fields_become_typed_fields_prefixed_where_twenty_has_the_name(run):
    values = list(csv.DictReader(open(run.export / "custom_field_values.csv", encoding="utf-8")))
    companies = {c["id"]: c for c in run.server.records("companies")}
    employees = next(v for v in values if v["field_key"] == "Employees" and v["value"].isdigit()
                     and destination_id(MIGRATION, "companies", v["record_id"]) in companies)
    company = companies[destination_id(MIGRATION, "companies", employees["record_id"])]
    assert company["oplaEmployees"] == int(employees["value"]) and company["employees"] is None  # Twenty's own field untouched
    people = {p["id"]: p for p in run.server.records("people")}
    city = next(v for v in values if v["field_key"] == "City" and destination_id(MIGRATION, "people", v["record_id"]) in people)
    person = people[destination_id(MIGRATION, "people", city["record_id"])]
    assert person["oplaCity"] == city["value"] and person["city"] in ("", None)
    opt_in = next(v for v in values if v["field_key"] == "Newsletter Opt In" and destination_id(MIGRATION, "people", v["record_id"]) in people)
    assert people[destination_id(MIGRATION, "people", opt_in["record_id"])]["newsletterOptIn"] is (opt_in["value"] == "true")
    bad = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "companies")}
    assert any("'n/a' is not a number" in reason for reason in bad.values())


def test_the_plan_lists_locked_records_joint_pairs_and_invoices_to_renumber(run):
    plan = build_plan(run.spec, ExportArchive(str(run.export)), twenty_destination(run.server))
    titles = {entry["title"]: entry for entry in plan.review}
    assert titles["Locked accounts"]["rows"] == 6 and titles["Locked opportunities"]["rows"] == 5
    pairs = {(item["opportunity_id"], item["opportunities_joint_id"]) for item in titles["Joint opportunities"]["items"]}
    assert HELD_PAIR in pairs and HELD_PAIR[::-1] in pairs
    assert titles["Invoices to renumber"]["rows"] == len(source_rows(run, "invoices.csv"))
    held = [o for o in plan.unmatched_owners if o["email"] == FORMER_REP]
    assert held and held[0]["records go to"].startswith("held back")


def test_records_of_an_uninvited_owner_are_held_and_load_once_the_member_exists(run, tmp_path):
    held = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "opportunities")}
    owned = [k for k, row in source_rows(run, "opportunities.csv").items() if row["owner_id"] == "U-006"]
    assert owned and all(f"'{FORMER_REP}' has no workspace member: held" in held[k] for k in owned)
    ids = {o["id"] for o in run.server.records("opportunities")}
    assert not any(destination_id(MIGRATION, "opportunities", k) in ids for k in owned)

    # The admin invites the former rep; fixing the on-hold deal's stage and owner brings its joint partner in too.
    run.server.invite_member(FORMER_REP)
    path = run.export / "opportunities.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame["opportunity_id"] == HELD_PAIR[0]
    frame.loc[row, ["sale_process_stage", "owner_id"]] = ["DEMO", "U-002"]
    frame.to_csv(path, index=False)
    again = run.run_again()
    assert again.success and all(check["passed"] for check in run.checks(-1).values())
    loaded = {o["id"]: o for o in run.server.records("opportunities")}
    for key in owned:
        assert loaded[destination_id(MIGRATION, "opportunities", key)]["oplaOwnerEmail"] == FORMER_REP
    first, second = (loaded[destination_id(MIGRATION, "opportunities", key)] for key in HELD_PAIR)
    assert first["jointOpportunityId"] == second["id"] and second["jointOpportunityId"] == first["id"]
    assert first["oplaJointOpportunityId"] == HELD_PAIR[1]
    assert run.checks(-1)["joint_opportunities"]["updated"] >= 2
