"""The BackDocket export generator: reproducible, streaming, and carrying every dirty case.

The BackDocket mapping's tests and the committed sample rely on these exports, so the properties
they rely on are pinned here: same seed ⇒ same bytes, the returned counts are true, references
resolve except where a dirty case breaks them on purpose, each dirty case really occurs, and
memory does not grow with the export's size.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from migration_pipeline.generator.backdocket import generate_export
from migration_pipeline_tests import generator_checks as checks
from migration_pipeline_tests.generator_checks import Rows, at_least_two

CSV_FILES = {
    "users.csv", "firms.csv", "contacts.csv", "cases.csv", "case_status_history.csv", "intakes.csv",
    "documents.csv", "tasks.csv", "calendar_events.csv", "liens.csv", "insurance_policies.csv",
    "court_jurisdictions.csv", "invoices.csv", "notes.csv", "workflows.csv",
    "custom_field_definitions.csv",
}
STAFF_DOMAIN = "@callowaybrandt.example"
INTAKE_STATUSES = {"New Lead", "Contacted", "Consultation Scheduled", "Qualified", "Signed",
                   "Declined", "Referred Out"}
CASE_PATH = ["Open", "Investigation", "Pre-Litigation", "Litigation", "Settled", "Closed"]
BAD_EMAILS = {"maria@@gmail.com", "n/a", "jdoe@", "mike at yahoo dot com", "none"}
BAD_PHONES = {"call front desk", "12", "+1 312", "tbd"}
ISO_STAMP = re.compile(r"202[1-6]-\d\d-\d\dT\d\d:\d\d:00")
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
US_DAY = re.compile(r"\d\d/\d\d/20\d\d")
US_STAMP = re.compile(r"\d\d/\d\d/20\d\d \d{1,2}:\d\d [AP]M")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "backdocket"


def read_rows(export: Path, name: str) -> list[dict[str, str]]:
    """contacts.csv is Windows-1252 in a dirty export; every other file is UTF-8."""
    return checks.read_csv(export / name, "cp1252" if name == "contacts.csv" else "utf-8")


export, rows = checks.export_fixtures(generate_export, CSV_FILES, read_rows)


def ids(rows: Rows, name: str, column: str) -> set[str]:
    return {row[column] for row in rows[name]}


# --- shape ------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    checks.assert_same_seed_gives_identical_bytes(generate_export, tmp_path)


def test_the_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate_export(tmp_path, records=360, seed=2024, dirty_rate=0.06)
    assert checks.snapshot(tmp_path) == checks.snapshot(SAMPLE)


def test_returned_counts_match_the_files(export, rows) -> None:
    checks.assert_counts_match_the_files(export[1], rows, CSV_FILES)


def test_rows_are_split_as_requested(export) -> None:
    _, counts = export
    expected = {"firms.csv": 25, "contacts.csv": 90, "cases.csv": 40, "intakes.csv": 40,
                "documents.csv": 35, "tasks.csv": 60, "calendar_events.csv": 45, "liens.csv": 20,
                "insurance_policies.csv": 20, "invoices.csv": 25, "notes.csv": 90, "users.csv": 9,
                "court_jurisdictions.csv": 8, "workflows.csv": 6, "custom_field_definitions.csv": 5}
    assert {name: counts[name] for name in expected} == expected
    assert 40 <= counts["case_status_history.csv"] <= 240


def test_keys_are_unique_and_well_formed(rows) -> None:
    keys = {"users.csv": ("user_id", r"U-\d{3}"), "firms.csv": ("firm_id", r"F-\d{5}"),
            "contacts.csv": ("contact_id", r"CT-\d{6}"), "cases.csv": ("case_id", r"CA-\d{5}"),
            "case_status_history.csv": ("history_id", r"CSH-\d{6}"), "intakes.csv": ("intake_id", r"IN-\d{6}"),
            "documents.csv": ("document_id", r"DOC-\d{6}"), "tasks.csv": ("task_id", r"TSK-\d{6}"),
            "calendar_events.csv": ("event_id", r"EV-\d{6}"), "liens.csv": ("lien_id", r"LN-\d{6}"),
            "insurance_policies.csv": ("policy_id", r"POL-\d{6}"),
            "court_jurisdictions.csv": ("jurisdiction_id", r"J-\d{3}"),
            "invoices.csv": ("invoice_id", r"INV-\d{6}"), "notes.csv": ("note_id", r"N-\d{6}"),
            "workflows.csv": ("workflow_id", r"WF-\d{2}")}
    checks.assert_keys_are_unique_and_well_formed(rows, keys)
    for name, column in (("cases.csv", "case_number"), ("invoices.csv", "invoice_number"),
                         ("firms.csv", "name"), ("firms.csv", "domain"), ("users.csv", "email")):
        values = [row[column] for row in rows[name]]
        assert len(set(values)) == len(values), (name, column)
    assert all(re.fullmatch(r"20\d\d-(PI|MM|WC)-\d{4}", row["case_number"]) for row in rows["cases.csv"])


def test_timestamps_are_iso_and_never_updated_before_created(rows) -> None:
    created = {"firms.csv": "created_at", "contacts.csv": "created_at", "cases.csv": "created_at",
               "intakes.csv": "created_at", "tasks.csv": "created_at", "calendar_events.csv": "created_at",
               "notes.csv": "created_at", "documents.csv": "uploaded_at"}
    checks.assert_never_changed_before_created(rows, created, "updated_at", ISO_STAMP)
    for name in ("liens.csv", "insurance_policies.csv", "invoices.csv", "court_jurisdictions.csv"):
        assert all(ISO_STAMP.fullmatch(row["updated_at"]) for row in rows[name]), name
    for row in rows["calendar_events.csv"]:
        if ISO_STAMP.fullmatch(row["starts_at"]):
            assert row["ends_at"] >= row["starts_at"], row
    for row in rows["tasks.csv"]:
        assert (row["status"] == "completed") == bool(row["completed_at"]), row
        assert not row["completed_at"] or row["created_at"] < row["completed_at"] <= row["updated_at"], row


def test_case_histories_climb_to_the_current_status(rows) -> None:
    history: dict[str, list[dict[str, str]]] = {}
    for row in rows["case_status_history.csv"]:
        history.setdefault(row["case_id"], []).append(row)
    for case in rows["cases.csv"]:
        steps = history[case["case_id"]]
        times = [step["changed_at"] for step in steps]
        statuses = [step["status"] for step in steps]
        assert times == sorted(set(times)) and times[0] == case["created_at"]
        assert statuses[0] == "Open" and statuses[-1] == case["case_status"]
        assert [CASE_PATH.index(status) for status in statuses] == sorted(CASE_PATH.index(s) for s in statuses)
        assert bool(case["closed_on"]) == (case["case_status"] == "Closed")
        if "Litigation" in statuses:
            assert case["court_jurisdiction_id"], case
        if case["court_jurisdiction_id"] and case["case_type"] == "Workers Compensation":
            assert case["court_jurisdiction_id"] == "J-006", case  # the Workers' Compensation Commission
        assert case["statute_of_limitations"] > case["opened_on"] == case["created_at"][:10]
    assert len({case["case_status"] for case in rows["cases.csv"]}) >= 4


def test_most_clients_have_one_case_some_two(rows) -> None:
    per_client = Counter(case["contact_id"] for case in rows["cases.csv"])
    assert max(per_client.values()) == 2
    assert 0 < sum(1 for n in per_client.values() if n == 2) < 0.3 * len(per_client)


def test_vocabularies(rows) -> None:
    vocabularies = {
        ("users.csv", "role"): {"attorney", "paralegal", "intake_specialist", "admin"},
        ("firms.csv", "firm_type"): {"co_counsel", "referring_firm", "insurance_carrier", "medical_provider"},
        ("contacts.csv", "contact_type"): {"client", "witness", "adjuster", "provider", "opposing_counsel"},
        ("cases.csv", "case_type"): {"Auto Accident", "Slip and Fall", "Medical Malpractice",
                                     "Workers Compensation", "Product Liability"},
        ("cases.csv", "case_status"): set(CASE_PATH),
        ("intakes.csv", "claim_type"): {"Bodily Injury", "Property Damage", "Wrongful Death", "Workers Comp"},
        ("intakes.csv", "referring_source"): {"Google Ads", "Referral", "Billboard", "TV", "Past Client",
                                              "Attorney Referral"},
        ("tasks.csv", "status"): {"open", "completed"},
        ("calendar_events.csv", "event_type"): {"court_date", "hearing", "deposition", "mediation",
                                                "consultation", "deadline"},
        ("liens.csv", "lien_type"): {"medical", "medicare", "medicaid", "hospital", "attorney"},
        ("liens.csv", "status"): {"pending", "negotiating", "resolved"},
        ("insurance_policies.csv", "coverage_type"): {"bodily_injury", "pip", "um_uim", "property_damage"},
        ("court_jurisdictions.csv", "court_type"): {"state", "federal"},
        ("invoices.csv", "status"): {"draft", "sent", "paid", "overdue", "written_off"},
        ("workflows.csv", "enabled"): {"yes", "no"},
        ("users.csv", "active"): {"yes", "no"},
    }
    for (name, column), allowed in vocabularies.items():
        assert {row[column] for row in rows[name]} <= allowed, (name, column)
    amounts = [row["amount"] for row in rows["liens.csv"] + rows["invoices.csv"]]
    assert all(re.fullmatch(r"\d+\.\d\d|\$\d{1,3}(,\d{3})*\.\d\d", amount) for amount in amounts)
    assert any(amount.startswith("$") for amount in amounts) and any(amount[0].isdigit() for amount in amounts)


def test_custom_fields_are_declared_and_filled(rows) -> None:
    declared = {(row["object"], row["column"]): row for row in rows["custom_field_definitions.csv"]}
    assert {("firm", "bar_registration"), ("firm", "fee_split_percent"), ("contact", "preferred_language"),
            ("contact", "marketing_consent"), ("contact", "injury_types")} == set(declared)
    for obj, file in (("firm", "firms.csv"), ("contact", "contacts.csv")):
        assert {column for kind, column in declared if kind == obj} <= set(rows[file][0])
    injuries = set(declared[("contact", "injury_types")]["options"].split(";"))
    languages = set(declared[("contact", "preferred_language")]["options"].split(";"))
    clients = [c for c in rows["contacts.csv"] if c["contact_type"] == "client"]
    assert all(set(c["injury_types"].split(";")) <= injuries for c in clients if c["injury_types"])
    assert {c["preferred_language"] for c in clients} <= languages
    assert {c["marketing_consent"] for c in clients} == {"yes", "no"}
    law_firms = [f for f in rows["firms.csv"] if f["firm_type"] in ("referring_firm", "co_counsel")]
    assert law_firms and all(float(f["fee_split_percent"]) for f in law_firms)
    assert all(not f["fee_split_percent"] for f in rows["firms.csv"] if f not in law_firms)


def test_workflow_steps_are_json_arrays(rows) -> None:
    for workflow in rows["workflows.csv"]:
        steps = json.loads(workflow["steps"])
        assert isinstance(steps, list) and all("action" in step for step in steps)


def test_recurring_and_completed_tasks(rows) -> None:
    tasks = rows["tasks.csv"]
    recurring = [t for t in tasks if t["recurrence_rule"]]
    assert 0 < len(recurring) < 0.25 * len(tasks)
    assert all(re.fullmatch(r"FREQ=(WEEKLY|MONTHLY)(;[A-Z]+=[A-Z0-9,]+)+", t["recurrence_rule"]) for t in recurring)
    assert {t["status"] for t in tasks} == {"open", "completed"}


def test_court_events_have_a_court_and_a_place(rows) -> None:
    courts = ids(rows, "court_jurisdictions.csv", "jurisdiction_id")
    in_court = [e for e in rows["calendar_events.csv"] if e["event_type"] in ("court_date", "hearing")]
    assert in_court and all(e["court_jurisdiction_id"] in courts and e["location"] for e in in_court)
    assert all(not e["court_jurisdiction_id"] for e in rows["calendar_events.csv"] if e not in in_court)
    venue = {case["case_id"]: case["court_jurisdiction_id"] for case in rows["cases.csv"]}
    assert all(e["court_jurisdiction_id"] == venue[e["case_id"]] for e in in_court)


def test_quoted_newlines_and_html_in_notes(rows) -> None:
    bodies = [row["body"] for row in rows["notes.csv"]]
    assert any("\n" in body for body in bodies)
    assert any("<ul><li>" in body for body in bodies) and any("<b>" in body for body in bodies)
    assert any(not body.startswith("<p>") for body in bodies)
    assert any("\n" in row["description"] for row in rows["tasks.csv"])


# --- references -------------------------------------------------------------------------------


def test_references_resolve_except_the_dirty_ones(rows) -> None:
    contacts, cases = ids(rows, "contacts.csv", "contact_id"), ids(rows, "cases.csv", "case_id")
    firms = {row["firm_id"]: row["firm_type"] for row in rows["firms.csv"]}
    clients = {c["contact_id"] for c in rows["contacts.csv"] if c["contact_type"] == "client"}
    assert all(intake["contact_id"] in clients for intake in rows["intakes.csv"])
    referrers = [i["referring_firm_id"] for i in rows["intakes.csv"] if i["referring_firm_id"]]
    assert referrers and all(firms[firm] == "referring_firm" for firm in referrers)
    expected_employer = {"adjuster": {"insurance_carrier"}, "provider": {"medical_provider"},
                         "opposing_counsel": {"insurance_carrier"}}
    for contact in rows["contacts.csv"]:
        if contact["firm_id"] in firms:
            assert firms[contact["firm_id"]] in expected_employer[contact["contact_type"]], contact
    # Records hang off clients; only the dirty ones point at a contact that does not exist (or,
    # for notes, at none). Every case id resolves.
    may_dangle = {"cases.csv", "liens.csv", "insurance_policies.csv", "notes.csv"}
    for name in ("cases.csv", "documents.csv", "tasks.csv", "calendar_events.csv", "liens.csv",
                 "insurance_policies.csv", "invoices.csv", "notes.csv"):
        for row in rows[name]:
            assert row["contact_id"] in clients or (name in may_dangle and row["contact_id"] not in contacts), row
    for name in ("documents.csv", "tasks.csv", "calendar_events.csv", "liens.csv",
                 "insurance_policies.csv", "invoices.csv", "notes.csv"):
        assert all(row["case_id"] in cases for row in rows[name] if row["case_id"]), name
    assert all(row["case_id"] in cases for row in rows["case_status_history.csv"])
    carriers = {row["name"] for row in rows["firms.csv"] if row["firm_type"] == "insurance_carrier"}
    assert {policy["carrier"] for policy in rows["insurance_policies.csv"]} <= carriers
    attorneys = {u["email"] for u in rows["users.csv"] if u["role"] == "attorney"}
    staff = ids(rows, "users.csv", "email")
    assert all(case["assigned_attorney_email"] in attorneys for case in rows["cases.csv"]
               if case["assigned_attorney_email"] in staff)
    assert all(row["changed_by_email"] in staff for row in rows["case_status_history.csv"])
    assert all(row["author_email"] in staff for row in rows["notes.csv"])


def test_contact_emails_are_unique_apart_from_the_dirty_ones(rows) -> None:
    emails = Counter(c["email"].strip().lower() for c in rows["contacts.csv"] if c["email"] not in BAD_EMAILS)
    retyped = sum(1 for c in rows["contacts.csv"] if c["email"] != c["email"].strip().lower())
    assert sum(n - 1 for n in emails.values()) == retyped


# --- dirty cases ------------------------------------------------------------------------------


def test_duplicate_contacts_differ_only_in_case_and_spaces(rows) -> None:
    at_least_two(checks.retyped_duplicates(rows["contacts.csv"]))


def test_bad_emails_and_phones(rows) -> None:
    at_least_two([c for c in rows["contacts.csv"] if c["email"] in BAD_EMAILS])
    at_least_two([c for c in rows["contacts.csv"] if c["phone"] in BAD_PHONES])
    normal = [c["mobile"] for c in rows["contacts.csv"] if c["mobile"] and c["mobile"] not in BAD_PHONES]
    assert all("555-01" in phone or "555 01" in phone or "555.01" in phone for phone in normal)


def test_contacts_with_only_an_email(rows) -> None:
    at_least_two([c for c in rows["contacts.csv"] if not (c["first_name"] or c["last_name"]) and c["email"]])


def test_contacts_whose_firm_is_missing(rows) -> None:
    firms = ids(rows, "firms.csv", "firm_id")
    at_least_two([c for c in rows["contacts.csv"] if c["firm_id"] and c["firm_id"] not in firms])


def test_notes_without_a_parent_or_with_a_missing_one(rows) -> None:
    contacts = ids(rows, "contacts.csv", "contact_id")
    at_least_two([n for n in rows["notes.csv"] if not n["contact_id"]])
    at_least_two([n for n in rows["notes.csv"] if n["contact_id"] and n["contact_id"] not in contacts])


def test_cases_liens_and_policies_whose_contact_is_missing(rows) -> None:
    contacts = ids(rows, "contacts.csv", "contact_id")
    for name in ("cases.csv", "liens.csv", "insurance_policies.csv"):
        at_least_two([row for row in rows[name] if row["contact_id"] not in contacts])


def test_intake_status_outside_the_firms_list(rows) -> None:
    odd = [i for i in rows["intakes.csv"] if i["intake_status"] not in INTAKE_STATUSES]
    at_least_two(odd)
    assert {i["intake_status"] for i in odd} == {"Pending Docs"}


def test_owners_who_are_not_users(rows) -> None:
    staff = ids(rows, "users.csv", "email")
    assert all(email.endswith(STAFF_DOMAIN) for email in staff)
    for name, column in (("contacts.csv", "owner_email"), ("cases.csv", "assigned_attorney_email"),
                         ("tasks.csv", "assignee_email")):
        strangers = [row[column] for row in rows[name] if row[column] not in staff]
        at_least_two(strangers)
        assert all(email.endswith(STAFF_DOMAIN) for email in strangers)


def test_us_month_first_dates(rows) -> None:
    for name, column, pattern, layout in (("intakes.csv", "intake_date", US_DAY, "%m/%d/%Y"),
                                          ("tasks.csv", "due_on", US_DAY, "%m/%d/%Y"),
                                          ("calendar_events.csv", "starts_at", US_STAMP, "%m/%d/%Y %I:%M %p")):
        us = [row[column] for row in rows[name] if pattern.fullmatch(row[column])]
        at_least_two(us)
        for value in us:
            datetime.strptime(value, layout)
        others = [row[column] for row in rows[name] if not pattern.fullmatch(row[column])]
        assert all((ISO_STAMP if name == "calendar_events.csv" else ISO_DAY).fullmatch(v) for v in others)


def test_contacts_file_is_windows_1252(export, rows) -> None:
    out, _ = export
    raw = (out / "contacts.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    accented = [c for c in rows["contacts.csv"] if not (c["first_name"] + c["last_name"]).isascii()]
    at_least_two(accented)
    assert any(re.search("[éèëíóúñüáÁ’]", c["first_name"] + c["last_name"]) for c in accented)
    for name in CSV_FILES - {"contacts.csv"}:
        (out / name).read_bytes().decode("utf-8")


def test_document_files_are_written_except_the_missing_ones(export, rows) -> None:
    out, _ = export
    magic = {"pdf": b"%PDF-", "jpg": b"\xff\xd8\xff", "png": b"\x89PNG", "docx": b"PK\x03\x04",
             "msg": b"\xd0\xcf\x11\xe0", "txt": b"Placeholder"}
    present, missing = [], []
    for doc in rows["documents.csv"]:
        assert doc["file_path"] == f"files/{doc['document_id']}_{doc['file_name']}"
        path = out / doc["file_path"]
        (present if path.exists() else missing).append(doc)
        if path.exists():
            content = path.read_bytes()
            assert len(content) == int(doc["size_bytes"]) and 150 <= len(content) <= 600
            assert content.startswith(magic[doc["file_name"].rsplit(".", 1)[1]])
    at_least_two(missing)
    assert len(present) > len(missing)
    assert len(list((out / "files").iterdir())) == len(present)


def test_without_files_nothing_is_written_under_files(tmp_path: Path) -> None:
    checks.assert_no_files_folder_without_files(generate_export, tmp_path)


def test_no_dirt_at_rate_zero(tmp_path: Path) -> None:
    counts = generate_export(tmp_path, records=500, dirty_rate=0)
    for name in CSV_FILES:
        (tmp_path / name).read_bytes().decode("utf-8")
    found = checks.read_export(tmp_path, CSV_FILES, read_rows)
    contacts, firms = ids(found, "contacts.csv", "contact_id"), ids(found, "firms.csv", "firm_id")
    staff = ids(found, "users.csv", "email")
    for contact in found["contacts.csv"]:
        assert contact["email"] == contact["email"].strip().lower() and contact["email"] not in BAD_EMAILS
        assert contact["first_name"] and contact["last_name"] and contact["phone"] not in BAD_PHONES
        assert contact["owner_email"] in staff and (not contact["firm_id"] or contact["firm_id"] in firms)
    for name in ("cases.csv", "liens.csv", "insurance_policies.csv", "notes.csv"):
        assert all(row["contact_id"] in contacts for row in found[name]), name
    assert all(i["intake_status"] in INTAKE_STATUSES and ISO_DAY.fullmatch(i["intake_date"])
               for i in found["intakes.csv"])
    assert all(ISO_DAY.fullmatch(t["due_on"]) and t["assignee_email"] in staff for t in found["tasks.csv"])
    assert all(ISO_STAMP.fullmatch(e["starts_at"]) for e in found["calendar_events.csv"])
    assert all(c["assigned_attorney_email"] in staff for c in found["cases.csv"])
    assert len(list((tmp_path / "files").iterdir())) == counts["documents.csv"]


# --- streaming ----------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    checks.assert_memory_does_not_grow("migration_pipeline.generator.backdocket", tmp_path)
