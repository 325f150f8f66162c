"""Profi → Twenty, rule by rule, on named rows of the committed sample (data/samples/README.md lists
them), loaded into the Twenty test server (v2.4) through the real asset graph."""

from decimal import Decimal

import pandas as pd

from migration_pipeline.pipeline.plan import build_plan
from migration_pipeline.sources.export import ExportArchive
from migration_pipeline_tests.pairs import audit_rows, quarantine_rows, pair_fixture, record, source_rows, twenty_destination

MIGRATION = "profi_to_twenty"
OWNER = "tom.rutherford@northbankcoaching.example"


run = pair_fixture("profi", "v2.4")



def london(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize("Europe/London")


def test_clients_become_people_with_a_display_name_fallback_flagged_for_review(run):
    shown = record(run, "people", "people", "CL-000018")  # no first/last name, a display name
    assert shown["name"]["firstName"] == "Dr Priya Kowalski"
    nameless = record(run, "people", "people", "CL-000007")  # no name at all
    assert nameless["name"]["firstName"] == "Priyawilliams89"
    notes = {row["source_key"]: row["detail"] for row in audit_rows(run, "people", "created")}
    assert "display name was used" in notes["CL-000018"] and "review" in notes["CL-000018"]
    assert "made from the email address" in notes["CL-000007"]


def test_an_organisation_becomes_a_company_linked_from_the_person(run):
    clients = source_rows(run, "clients.csv")
    person = record(run, "people", "people", "CL-000018")
    company = next(c for c in run.server.records("companies") if c["id"] == person["companyId"])
    assert company["name"] == clients["CL-000018"]["organisation"] == "Thameside Housing Association"
    alone = record(run, "people", "people", "CL-000001")  # no organisation: no company, and no orphan note
    assert alone["companyId"] is None
    assert all("linked to nothing" not in (row["detail"] or "") for row in audit_rows(run, "people") if row["source_key"] == "CL-000001")


def test_sessions_split_into_tasks_and_historic_notes_keeping_date_and_duration(run):
    upcoming = record(run, "tasks", "tasks", "SE-000001")  # upcoming package session → task
    assert pd.Timestamp(upcoming["dueAt"]) == london("2026-11-09T16:00:00")
    assert upcoming["durationMinutes"] == 90 and upcoming["status"] == "TODO"
    source = source_rows(run, "sessions.csv")["SE-000001"]
    assert upcoming["sessionLocation"] == source["location"]
    assert (upcoming["meetingUrl"]["primaryLinkUrl"] or None) == (source["meeting_url"] or None)
    one_off = [k for k, r in source_rows(run, "sessions.csv").items() if r["session_kind"] == "one_off" and r["status"] == "completed"]
    assert record(run, "tasks", "tasks", one_off[0])["status"] == "DONE"  # a one-off stays a task, even done
    history = record(run, "notes", "session_notes", "SE-000005")  # completed package session → note
    assert pd.Timestamp(history["createdAt"]) == london("2025-06-18T16:30:00") == pd.Timestamp(history["sessionAt"])
    assert history["durationMinutes"] == 60 and history["title"].startswith("Session (completed)")
    sessions = source_rows(run, "sessions.csv")
    historic = {k for k, r in sessions.items() if r["status"] in ("completed", "no_show") and r["session_kind"] == "package"}
    checks = run.checks()
    assert checks["session_notes"]["source_rows"] == len(historic)
    assert checks["tasks"]["source_rows"] == len(sessions) - len(historic)


def test_packages_become_opportunities_with_amount_and_stage(run):
    active = record(run, "opportunities", "opportunities", "PK-000001")  # Active, £2,400.00
    assert active["stage"] == "IN_PROGRESS" and active["amount"]["amountMicros"] == 2_400_000_000
    assert active["amount"]["currencyCode"] == "GBP"
    assert record(run, "opportunities", "opportunities", "PK-000002")["stage"] == "CUSTOMER"  # Completed → won
    held = quarantine_rows(run, "opportunities")
    assert any(r["source_key"] == "PK-000008" and "'On Hold' has no entry in value map 'package_stage'" in r["reason"] for r in held)


def test_each_package_session_is_a_session_record_linked_to_its_package(run):
    opportunity = record(run, "opportunities", "opportunities", "PK-000001")
    session = record(run, "sessionRecords", "session_records", "SE-000002")
    assert session["opportunityId"] == opportunity["id"] and session["durationMinutes"] == 90
    package_sessions = [k for k, r in source_rows(run, "sessions.csv").items() if r["session_kind"] == "package"]
    checks = run.checks()["session_records"]
    assert checks["source_rows"] == len(package_sessions) == checks["created"] + checks["quarantined"]


def test_broken_package_links_are_repaired_from_the_package_list_and_reported(run):
    lost = record(run, "sessionRecords", "session_records", "SE-000040")  # empty package_id
    assert lost["opportunityId"] == record(run, "opportunities", "opportunities", "PK-000007")["id"]
    stale = record(run, "sessionRecords", "session_records", "SE-000014")  # legacy 'PKG-2333'
    assert stale["opportunityId"] == record(run, "opportunities", "opportunities", "PK-000002")["id"]
    notes = {row["source_key"]: row["detail"] for row in audit_rows(run, "session_records", "created")}
    assert "repaired" in notes["SE-000040"] and "'PK-000007'" in notes["SE-000040"]
    assert "'PKG-2333' resolves to nothing; repaired" in notes["SE-000014"]
    unrepairable = quarantine_rows(run, "session_records")
    assert any(r["source_key"] == "SE-000004" and "package_id is empty" in r["reason"] for r in unrepairable)
    plan = build_plan(run.spec, ExportArchive(str(run.export)), twenty_destination(run.server))
    repaired = plan.section("links repaired")
    assert any(f["load"] == "session_records" and "package_id is empty" in f["detail"] for f in repaired)


def test_billing_records_land_on_the_opportunity(run):
    billing = [r for r in source_rows(run, "billing_records.csv").values() if r["package_id"] == "PK-000029"]
    assert len(billing) == 2  # paid in two instalments
    opportunity = record(run, "opportunities", "opportunities", "PK-000029")
    assert sorted(opportunity["invoiceId"].split(";")) == sorted(r["invoice_id"] for r in billing)
    paid = sum(Decimal(r["amount_paid"].replace("£", "").replace(",", "")) for r in billing)
    assert Decimal(opportunity["amountPaid"]["amountMicros"]) / 1_000_000 == paid
    assert opportunity["paymentStatus"] == billing[-1]["payment_status"].upper()


def test_engagement_notes_keep_their_time_and_author(run):
    source = source_rows(run, "engagement_notes.csv")["EN-000001"]
    note = record(run, "notes", "notes", "EN-000001")
    assert pd.Timestamp(note["createdAt"]) == london(source["created_at"])
    assert note["originalAuthorEmail"] == source["author_email"].strip().lower()
    target = record(run, "noteTargets", "note_people", "EN-000001")
    assert target["noteId"] == note["id"] and target["targetPersonId"] == record(run, "people", "people", source["client_id"])["id"]


def test_files_in_the_export_are_uploaded_and_the_others_kept_as_links(run):
    attachments = source_rows(run, "attachments.csv")
    uploaded = [k for k, r in attachments.items() if r["file_path"] and (run.export / r["file_path"]).exists()]
    stored = record(run, "attachments", "attachments", uploaded[0])
    assert run.server.file_bytes(stored["file"][0]["fileId"]) == (run.export / attachments[uploaded[0]]["file_path"]).read_bytes()
    recording = record(run, "notes", "file_links", "AT-000001")  # a video recording: only a link
    assert recording["fileUrl"]["primaryLinkUrl"] == attachments["AT-000001"]["external_url"]
    held = {r["source_key"]: r["reason"] for r in quarantine_rows(run, "file_links")}
    assert "external_url is empty" in held["AT-000002"]  # neither a file nor a link
    assert "AT-000009" in held  # the file is missing from the export and there is no link


def test_custom_fields_and_owners(run):
    clients, sessions = source_rows(run, "clients.csv"), source_rows(run, "sessions.csv")
    person = record(run, "people", "people", "CL-000001")
    assert person["referralSource"] == clients["CL-000001"]["referral_source"].upper().replace(" ", "_")
    task = record(run, "tasks", "tasks", "SE-000001")
    assert task["sessionType"] == sessions["SE-000001"]["session_type"].upper()
    assert task["assigneeId"] == run.server.member_id(OWNER)
    unmatched = record(run, "tasks", "tasks", "SE-000033")  # its coach is not in coaches.csv
    assert unmatched["assigneeId"] == run.server.member_id(OWNER)  # → the practice owner
    detail = next(r["detail"] for r in audit_rows(run, "tasks", "created") if r["source_key"] == "SE-000033")
    assert "assigned to the fallback member" in detail


def test_the_plan_lists_the_pairs_special_cases(run):
    plan = build_plan(run.spec, ExportArchive(str(run.export)), twenty_destination(run.server))
    titles = {entry["title"]: entry for entry in plan.review}
    assert titles["Recurring billing to set up again"]["rows"] == 2
    assert {item["attachment_id"] for item in titles["Files kept as links"]["items"]} >= {"AT-000001", "AT-000002"}
    assert "Recurring billing to set up again" in plan.inventory
    assert any(owner["email"].startswith("info@") and owner["records go to"] == OWNER for owner in plan.unmatched_owners)
    assert any(f["section"] == "value-map inputs with no mapping" and f["example"] == "On Hold" for f in plan.findings)
