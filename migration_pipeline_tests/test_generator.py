"""The Perfect Portal export generator: reproducible, streaming, and carrying every dirty case.

The pipeline's tests and benchmarks rely on these exports, so the properties they rely on are
pinned here: same seed ⇒ same bytes, the returned counts are true, each dirty case really occurs,
and memory does not grow with the export's size.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from migration_pipeline.generator.perfect_portal import generate_export
from migration_pipeline_tests import generator_checks as checks
from migration_pipeline_tests.generator_checks import at_least_two

CSV_FILES = {
    "clients.csv", "contacts.csv", "matters.csv", "matter_stage_history.csv", "activities.csv",
    "tasks.csv", "documents.csv", "users.csv", "third_party_access.csv", "portal_access.csv",
    "sms_log.csv", "automation_rules.csv", "custom_field_definitions.csv",
}
# Each file's key column and the form every key takes.
KEYS = {"clients.csv": ("client_id", r"C-\d{6}"), "contacts.csv": ("contact_id", r"P-\d{6}"),
        "matters.csv": ("matter_id", r"M-\d{6}"), "matter_stage_history.csv": ("history_id", r"H-\d{6}"),
        "activities.csv": ("activity_id", r"A-\d{6}"), "tasks.csv": ("task_id", r"T-\d{6}"),
        "documents.csv": ("document_id", r"D-\d{6}"), "users.csv": ("user_id", r"U-\d{6}"),
        "third_party_access.csv": ("party_id", r"TP-\d{6}"), "portal_access.csv": ("portal_user_id", r"PU-\d{6}"),
        "sms_log.csv": ("sms_id", r"S-\d{6}"), "automation_rules.csv": ("rule_id", r"R-\d{6}")}
ODD_STAGES = {"Settlement Pending", "On Hold - Client"}


def read_rows(export: Path, name: str) -> list[dict[str, str]]:
    """clients.csv is cp1252 with ';'; contacts.csv keeps its stray cp1252 bytes as surrogates."""
    encoding, delimiter = ("cp1252", ";") if name == "clients.csv" else ("utf-8-sig", ",")
    return checks.read_csv(export / name, encoding, delimiter, errors="surrogateescape")


export, rows = checks.export_fixtures(generate_export, CSV_FILES, read_rows)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    checks.assert_same_seed_gives_identical_bytes(generate_export, tmp_path)


def test_returned_counts_match_the_files(export, rows) -> None:
    checks.assert_counts_match_the_files(export[1], rows, CSV_FILES)


def test_rows_are_split_as_requested(export) -> None:
    _, counts = export
    assert counts["clients.csv"] == 30 and counts["contacts.csv"] == 80 and counts["matters.csv"] == 50
    assert counts["activities.csv"] == 150 and counts["tasks.csv"] == 50
    assert counts["users.csv"] == 5 and 6 <= counts["automation_rules.csv"] <= 12
    assert 50 <= counts["matter_stage_history.csv"] <= 150


def test_keys_are_unique_and_well_formed(rows) -> None:
    checks.assert_keys_are_unique_and_well_formed(rows, KEYS)


def test_timestamps_are_iso_and_never_modified_before_created(rows) -> None:
    created = {"clients.csv": "created_at", "contacts.csv": "created_at", "matters.csv": "created_at",
               "activities.csv": "occurred_at", "tasks.csv": "created_at", "documents.csv": "uploaded_at",
               "third_party_access.csv": "granted_at"}
    stamp = re.compile(r"202[1-6]-\d\d-\d\dT\d\d:\d\d:00")
    checks.assert_never_changed_before_created(rows, created, "modified_at", stamp)


def test_stage_histories_climb_to_the_current_stage(rows) -> None:
    history: dict[str, list[dict[str, str]]] = {}
    for row in rows["matter_stage_history.csv"]:
        history.setdefault(row["matter_id"], []).append(row)
    complete = 0
    for matter in rows["matters.csv"]:
        steps = history.get(matter["matter_id"], [])
        times = [step["entered_at"] for step in steps]
        assert times == sorted(set(times))
        assert not steps or steps[0]["stage"] == "Intake"
        if steps and steps[-1]["stage"] == matter["stage"]:
            complete += 1
    assert complete > 0.8 * len(rows["matters.csv"])


def test_custom_fields_are_declared_and_filled(rows) -> None:
    declared = {(row["object"], row["column"]) for row in rows["custom_field_definitions.csv"]}
    assert len(declared) == 8
    for obj, file in (("matter", "matters.csv"), ("contact", "contacts.csv")):
        columns = {column for kind, column in declared if kind == obj}
        assert columns <= set(rows[file][0])
    purchases = [m for m in rows["matters.csv"] if m["matter_type"] == "Conveyancing - Purchase"]
    assert purchases and all(m["property_address"] and m["purchase_price"].isdigit() for m in purchases)
    areas = {area for m in rows["matters.csv"] for area in m["practice_areas"].split(";")}
    assert areas <= {"Conveyancing", "Litigation", "Wills & Estates", "Family", "Commercial"}
    assert {c["billing_flag"] for c in rows["contacts.csv"]} == {"yes", "no"}


def test_quoted_newlines_in_bodies_and_descriptions(rows) -> None:
    assert any("\n" in row["body"] for row in rows["activities.csv"])
    assert any("\n" in row["description"] for row in rows["tasks.csv"])


def test_about_a_third_of_emails_are_html(rows) -> None:
    """Leaving aside the dirty ones with inline images, which are always HTML."""
    emails = [row["body"] for row in rows["activities.csv"]
              if row["activity_type"] == "email" and "data:image" not in row["body"]]
    html = [body for body in emails if body.startswith("<p>")]
    assert 0.2 < len(html) / len(emails) < 0.5
    assert any("<ul><li>" in body for body in html) and any("<a href=" in body for body in html)


# --- dirty cases ------------------------------------------------------------------------------


def test_duplicate_contacts_differ_only_in_case_and_spaces(rows) -> None:
    at_least_two(checks.retyped_duplicates(rows["contacts.csv"]))


def test_matters_without_a_client_or_with_a_missing_one(rows) -> None:
    clients = {row["client_id"] for row in rows["clients.csv"]}
    at_least_two([m for m in rows["matters.csv"] if not m["client_id"]])
    at_least_two([m for m in rows["matters.csv"] if m["client_id"] and m["client_id"] not in clients])


def test_incomplete_stage_histories(rows) -> None:
    last_stage = {row["matter_id"]: row["stage"] for row in rows["matter_stage_history.csv"]}
    at_least_two([m for m in rows["matters.csv"]
                  if m["matter_id"] in last_stage and last_stage[m["matter_id"]] != m["stage"]])


def test_stage_names_outside_the_firms_list(rows) -> None:
    at_least_two([m for m in rows["matters.csv"] if m["stage"] in ODD_STAGES])


def test_owners_who_are_not_users(rows) -> None:
    staff = {row["email"] for row in rows["users.csv"]}
    assert all(email.endswith("@harbourlaw.example") for email in staff)
    for name, column in (("clients.csv", "owner_email"), ("matters.csv", "owner_email"),
                         ("tasks.csv", "assignee_email")):
        at_least_two([row for row in rows[name] if row[column] not in staff])


def test_people_without_a_full_name(rows) -> None:
    contacts = rows["contacts.csv"]
    at_least_two([c for c in contacts if not (c["first_name"] or c["last_name"] or c["full_name"]) and c["email"]])
    at_least_two([c for c in contacts if not (c["first_name"] or c["last_name"]) and c["full_name"]])


def test_bad_emails_and_phones(rows) -> None:
    bad_emails = {"john@@example.com", "n/a", "jane.doe@", "bob at example dot com"}
    at_least_two([c for c in rows["contacts.csv"] if c["email"] in bad_emails])
    at_least_two([c for c in rows["contacts.csv"] if c["phone"] in {"call reception", "12", "+99 123"}])


def test_normal_phones_come_in_mixed_formats(rows) -> None:
    phones = [c["phone"] for c in rows["contacts.csv"]] + [c["mobile"] for c in rows["contacts.csv"]]
    patterns = (r"\+61 \d \d{4} \d{4}", r"\(0\d\) \d{4} \d{4}", r"04\d\d \d{3} \d{3}", r"\+61 4\d\d \d{3} \d{3}")
    for pattern in patterns:
        assert any(re.fullmatch(pattern, phone) for phone in phones), pattern


def test_stray_cp1252_bytes_in_contacts_and_awkward_encodings(export) -> None:
    out, _ = export
    raw = (out / "contacts.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    stray = raw.decode("utf-8", "surrogateescape")
    pasted = re.findall(r"[^,\r\n]*[\udc80-\udcff][^,\r\n]*", stray)
    at_least_two(pasted)
    decoded = [cell.encode("utf-8", "surrogateescape").decode("cp1252") for cell in pasted]
    assert all(re.search("[éüñ’ëèçöóáíø]", cell) for cell in decoded), decoded
    clients = (out / "clients.csv").read_bytes()
    assert clients.decode("cp1252").startswith("Client ID;Client Name;")
    assert (out / "matters.csv").read_bytes().startswith(b"\xef\xbb\xbfmatter_id,")


def test_inline_images_are_real_pngs(rows) -> None:
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"',
                        "".join(row["body"] for row in rows["activities.csv"]))
    at_least_two(images)
    assert base64.b64decode(images[0]).startswith(b"\x89PNG\r\n\x1a\n")


def test_document_files_are_written_except_the_missing_ones(export, rows) -> None:
    out, _ = export
    present, missing = [], []
    for doc in rows["documents.csv"]:
        path = out / doc["file_path"]
        (present if path.exists() else missing).append(doc)
        if path.exists():
            assert path.stat().st_size == int(doc["size_bytes"])
            assert 100 <= path.stat().st_size <= 2000
    at_least_two(missing)
    assert len(present) > len(missing)


def test_without_files_nothing_is_written_under_files(tmp_path: Path) -> None:
    checks.assert_no_files_folder_without_files(generate_export, tmp_path)


def test_no_dirt_at_rate_zero(tmp_path: Path) -> None:
    generate_export(tmp_path, records=500, dirty_rate=0)
    assert not any(m["stage"] in ODD_STAGES or not m["client_id"] for m in read_rows(tmp_path, "matters.csv"))
    (tmp_path / "contacts.csv").read_bytes().decode("utf-8")


# --- streaming ----------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    checks.assert_memory_does_not_grow("migration_pipeline.generator.perfect_portal", tmp_path)
