"""Profiling an export: column types, date order, keys and links, checked on the committed samples."""

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.proposer.evaluate import export_foreign_keys
from migration_pipeline.proposer.perturb import perturb_export
from migration_pipeline.proposer.profile import (
    ABBREVIATIONS,
    SEMANTIC_TYPES,
    ExportProfile,
    column_tokens,
    csv_files,
    profile_column,
    profile_export,
    shared_prefix,
    singular,
)
from migration_pipeline.sources.export import ExportArchive

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
EXPORTS = ("perfect_portal", "oplacrm", "profi", "backdocket")
# The five shipped pairs; both Perfect Portal pairs read the same sample export.
PAIRS = (
    "perfect_portal_to_twenty", "perfect_portal_to_odoo", "profi_to_twenty", "oplacrm_to_twenty", "backdocket_to_twenty",
)  # fmt: skip


@pytest.fixture(scope="module")
def profiles() -> dict[str, ExportProfile]:
    return {name: profile_export(ExportArchive(SAMPLES / name)) for name in EXPORTS}


def column(profiles, export, file, name):
    return profiles[export].file(file).column(name)


def values(*items: str) -> pd.Series:
    return pd.Series(items, dtype="str")


# --- column types on the samples -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("export", "file", "name", "expected"),
    [
        ("perfect_portal", "contacts", "email", "email"),
        ("perfect_portal", "clients", "phone", "phone"),  # 0474 449 479, (07) 8080 3895, +61 2 9766 1207
        ("perfect_portal", "clients", "website", "url"),
        ("perfect_portal", "matters", "amount", "money"),
        ("perfect_portal", "matters", "opened_at", "datetime"),
        ("perfect_portal", "matters", "settlement_date", "date"),
        ("perfect_portal", "contacts", "full_name", "person_name"),
        ("perfect_portal", "contacts", "billing_flag", "boolean"),
        ("perfect_portal", "activities", "body", "html"),
        ("perfect_portal", "clients", "client_id", "id"),
        ("oplacrm", "accounts", "account_id", "id"),  # UUIDs
        ("oplacrm", "accounts", "healthscore", "number"),
        ("oplacrm", "accounts", "locked", "boolean"),
        ("oplacrm", "opportunities", "amount", "money"),  # US$16,600.00 and 201900.00
        ("profi", "packages", "price", "money"),  # £2,400.00 and 3300.00
        ("profi", "sessions", "starts_at", "datetime"),  # ISO and 14/03/2024 10:00
        ("profi", "sessions", "meeting_url", "url"),
        ("profi", "clients", "phone", "phone"),
        ("backdocket", "firms", "domain", "url"),
        ("backdocket", "firms", "fee_split_percent", "number"),
        ("backdocket", "insurance_policies", "limit_amount", "money"),  # 250000 and $500,000.00
        ("backdocket", "documents", "size_bytes", "integer"),
        ("backdocket", "documents", "file_name", "text"),  # police-report.pdf is not a domain
        ("backdocket", "intakes", "intake_date", "date"),
        ("backdocket", "notes", "body", "html"),
        ("backdocket", "workflows", "steps", "text"),  # JSON with commas is not a list of labels
        ("backdocket", "court_jurisdictions", "address", "text"),  # nor is an address
    ],
)
def test_column_types_from_values(profiles, export, file, name, expected):
    assert column(profiles, export, file, name).semantic_type == expected


@pytest.mark.parametrize(
    ("export", "file", "name", "separator"),
    [
        ("perfect_portal", "matters", "practice_areas", ";"),
        ("backdocket", "contacts", "injury_types", ";"),
        ("profi", "clients", "focus_areas", ";"),
        ("oplacrm", "accounts", "tags", ","),  # ' Cold Chain,,VIP,VIP ' included
    ],
)
def test_multi_value_columns_and_their_separator(profiles, export, file, name, separator):
    profiled = column(profiles, export, file, name)
    assert (profiled.semantic_type, profiled.multi_separator) == ("multi_value", separator)


def test_every_column_gets_a_shared_type_and_sane_rates(profiles):
    for profile in profiles.values():
        for file in profile.files:
            for profiled in file.columns:
                assert profiled.semantic_type in SEMANTIC_TYPES
                assert 0 <= profiled.null_rate <= 1 and 0 <= profiled.distinct_ratio <= 1
                assert len(profiled.top_values) <= 10
                assert profiled.multi_separator is None or profiled.semantic_type == "multi_value"


def test_pick_lists_are_categorical_with_counted_top_values(profiles):
    stage = column(profiles, "perfect_portal", "matters", "stage")
    assert stage.categorical
    assert sum(count for _, count in stage.top_values) == 40  # every matter has a stage
    assert [count for _, count in stage.top_values] == sorted((c for _, c in stage.top_values), reverse=True)
    assert not column(profiles, "perfect_portal", "contacts", "email").categorical
    assert not column(profiles, "profi", "sessions", "client_id").categorical  # a reference, not a pick-list


def test_null_rate_and_distinct_ratio(profiles):
    accounts = profiles["oplacrm"].file("accounts")
    assert accounts.column("account_id").null_rate == 0 and accounts.column("account_id").distinct_ratio == 1
    assert 0.2 < accounts.column("external_id").null_rate < 0.5  # about 30 % of accounts have no ERP id


# --- dates and phones: what the mapping's source/destination settings need -------------------------


def test_day_first_dates_are_recognised(profiles):
    assert column(profiles, "profi", "packages", "starts_on").dayfirst is True  # 15/05/2024
    assert column(profiles, "profi", "sessions", "starts_at").dayfirst is True  # 25/11/2026 16:00
    assert column(profiles, "backdocket", "intakes", "intake_date").dayfirst is False  # 09/21/2024
    assert column(profiles, "perfect_portal", "matters", "opened_at").dayfirst is None  # ISO only
    assert column(profiles, "perfect_portal", "matters", "amount").dayfirst is None  # not a date


@pytest.mark.parametrize("pair", PAIRS)
def test_export_date_order_and_phone_region_agree_with_the_shipped_mapping(profiles, pair):
    spec = load_spec(ROOT / "mappings" / f"{pair}.yaml")
    profile = profiles[Path(spec.source.sample_export).name]
    assert profile.phone_region == spec.destination.default_phone_region
    assert profile.dayfirst in (None, spec.source.dayfirst)  # None: every date in the sample is ISO


def test_export_date_order(profiles):
    assert profiles["profi"].dayfirst is True
    assert profiles["backdocket"].dayfirst is False
    assert profiles["perfect_portal"].dayfirst is None


def test_date_order_undecidable_when_both_orders_occur():
    mixed = profile_column("when", values("13/02/2024", "02/13/2024", "2024-01-01", "01/02/2024"))
    assert (mixed.semantic_type, mixed.dayfirst) == ("date", None)
    us = profile_column("when", values("03/14/2024 9:30 AM", "2024-03-01T09:30:00", "04/02/2024 1:05 PM"))
    assert (us.semantic_type, us.dayfirst) == ("datetime", False)


def test_phones_without_a_country_code_read_in_the_columns_region():
    uk = profile_column("phone", values("+44 20 7946 0018", "020 7946 0018", "07700 900123", "+44 7700 900123"))
    assert uk.semantic_type == "phone"
    us = profile_column("phone", values("(312) 555-0142", "312-555-0142", "312.555.0142"), region="US")
    assert us.semantic_type == "phone"


# --- detection rules on small columns --------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (("yes", "no", "no", "yes"), "boolean"),
        (("1", "0", "0", "1"), "boolean"),
        (("1", "2", "3", "8"), "integer"),
        (("12.5%", "40 %", "3%"), "percent"),
        (("$1,250.00", "980.00", "€12"), "money"),
        (("1.5", "2.25", "-3"), "number"),
        (("CL-000001", "CL-000002", "CL-000003"), "id"),
        (("CL-000001", "CL-000001", "CL-000003"), "text"),  # repeated: a reference, not a key
        (("2b1f9c1e-0b7a-4c1e-9a55-0d3f6f2a9b10", "c82bb7bd-1fbb-441e-919a-c8ba67e4ed71"), "id"),
        (("https://example.com/a", "www.example.org", "shop.example.co.uk"), "url"),
        (("report.pdf", "photo.jpg", "notes.docx"), "text"),
        (("a@b.com", "c.d@e.org", "f@g.co.uk"), "email"),
        (("<p>Hi</p>", "plain words", "more plain", "again plain", "<b>x</b>"), "html"),
        (("Maria Khan", "José Peña", "Zoë O’Connor", "Tom Rutherford"), "person_name"),
        (("Auto Accident", "Auto Accident", "Auto Accident", "Slip Fall"), "text"),  # a pick-list, not people
        (("VIP,Reseller", "Export", "VIP", "Reseller,Export"), "multi_value"),
        (("", "  "), "empty"),
    ],
)
def test_detection_rules(items, expected):
    assert profile_column("c", values(*items)).semantic_type == expected


def test_a_type_needs_nine_values_in_ten():
    emails = [f"person{i}@example.com" for i in range(9)]
    assert profile_column("c", values(*emails, "n/a")).semantic_type == "email"
    assert profile_column("c", values(*emails[:8], "n/a", "ask reception")).semantic_type == "text"


# --- names -----------------------------------------------------------------------------------------


def test_column_name_tokens():
    assert column_tokens("fname") == ("first", "name")
    assert column_tokens("AcctOwnerEmail") == ("account", "owner", "email")
    assert column_tokens("acct_owner_email", prefix="acct_") == ("owner", "email")
    assert column_tokens("address_line1") == ("address", "line", "1")
    assert column_tokens("clientID") == ("client", "id")
    assert column_tokens("dob") == ("date", "of", "birth")
    assert column_tokens("invoice_no") == ("invoice", "number")
    # glued headers, as the reader folds 'PrimaryContactId' and 'HealthScore'
    assert column_tokens("primarycontactid") == ("primary", "contact", "id")
    assert column_tokens("healthscore") == ("health", "score")
    assert column_tokens("settlement") == ("settlement",)  # a known word stays whole
    assert column_tokens("xyzzyq") == ("xyzzyq",)  # so does one no split covers
    assert all(ABBREVIATIONS[a] == ("phone",) for a in ("tel", "ph"))
    assert column_tokens("E-mail Address") == ("email", "address")


def test_a_short_form_of_the_files_name_before_a_column_is_dropped():
    assert column_tokens("mttr_stage", object_name="matter_stage_history") == ("stage",)
    assert column_tokens("ma_stage", object_name="matters") == ("stage",)
    assert column_tokens("cli_name", object_name="clients") == ("name",)
    # 'co' is company's short form: kept, unless the rest names the file's own record.
    assert column_tokens("co_name", object_name="contacts") == ("company", "name")
    assert column_tokens("co_contact_id", object_name="contacts") == ("contact", "id")
    # A word of its own, or letters not drawn from the file's name, are the column's.
    assert column_tokens("case_id", object_name="cases") == ("case", "id")
    assert column_tokens("mt_stage", object_name="tasks") == ("mt", "stage")


def test_shared_prefix_and_singular():
    assert shared_prefix(["acct_id", "acct_name", "acct_owner_email"]) == "acct_"
    assert shared_prefix(["client_id", "client_name", "email"]) is None
    assert shared_prefix(["client_id", "client_name"]) is None  # too few columns to call it a convention
    assert [singular(w) for w in ("activities", "coaches", "matters", "status", "address")] == [
        "activity", "coach", "matter", "status", "address",
    ]  # fmt: skip


# --- keys and links --------------------------------------------------------------------------------


def test_candidate_keys(profiles):
    assert profiles["oplacrm"].file("accounts.csv").candidate_keys[0] == "account_id"
    assert profiles["oplacrm"].file("accounts").alternate_keys == ()  # ERP ids repeat in the sample
    assert profiles["backdocket"].file("intakes").candidate_keys[0] == "intake_id"
    assert "contact_id" not in profiles["perfect_portal"].file("contacts").candidate_keys[1:]
    assert profiles["perfect_portal"].file("custom_field_definitions").candidate_keys == ()


@pytest.mark.parametrize("pair", PAIRS)
def test_the_shipped_mappings_record_keys_are_the_best_candidate_keys(profiles, pair):
    spec = load_spec(ROOT / "mappings" / f"{pair}.yaml")
    profile = profiles[Path(spec.source.sample_export).name]
    for name, source in spec.source.objects.items():
        if source.key != "column":  # custom field definitions are keyed by a plain name
            assert profile.file(source.file).candidate_keys[0] == source.key, name


def links(profile):
    return {
        (fk.file.removesuffix(".csv"), fk.column, fk.target_file.removesuffix(".csv"), fk.target_column)
        for fk in profile.foreign_keys
    }


@pytest.mark.parametrize(
    ("export", "link"),
    [
        ("perfect_portal", ("contacts", "client_id", "clients", "client_id")),
        ("perfect_portal", ("matters", "client_id", "clients", "client_id")),  # 2 of 37 clients not exported
        ("perfect_portal", ("matters", "primary_contact_id", "contacts", "contact_id")),
        ("oplacrm", ("contacts", "account_id", "accounts", "account_id")),
        ("oplacrm", ("opportunities", "account_id", "accounts", "account_id")),
        ("oplacrm", ("opportunities", "owner_id", "users", "user_id")),
        ("profi", ("sessions", "client_id", "clients", "client_id")),
        ("profi", ("package_sessions", "session_id", "sessions", "session_id")),
        ("backdocket", ("cases", "contact_id", "contacts", "contact_id")),
        ("backdocket", ("cases", "court_jurisdiction_id", "court_jurisdictions", "jurisdiction_id")),
        ("backdocket", ("intakes", "referring_firm_id", "firms", "firm_id")),
    ],
)
def test_foreign_keys_found(profiles, export, link):
    assert link in links(profiles[export])


def test_no_link_without_a_name_that_says_so(profiles):
    found = {(fk.file, fk.column) for p in profiles.values() for fk in p.foreign_keys}
    assert ("sms_log.csv", "trigger") not in found  # holds rule ids, but nothing in its name says so
    assert ("custom_field_values.csv", "record_id") not in found  # points at several files
    assert ("portal_access.csv", "portal_user_id") not in found  # named like users.user_id, shares no value
    assert ("opportunities.csv", "opportunities_joint_id") not in found  # its own file's key
    assert ("sessions.csv", "session_id") not in found  # a record key names its record
    coverages = [fk.coverage for p in profiles.values() for fk in p.foreign_keys]
    assert all(0.5 <= c <= 1 for c in coverages)


def test_foreign_key_precision_and_recall_over_the_samples(profiles):
    # The answer key: every reference between files of the sample exports, read from docs/*_export.md.
    expected = {(export, *link) for export in EXPORTS for link in export_foreign_keys(export)}
    assert len(expected) == 59
    found = {
        (export, fk.file.lower(), fk.column, fk.target_file.lower(), fk.target_column)
        for export in EXPORTS
        for fk in profiles[export].foreign_keys
    }
    hits = found & expected
    precision, recall = len(hits) / len(found), len(hits) / len(expected)
    assert precision >= 0.95, sorted(found - expected)
    assert recall >= 0.95, sorted(expected - found)


def test_foreign_keys_survive_glued_headers(tmp_path):
    # 'PrimaryContactId' reads as 'primarycontactid': split into words, it still names contacts' key.
    found, expected = set(), set()
    for export in EXPORTS:
        renames = perturb_export(SAMPLES / export, tmp_path / export, seed=7, style="glued")
        profile = profile_export(ExportArchive(tmp_path / export))
        found |= {
            (export, fk.file.lower(), fk.column, fk.target_file.lower(), fk.target_column)
            for fk in profile.foreign_keys
        }
        expected |= {(export, *link) for link in export_foreign_keys(export, renames)}
    assert ("oplacrm", "opportunities.csv", "primarycontactid", "contacts.csv", "contactid") in found & expected
    hits = found & expected
    assert len(hits) / len(found) >= 0.95, sorted(found - expected)
    assert len(hits) / len(expected) >= 0.95, sorted(expected - found)


# --- the export itself -----------------------------------------------------------------------------


def test_rows_are_all_counted_but_only_a_sample_analysed():
    profile = profile_export(ExportArchive(SAMPLES / "profi"), sample_rows=10)
    sessions = profile.file("sessions")
    assert sessions.rows == 137  # summaries span several lines: rows, not lines
    assert sum(count for _, count in sessions.column("status").top_values) == 10
    # the sample's references are checked against every client, not only the first ten
    assert ("sessions", "client_id", "clients", "client_id") in links(profile)


def test_zip_export_wrapped_in_a_folder_with_a_column_prefix(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "export-2024/Accounts.csv", "acct_id,acct_name,acct_owner_email\nA-1,Acme,x@acme.com\nA-2,Beta,y@beta.com\n"
        )
        archive.writestr("export-2024/contacts.csv", "contact_id,acct_id,fname\nC-1,A-1,Ann\nC-2,A-2,Bob\nC-3,A-1,Cy\n")
        archive.writestr("export-2024/empty.csv", "")
        archive.writestr("export-2024/files/attachment.csv", "not,an,object\n")
    export = ExportArchive(path)
    assert csv_files(export) == ["Accounts.csv", "contacts.csv", "empty.csv"]
    profile = profile_export(export)
    accounts = profile.file("accounts")
    assert (accounts.prefix, accounts.object_name, accounts.rows) == ("acct_", "accounts", 2)
    assert accounts.column("acct_owner_email").tokens == ("owner", "email")
    assert profile.file("contacts").column("fname").tokens == ("first", "name")
    assert links(profile) == {("contacts", "acct_id", "Accounts", "acct_id")}
    assert profile.file("empty").rows == 0 and profile.file("empty").columns == ()


def test_profile_is_json_ready(profiles):
    document = json.loads(json.dumps(profiles["oplacrm"].to_dict()))
    assert document["phone_region"] == "SG"
    accounts = next(f for f in document["files"] if f["name"] == "accounts.csv")
    assert accounts["candidate_keys"][0] == "account_id"
    assert {"file", "column", "target_file", "target_column", "coverage"} <= document["foreign_keys"][0].keys()
