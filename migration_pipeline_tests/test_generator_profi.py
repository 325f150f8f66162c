"""The Profi export generator: reproducible, streaming, consistent, and carrying every dirty case.

The pipeline's tests, benchmarks and the committed sample rely on these exports, so the
properties they rely on are pinned here: same seed ⇒ same bytes, the returned counts are true,
cross-references resolve except where a dirty case breaks them on purpose, each dirty case really
occurs, and memory does not grow with the export's size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from migration_pipeline.generator.profi import generate_export
from migration_pipeline_tests import generator_checks as checks
from migration_pipeline_tests.generator_checks import at_least_two

CSV_FILES = {
    "coaches.csv", "clients.csv", "packages.csv", "sessions.csv", "package_sessions.csv",
    "billing_records.csv", "engagement_notes.csv", "attachments.csv", "automations.csv",
    "custom_field_definitions.csv",
}
PACKAGE_STATUSES = {"Active", "Completed", "Paused", "Cancelled", "Expired"}
PAST_STATUSES = {"completed", "no_show", "cancelled"}
FUTURE_STATUSES = {"scheduled", "upcoming"}
BAD_EMAILS = {"jo@@mail.com", "n/a", "sarah.jones@", "tom at gmail dot com", "none"}
BAD_PHONES = {"ask reception", "12", "+44 123", "tbc"}
ISO_STAMP = re.compile(r"20(2[1-6])-\d\d-\d\dT\d\d:\d\d:00")
EXPORTED_ON = "2026-11-01"


def read_rows(export: Path, name: str) -> list[dict[str, str]]:
    """clients.csv of a dirty export is cp1252; everything else is UTF-8."""
    try:
        (export / name).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return checks.read_csv(export / name, "cp1252")
    return checks.read_csv(export / name)


def starts(cell: str) -> datetime:
    """A session start, ISO or UK day-first text."""
    if "/" in cell:
        return datetime.strptime(cell, "%d/%m/%Y %H:%M")
    return datetime.fromisoformat(cell)


export, rows = checks.export_fixtures(generate_export, CSV_FILES, read_rows)


@pytest.fixture(scope="module")
def ids(rows) -> dict[str, set[str]]:
    return {"clients": {row["client_id"] for row in rows["clients.csv"]},
            "packages": {row["package_id"] for row in rows["packages.csv"]},
            "sessions": {row["session_id"] for row in rows["sessions.csv"]},
            "coaches": {row["email"] for row in rows["coaches.csv"]}}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    checks.assert_same_seed_gives_identical_bytes(generate_export, tmp_path)


def test_returned_counts_match_the_files(export, rows) -> None:
    checks.assert_counts_match_the_files(export[1], rows, CSV_FILES)


def test_rows_are_split_as_requested(export, rows) -> None:
    _, counts = export
    assert counts["clients.csv"] == 60 and counts["packages.csv"] == 45
    assert counts["sessions.csv"] == 190 and counts["engagement_notes.csv"] == 90
    assert counts["coaches.csv"] == 8 and 6 <= counts["automations.csv"] <= 8
    assert counts["custom_field_definitions.csv"] == 7
    assert 45 <= counts["billing_records.csv"] <= 70 and 20 <= counts["attachments.csv"] <= 60
    package_sessions = [s for s in rows["sessions.csv"] if s["session_kind"] == "package"]
    assert 0.6 < len(package_sessions) / counts["sessions.csv"] < 0.9


def test_keys_are_unique_and_well_formed(rows) -> None:
    keys = {"coaches.csv": ("coach_id", r"CO-\d{6}"), "clients.csv": ("client_id", r"CL-\d{6}"),
            "packages.csv": ("package_id", r"PK-\d{6}"), "sessions.csv": ("session_id", r"SE-\d{6}"),
            "billing_records.csv": ("billing_id", r"BL-\d{6}"),
            "engagement_notes.csv": ("note_id", r"EN-\d{6}"),
            "attachments.csv": ("attachment_id", r"AT-\d{6}"),
            "automations.csv": ("automation_id", r"AU-\d{6}")}
    checks.assert_keys_are_unique_and_well_formed(rows, keys)
    listed = [row["session_id"] for row in rows["package_sessions.csv"]]
    assert len(set(listed)) == len(listed)
    invoices = [row["invoice_id"] for row in rows["billing_records.csv"]]
    assert len(set(invoices)) == len(invoices)
    assert all(re.fullmatch(r"INV-202[1-6]-\d{4}", invoice) for invoice in invoices)


def test_timestamps_are_iso_before_the_export_and_never_modified_before_created(rows) -> None:
    pairs = {"clients.csv": "created_at", "packages.csv": "created_at", "sessions.csv": "created_at",
             "engagement_notes.csv": "created_at", "attachments.csv": "uploaded_at"}
    for name, created in pairs.items():
        for row in rows[name]:
            assert ISO_STAMP.fullmatch(row[created]) and ISO_STAMP.fullmatch(row["modified_at"]), row
            assert row[created] <= row["modified_at"] < EXPORTED_ON, row
    for bill in rows["billing_records.csv"]:
        assert ISO_STAMP.fullmatch(bill["modified_at"]) and bill["issued_on"] < EXPORTED_ON
        assert bill["paid_on"] == "" or bill["issued_on"] <= bill["paid_on"] < EXPORTED_ON


def test_sessions_happened_before_the_export_or_are_booked_after_it(rows) -> None:
    for session in rows["sessions.csv"]:
        when = starts(session["starts_at"])
        if session["status"] in PAST_STATUSES:
            assert when < datetime(2026, 11, 1), session
        else:
            assert session["status"] in FUTURE_STATUSES, session
            assert datetime(2026, 11, 1) <= when < datetime(2027, 4, 1), session
    statuses = Counter(s["status"] for s in rows["sessions.csv"])
    assert set(statuses) == PAST_STATUSES | FUTURE_STATUSES
    assert statuses["completed"] > len(rows["sessions.csv"]) / 2


def test_package_sessions_list_every_session_of_their_package_in_order(rows, ids) -> None:
    sessions = {s["session_id"]: s for s in rows["sessions.csv"]}
    packages = {p["package_id"]: p for p in rows["packages.csv"]}
    package_of = {link["session_id"]: link["package_id"] for link in rows["package_sessions.csv"]}
    listed: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for link in rows["package_sessions.csv"]:
        assert link["package_id"] in ids["packages"] and link["session_id"] in ids["sessions"]
        session = sessions[link["session_id"]]
        assert session["session_kind"] == "package"
        assert session["client_id"] == packages[link["package_id"]]["client_id"]
        listed[link["package_id"]].append((int(link["position"]), link["session_id"]))
    # Every package has sessions: one is missing here only if its sessions were all left unlisted.
    unlisted_clients = {s["client_id"] for s in rows["sessions.csv"] if s["session_kind"] == "package"
                        and not s["package_id"] and s["session_id"] not in package_of}
    assert {packages[p]["client_id"] for p in ids["packages"] - set(listed)} <= unlisted_clients
    for package_id, entries in listed.items():
        assert [position for position, _ in entries] == list(range(1, len(entries) + 1))
        times = [starts(sessions[session_id]["starts_at"]) for _, session_id in entries]
        assert times == sorted(times), package_id
    for session in rows["sessions.csv"]:
        if session["package_id"] in ids["packages"]:
            assert package_of[session["session_id"]] == session["package_id"]
        if session["session_kind"] == "one_off":
            assert session["package_id"] == "" and session["session_id"] not in package_of


def test_cross_references_resolve(rows, ids) -> None:
    for name in ("packages.csv", "sessions.csv", "billing_records.csv", "attachments.csv"):
        assert {row["client_id"] for row in rows[name]} <= ids["clients"], name
    attached = {a["session_id"] for a in rows["attachments.csv"] if a["session_id"]}
    assert attached <= ids["sessions"]
    sessions = {s["session_id"]: s for s in rows["sessions.csv"]}
    for attachment in rows["attachments.csv"]:
        if attachment["session_id"]:
            assert sessions[attachment["session_id"]]["client_id"] == attachment["client_id"]
            assert sessions[attachment["session_id"]]["status"] == "completed"
    staff = {a["uploaded_by_email"] for a in rows["attachments.csv"]}
    staff |= {n["author_email"] for n in rows["engagement_notes.csv"]}
    assert staff <= ids["coaches"]


def test_vocabularies(rows) -> None:
    assert {c["role"] for c in rows["coaches.csv"]} == {"owner", "coach", "assistant"}
    assert {p["status"] for p in rows["packages.csv"]} - {"On Hold"} == PACKAGE_STATUSES
    assert {s["session_kind"] for s in rows["sessions.csv"]} == {"package", "one_off"}
    assert {p["currency"] for p in rows["packages.csv"] + rows["billing_records.csv"]} == {"GBP"}
    assert {b["payment_status"] for b in rows["billing_records.csv"]} <= {
        "paid", "partially_paid", "unpaid", "refunded", "void"}
    assert {(b["recurring"], b["billing_interval"]) for b in rows["billing_records.csv"]} <= {
        ("yes", "monthly"), ("no", "none")}
    assert {n["note_type"] for n in rows["engagement_notes.csv"]} == {"message", "call", "note", "email"}
    money = re.compile(r"£\d{1,3}(,\d{3})*\.\d\d|\d+\.\d\d")
    prices = [p["price"] for p in rows["packages.csv"]]
    prices += [b["amount_due"] for b in rows["billing_records.csv"]]
    assert all(money.fullmatch(price) for price in prices)
    assert any(price.startswith("£") for price in prices) and any(price[0].isdigit() for price in prices)


def test_custom_fields_are_declared_and_filled(rows) -> None:
    declared = {(row["object"], row["column"]): row for row in rows["custom_field_definitions.csv"]}
    for obj, file in (("client", "clients.csv"), ("session", "sessions.csv"), ("package", "packages.csv")):
        assert {column for kind, column in declared if kind == obj} <= set(rows[file][0])
    assert declared[("client", "referral_source")]["type"] == "picklist"
    assert declared[("session", "coach_rating")]["type"] == "number"
    assert declared[("package", "renewal_reminder")]["type"] == "checkbox"
    types = declared[("session", "session_type")]["options"].split(";")
    assert {s["session_type"] for s in rows["sessions.csv"]} <= set(types)
    assert {s["coach_rating"] for s in rows["sessions.csv"]} <= {"", "1", "2", "3", "4", "5"}
    assert {p["renewal_reminder"] for p in rows["packages.csv"]} == {"yes", "no"}
    areas = set(declared[("client", "focus_areas")]["options"].split(";"))
    assert {a for c in rows["clients.csv"] for a in c["focus_areas"].split(";") if a} <= areas


def test_summaries_mix_html_plain_text_and_quoted_newlines(rows) -> None:
    summaries = [s["summary"] for s in rows["sessions.csv"] if s["status"] == "completed"]
    assert sum(bool(summary) for summary in summaries) > 0.7 * len(summaries)
    assert any(summary.startswith("<p>") and "<ul><li>" in summary for summary in summaries)
    assert any("\n" in summary for summary in summaries)
    assert any("\n" in note["body"] for note in rows["engagement_notes.csv"])


def test_normal_phones_come_in_mixed_formats(rows) -> None:
    phones = [c["phone"] for c in rows["clients.csv"]]
    for pattern in (r"\+44 20 7946 0\d{3}", r"07700 900\d{3}", r"020 7946 0\d{3}"):
        assert any(re.fullmatch(pattern, phone) for phone in phones), pattern


def test_video_recordings_are_links_only(rows) -> None:
    attachments = rows["attachments.csv"]
    recordings = [a for a in attachments if a["mime_type"] == "video/mp4"]
    assert 0.1 < len(recordings) / len(attachments) < 0.6
    assert all(not a["file_path"] and a["external_url"].startswith("https://") and a["session_id"]
               for a in recordings)
    assert any(a["file_path"] and a["external_url"] for a in attachments)


# --- dirty cases ------------------------------------------------------------------------------


def test_clients_without_first_and_last_names(rows) -> None:
    clients = rows["clients.csv"]
    at_least_two([c for c in clients if not (c["first_name"] or c["last_name"]) and c["display_name"]])
    at_least_two([c for c in clients
                  if not (c["first_name"] or c["last_name"] or c["display_name"]) and c["email"]])


def test_duplicate_clients_differ_only_in_case_and_spaces(rows) -> None:
    at_least_two(checks.retyped_duplicates(rows["clients.csv"]))


def test_bad_emails_and_phones(rows) -> None:
    at_least_two([c for c in rows["clients.csv"] if c["email"] in BAD_EMAILS])
    at_least_two([c for c in rows["clients.csv"] if c["phone"] in BAD_PHONES])


def test_package_links_lost_stale_or_unrepairable(rows, ids) -> None:
    listed = {link["session_id"]: link["package_id"] for link in rows["package_sessions.csv"]}
    package_kind = [s for s in rows["sessions.csv"] if s["session_kind"] == "package"]
    at_least_two([s for s in package_kind if not s["package_id"] and s["session_id"] in listed])
    stale = [s for s in package_kind if s["package_id"] and s["package_id"] not in ids["packages"]]
    at_least_two(stale)
    assert all(re.fullmatch(r"PKG-\d+", s["package_id"]) and s["session_id"] in listed for s in stale)
    at_least_two([s for s in package_kind if not s["package_id"] and s["session_id"] not in listed])


def test_coaches_who_are_not_in_coaches_csv(rows, ids) -> None:
    assert all(email.endswith("@northbankcoaching.example") for email in ids["coaches"])
    for name in ("clients.csv", "packages.csv", "sessions.csv"):
        at_least_two([row for row in rows[name] if row["coach_email"] not in ids["coaches"]])


def test_attachments_whose_file_is_missing_or_nowhere(export, rows) -> None:
    out, _ = export
    at_least_two([a for a in rows["attachments.csv"]
                  if a["file_path"] and not a["external_url"] and not (out / a["file_path"]).exists()])
    at_least_two([a for a in rows["attachments.csv"] if not a["file_path"] and not a["external_url"]])


def test_orphans_and_odd_values(rows, ids) -> None:
    at_least_two([p for p in rows["packages.csv"] if p["status"] == "On Hold"])
    at_least_two([b for b in rows["billing_records.csv"] if b["package_id"] not in ids["packages"]])
    at_least_two([n for n in rows["engagement_notes.csv"] if n["client_id"] not in ids["clients"]])


def test_day_first_dates(rows) -> None:
    uk_time = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")
    at_least_two([s for s in rows["sessions.csv"] if uk_time.fullmatch(s["starts_at"])])
    at_least_two([p for p in rows["packages.csv"] if re.fullmatch(r"\d\d/\d\d/\d{4}", p["starts_on"])])


def test_clients_csv_is_windows_1252_with_accented_names(export) -> None:
    out, _ = export
    raw = (out / "clients.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    at_least_two(re.findall("[éëèçöóáíñüøï’]", raw.decode("cp1252")))


def test_attachment_files_are_written_except_the_missing_ones(export, rows) -> None:
    out, _ = export
    magic = {"pdf": b"%PDF", "docx": b"PK\x03\x04", "jpg": b"\xff\xd8\xff", "png": b"\x89PNG"}
    present = 0
    for attachment in rows["attachments.csv"]:
        path = out / attachment["file_path"]
        if attachment["file_path"] and path.exists():
            present += 1
            assert path.stat().st_size == int(attachment["size_bytes"]) <= 600
            assert path.read_bytes().startswith(magic.get(path.suffix[1:], b""))
    written = {p.name for p in (out / "files").iterdir()}
    assert present == len(written) > len(rows["attachments.csv"]) / 4


def test_without_files_nothing_is_written_under_files(tmp_path: Path) -> None:
    checks.assert_no_files_folder_without_files(generate_export, tmp_path)


def test_no_dirt_at_rate_zero(tmp_path: Path) -> None:
    generate_export(tmp_path, records=500, dirty_rate=0)
    (tmp_path / "clients.csv").read_bytes().decode("utf-8")
    found = checks.read_export(tmp_path, CSV_FILES, read_rows)
    clients = {c["client_id"] for c in found["clients.csv"]}
    packages = {p["package_id"] for p in found["packages.csv"]}
    coaches = {c["email"] for c in found["coaches.csv"]}
    listed = {link["session_id"] for link in found["package_sessions.csv"]}
    for client in found["clients.csv"]:
        assert client["first_name"] and client["last_name"] and "@" in client["email"]
        assert client["email"] == client["email"].strip().lower() and client["phone"] not in BAD_PHONES
    assert len({c["email"] for c in found["clients.csv"]}) == len(found["clients.csv"])
    for name in ("clients.csv", "packages.csv", "sessions.csv"):
        assert {row["coach_email"] for row in found[name]} <= coaches
    for package in found["packages.csv"]:
        assert package["status"] in PACKAGE_STATUSES and "/" not in package["starts_on"]
    for session in found["sessions.csv"]:
        assert "/" not in session["starts_at"]
        if session["session_kind"] == "package":
            assert session["package_id"] in packages and session["session_id"] in listed
    assert {b["package_id"] for b in found["billing_records.csv"]} <= packages
    assert {n["client_id"] for n in found["engagement_notes.csv"]} <= clients
    for attachment in found["attachments.csv"]:
        assert attachment["file_path"] or attachment["external_url"]
        assert not attachment["file_path"] or (tmp_path / attachment["file_path"]).exists()


# --- streaming ----------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    checks.assert_memory_does_not_grow("migration_pipeline.generator.profi", tmp_path)
