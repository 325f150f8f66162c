"""BackDocket → Twenty, rule by rule, on named rows of the committed sample (data/samples/README.md lists
them), loaded into the Twenty test server (v1.5) through the real asset graph."""

from decimal import Decimal

import pandas as pd

from migration_pipeline.pipeline.payloads import destination_id
from migration_pipeline.pipeline.plan import build_plan
from migration_pipeline.sources.export import ExportArchive
from migration_pipeline_tests.pairs import audit_rows, quarantine_rows, pair_fixture, record, source_rows, twenty_destination

MIGRATION = "backdocket_to_twenty"


run = pair_fixture("backdocket", "v1.5")



def person_id(run, contact: str) -> str:
    """The person a contact became: its own, or the one it was merged into as a duplicate."""
    rows = audit_rows(run, "people")
    return next(r["dest_id"] for r in rows if r["source_key"] == contact and r["action"] in ("created", "merged"))


def cases_of(run, *contacts: str) -> list[dict]:
    return [row for row in source_rows(run, "cases.csv").values() if row["contact_id"] in contacts]


def chicago(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize("America/Chicago")


def test_firms_become_companies_and_contacts_people_linked_to_them(run):
    contacts = source_rows(run, "contacts.csv")
    employed = next(k for k, row in contacts.items() if row["firm_id"] and not row["firm_id"].startswith("F-9")
                    and destination_id(MIGRATION, "people", k) in {p["id"] for p in run.server.records("people")})
    person = record(run, "people", "people", employed)
    firm = record(run, "companies", "companies", contacts[employed]["firm_id"])
    assert person["companyId"] == firm["id"]
    assert firm["firmType"] == source_rows(run, "firms.csv")[contacts[employed]["firm_id"]]["firm_type"].upper()
    merged = {r["source_key"]: r["dest_id"] for r in audit_rows(run, "people", "merged")}
    assert merged["CT-000002"] == record(run, "people", "people", "CT-000001")["id"]  # MARIA.KHAN@YAHOO.COM


def test_the_latest_case_lands_in_custom_fields_on_the_client_with_its_status_changes(run):
    person = record(run, "people", "people", "CT-000004")  # one case, CA-00003
    assert [case["case_id"] for case in cases_of(run, "CT-000004")] == ["CA-00003"] and person["caseIds"] == "CA-00003"
    assert person["caseNumber"] == "2021-PI-0003" and person["caseType"] == "AUTO_ACCIDENT" and person["caseStatus"] == "INVESTIGATION"
    assert person["assignedAttorneyEmail"] == "minh.patel@callowaybrandt.example"
    assert person["caseOpenedOn"] == "2021-08-01"
    case = cases_of(run, "CT-000004")[0]
    assert person["statuteOfLimitations"] == case["statute_of_limitations"] and person["caseClosedOn"] in (None, "")
    history = [row for row in source_rows(run, "case_status_history.csv").values() if row["case_id"] == "CA-00003"]
    assert pd.Timestamp(person["caseStatusChangedAt"]) == chicago(max(row["changed_at"] for row in history))
    assert sorted(person["caseStatusChanges"].split(";")) == sorted(row["changed_at"] for row in history)


def test_a_merged_duplicates_cases_and_intake_stay_with_the_person(run):
    person = record(run, "people", "people", "CT-000007")  # CT-000009 is the same client typed again
    assert person_id(run, "CT-000009") == person["id"]
    cases = cases_of(run, "CT-000007", "CT-000009")
    assert {"CA-00027", "CA-00028"} <= {case["case_id"] for case in cases}  # the duplicate's cases
    assert person["caseIds"] == ";".join(sorted(case["case_id"] for case in cases))
    assert person["caseNumber"] == cases[-1]["case_number"]
    invoices = [row for row in source_rows(run, "invoices.csv").values() if row["contact_id"] in ("CT-000007", "CT-000009")]
    assert "CB-2026-00003" in {row["invoice_number"] for row in invoices}  # INV-000003 is the duplicate's
    assert person["lastInvoiceNumber"] == invoices[-1]["invoice_number"]


def test_intake_status_goes_through_the_value_map_and_an_unmapped_one_is_held(run):
    intakes = source_rows(run, "intakes.csv")
    loaded = {p["id"]: p for p in run.server.records("people")}
    us_dates = [i for i in ("IN-000004", "IN-000005", "IN-000011", "IN-000025", "IN-000028")  # written 09/21/2024
                if destination_id(MIGRATION, "people", intakes[i]["contact_id"]) in loaded
                and [row for row in intakes.values() if row["contact_id"] == intakes[i]["contact_id"]][-1] is intakes[i]]
    intake = intakes[us_dates[0]]
    person = loaded[destination_id(MIGRATION, "people", intake["contact_id"])]
    month, day, year = intake["intake_date"].split("/")
    assert person["intakeDate"] == f"{year}-{month}-{day}"
    assert person["intakeStatus"] == intake["intake_status"].upper().replace(" ", "_")
    assert person["referringSource"] == intake["referring_source"].upper().replace(" ", "_")
    held = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "people")}
    assert "'Pending Docs' has no entry in value map 'intake_status'" in held["CT-000032"]


def test_invoices_land_as_custom_fields_on_the_person(run):
    invoices = [row for row in source_rows(run, "invoices.csv").values() if row["contact_id"] == "CT-000024"]
    person = record(run, "people", "people", "CT-000024")
    assert person["lastInvoiceNumber"] == invoices[-1]["invoice_number"]
    total = sum(Decimal(row["amount"].replace("$", "").replace(",", "")) for row in invoices)
    assert Decimal(person["totalInvoiced"]["amountMicros"]) / 1_000_000 == total
    assert person["lastInvoiceStatus"] == invoices[-1]["status"].upper()


def test_documents_are_uploaded_and_attached_to_the_person(run):
    documents = source_rows(run, "documents.csv")
    key = next(k for k, row in documents.items() if (run.export / row["file_path"]).exists()
               and destination_id(MIGRATION, "people", row["contact_id"]) in {p["id"] for p in run.server.records("people")})
    attachment = record(run, "attachments", "attachments", key)
    assert attachment["personId"] == person_id(run, documents[key]["contact_id"])
    assert run.server.file_bytes(attachment["fullPath"]) == (run.export / documents[key]["file_path"]).read_bytes()
    missing = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "attachments")}
    assert "not in the export" in missing["DOC-000011"]


def test_tasks_keep_state_and_recurring_rules_go_to_the_rebuild_inventory(run):
    tasks = source_rows(run, "tasks.csv")
    done = next(k for k, row in tasks.items() if row["status"] == "completed")
    assert record(run, "tasks", "tasks", done)["status"] == "DONE"
    assert record(run, "tasks", "tasks", next(k for k, row in tasks.items() if row["status"] == "open"))["status"] == "TODO"
    assert record(run, "tasks", "tasks", "TSK-000002")["recurrenceRule"] == tasks["TSK-000002"]["recurrence_rule"]
    plan = build_plan(run.spec, ExportArchive(str(run.export)), twenty_destination(run.server))
    rules = plan.inventory["Recurring task rules"]["items"]
    assert {item["task_id"] for item in rules} == {"TSK-000002", "TSK-000025", "TSK-000041"}
    assert plan.inventory["workflows"]["rows"] == len(source_rows(run, "workflows.csv"))


def test_court_dates_become_notes_with_date_type_location_and_court(run):
    event = source_rows(run, "calendar_events.csv")["EV-000002"]
    note = record(run, "notes", "event_notes", "EV-000002")
    assert pd.Timestamp(note["eventDate"]) == chicago(event["starts_at"])
    assert note["eventType"] == "COURT_DATE" and note["eventLocation"] == event["location"]
    assert note["courtJurisdictionId"] == record(run, "courtJurisdictions", "court_jurisdictions", "J-006")["id"]
    target = record(run, "noteTargets", "event_note_targets", "EV-000002")
    assert target["noteId"] == note["id"] and target["personId"] == record(run, "people", "people", "CT-000007")["id"]
    us_date = record(run, "notes", "event_notes", "EV-000005")  # starts_at written '05/09/2025 9:30 AM'
    assert pd.Timestamp(us_date["eventDate"]).tz_convert("America/Chicago").month == 5


def test_legal_objects_are_custom_objects_linked_to_the_client(run):
    liens = source_rows(run, "liens.csv")
    key = next(k for k, row in liens.items() if not row["contact_id"].startswith("CT-9"))
    lien = record(run, "liens", "liens", key)
    assert lien["personId"] == person_id(run, liens[key]["contact_id"])
    assert lien["lienType"] == liens[key]["lien_type"].upper()
    orphans = {r["source_key"] for r in quarantine_rows(run, "liens")} | {r["source_key"] for r in quarantine_rows(run, "insurance_policies")}
    assert {"LN-000005", "LN-000009", "POL-000008", "POL-000011"} <= orphans
    assert len(run.server.records("courtJurisdictions")) == len(source_rows(run, "court_jurisdictions.csv"))
    client = record(run, "people", "people", "CT-000004")  # case CA-00003 is at J-003
    assert client["caseCourtJurisdictionId"] == record(run, "courtJurisdictions", "court_jurisdictions", "J-003")["id"]


def test_notes_without_a_parent_go_to_the_default_record_and_are_reported(run):
    fallback = record(run, "people", "people", "BD-UNASSIGNED")
    assert fallback["name"]["firstName"] == "Unassigned notes"
    for orphan in ("N-000005", "N-000009"):  # no contact_id; a contact not in the export
        assert record(run, "noteTargets", "note_targets", orphan)["personId"] == fallback["id"]
    note = source_rows(run, "notes.csv")["N-000001"]
    stored = record(run, "notes", "notes", "N-000001")
    assert pd.Timestamp(stored["createdAt"]) == chicago(note["created_at"])
    assert stored["originalAuthorEmail"] == note["author_email"].lower()
    assert "<p>" not in (stored["bodyV2"]["markdown"] or "")
    plan = build_plan(run.spec, ExportArchive(str(run.export)), twenty_destination(run.server))
    orphans = [f for f in plan.section("orphans linked to a fallback or to nothing") if f["load"] == "note_targets"]
    held = {r["source_key"] for r in quarantine_rows(run, "people")}
    contacts = source_rows(run, "contacts.csv")
    parentless = [k for k, row in source_rows(run, "notes.csv").items()
                  if not row["contact_id"] or row["contact_id"] not in contacts or row["contact_id"] in held]
    assert len(parentless) > 9  # 5 without a contact, 4 with one not in the export, the rest of quarantined contacts
    assert sum(f["count"] for f in orphans) == len(parentless) and all("BD-UNASSIGNED" in f["example"] for f in orphans)
