"""The whole asset graph in a Dagster test instance, on a generated export with every dirty case,
with the ledger on the real PostgreSQL server."""

import csv

import dagster as dg
import pytest
import sqlalchemy as sa
from pydantic import PrivateAttr

from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.generator.perfect_portal import generate_export
from migration_pipeline.ledger.store import Ledger, audit_log, id_map, quarantine
from migration_pipeline_tests.helpers import check_results, materialize_all, payloads, write_members


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "perfect_portal"
    generate_export(path, records=600, seed=11, dirty_rate=0.06)
    return path


@pytest.fixture(scope="module")
def members(export, tmp_path_factory):
    """Every user of the export but the last one is a workspace member."""
    with open(export / "users.csv", encoding="utf-8") as handle:
        emails = [row["email"] for row in csv.DictReader(handle)]
    return write_members(tmp_path_factory.mktemp("members") / "members.csv", emails[:-1]), emails[-1]


@pytest.fixture(scope="module")
def two_runs(spec, export, members, tmp_path_factory):
    import psycopg

    name = "mp_test_pipeline_" + tmp_path_factory.getbasetemp().name.replace("-", "_")[-20:]
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    out = tmp_path_factory.mktemp("out")
    with dg.instance_for_test() as instance:
        first = materialize_all(spec, export, url, out, members[0], instance)
        second = materialize_all(spec, export, url, out, members[0], instance)
    ledger = Ledger(url)
    yield {"first": first, "second": second, "out": out, "ledger": ledger}
    ledger.dispose()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _audit(ledger, run_id, load, action=None):
    query = sa.select(audit_log).where(audit_log.c.run_id == f"{run_id}:0", audit_log.c.load == load)
    if action:
        query = query.where(audit_log.c.action == action)
    with ledger.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _reasons(ledger, run_id, load):
    query = sa.select(quarantine.c.reason).where(quarantine.c.run_id == f"{run_id}:0", quarantine.c.load == load)
    with ledger.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def test_every_asset_materializes_and_every_check_passes(two_runs, spec):
    assert two_runs["first"].success
    checks = check_results(two_runs["first"])
    assert set(checks) == set(spec.load_order())
    assert all(check["passed"] for check in checks.values()), checks


def test_every_source_row_is_accounted_for(two_runs, spec):
    for load, check in check_results(two_runs["first"]).items():
        parts = check["created"] + check["updated"] + check["unchanged"] + check["merged"] + check["quarantined"]
        assert check["source_rows"] == parts == check["accounted"], load
        assert check["source_rows"] > 0, load


def test_a_second_run_writes_nothing_new(two_runs):
    result = two_runs["second"]
    assert result.success
    for load, check in check_results(result).items():
        assert check["created"] == check["updated"] == 0, load
        assert check["unchanged"] + check["merged"] + check["quarantined"] == check["source_rows"], load
    assert payloads(two_runs["out"], "perfect_portal_to_twenty", result.run_id) == {}


def test_payloads_are_written_in_import_order(two_runs):
    folder = next((two_runs["out"] / "dry_run" / "perfect_portal_to_twenty").glob(f"{two_runs['first'].run_id}*"))
    names = sorted(p.name for p in (folder / "import_csv").iterdir())
    assert names[:3] == ["01_companies.csv", "02_people.csv", "03_referral_companies.csv"]
    assert names.index("05_opportunities.csv") < names.index("08_notes.csv") < names.index("10_attachments.csv")


def test_links_point_at_records_that_were_written(two_runs):
    written = payloads(two_runs["out"], "perfect_portal_to_twenty", two_runs["first"].run_id)
    ids = {load: {item["record"]["id"] for item in items} for load, items in written.items()}
    people = ids["people"] | ids["referral_people"]
    for item in written["people"]:
        assert item["record"].get("companyId") in ids["companies"] | {None}
    for item in written["opportunities"]:
        assert item["record"]["companyId"] in ids["companies"]
        assert item["record"].get("pointOfContactId") in people | {None}
    for item in written["note_targets"]:
        record = item["record"]
        assert record["noteId"] in ids["notes"]
        assert any(record.get(f) for f in ("personId", "companyId", "opportunityId"))


def test_duplicate_contacts_are_merged_into_one_person(two_runs):
    merged = _audit(two_runs["ledger"], two_runs["first"].run_id, "people", "merged")
    assert len(merged) >= 2
    assert all("duplicate of" in row["detail"] and "emails.primaryEmail" in row["detail"] for row in merged)
    with two_runs["ledger"].engine.connect() as connection:
        survivors = set(connection.execute(sa.select(id_map.c.dest_id).where(id_map.c.load == "people", id_map.c.outcome == "created")).scalars())
    assert {row["dest_id"] for row in merged} <= survivors


def test_matters_without_a_client_are_quarantined_with_the_reason(two_runs):
    reasons = _reasons(two_runs["ledger"], two_runs["first"].run_id, "opportunities")
    assert any("companyId is required but client_id is empty" in r for r in reasons)
    assert any("companies record 'C-999999' was not loaded" in r for r in reasons)


def test_stage_names_missing_from_the_value_map_are_quarantined(two_runs):
    reasons = _reasons(two_runs["ledger"], two_runs["first"].run_id, "opportunities")
    assert any("'Settlement Pending' has no entry in value map 'matter_stage'" in r or
               "'On Hold - Client' has no entry in value map 'matter_stage'" in r for r in reasons)


def test_incomplete_stage_histories_fall_back_to_the_opened_date(two_runs):
    loaded = _audit(two_runs["ledger"], two_runs["first"].run_id, "opportunities", "created")
    assert any("stage history has no entry for the current stage" in (row["detail"] or "") for row in loaded)


def test_owners_with_no_member_load_unassigned_and_are_reported(two_runs, members):
    for load in ("companies", "tasks"):
        loaded = _audit(two_runs["ledger"], two_runs["first"].run_id, load, "created")
        assert any("has no workspace member; loaded without an owner" in (row["detail"] or "") for row in loaded), load
    owner_map = next(e for e in two_runs["first"].get_asset_materialization_events()
                     if e.asset_key.path[-1] == "owner_map").materialization.metadata
    assert owner_map["unmatched"].value >= 1
    assert members[1].lower() in owner_map["owners"].value


def test_people_without_a_full_name_get_a_noted_name(two_runs):
    loaded = _audit(two_runs["ledger"], two_runs["first"].run_id, "people", "created")
    details = " ".join(row["detail"] or "" for row in loaded)
    assert "no first/last name" in details and "no name at all" in details


def test_bad_emails_and_phones_are_quarantined_with_the_value(two_runs):
    reasons = _reasons(two_runs["ledger"], two_runs["first"].run_id, "people")
    assert any("is not a valid email address" in r for r in reasons)
    assert any("is not a phone number" in r or "is not a possible phone number" in r for r in reasons)
    assert all(r.startswith("contacts row ") for r in reasons)


def test_non_utf8_text_arrives_intact(two_runs):
    written = payloads(two_runs["out"], "perfect_portal_to_twenty", two_runs["first"].run_id)
    names = " ".join(str(item["record"].get("name")) for item in written["people"] + written["companies"])
    assert any(ch in names for ch in "éüñ’") and "\ufffd" not in names


def test_html_bodies_become_markdown_without_inline_image_data(two_runs):
    written = payloads(two_runs["out"], "perfect_portal_to_twenty", two_runs["first"].run_id)
    bodies = [item["record"].get("bodyV2", {}).get("markdown", "") for item in written["notes"]]
    assert any("[inline image" in body for body in bodies)
    assert not any("<p>" in body or "base64" in body for body in bodies)


def test_files_referenced_but_missing_are_quarantined(two_runs):
    reasons = _reasons(two_runs["ledger"], two_runs["first"].run_id, "attachments")
    assert any("is referenced but not in the export" in r for r in reasons)


def test_the_report_and_quarantine_files_are_written(two_runs):
    report = two_runs["out"] / "reports" / "perfect_portal_to_twenty" / "report.md"
    text = report.read_text()
    assert "| companies | companies |" in text and "Not loaded (rebuild by hand)" in text
    with open(report.with_name("quarantine.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row["reason"] for row in rows)


class CrashingDryRun(DryRunDestination):
    """Writes the batch, then dies before the ledger hears of it: the worst moment for a kill."""

    crash_on_call: int = 5
    _calls: int = PrivateAttr(default=0)

    def write(self, context, operation, records):
        outcomes = super().write(context, operation, records)
        self._calls += 1
        if self._calls == self.crash_on_call:
            raise RuntimeError("simulated kill")
        return outcomes


def _id_map(url):
    ledger = Ledger(url)
    with ledger.engine.connect() as connection:
        rows = set(connection.execute(sa.select(id_map.c.load, id_map.c.source_key, id_map.c.dest_id, id_map.c.payload_hash)).all())
    ledger.dispose()
    return rows


def test_a_killed_run_resumes_to_the_same_state(spec, export, members, tmp_path):
    resumed_url, clean_url = f"sqlite:///{tmp_path / 'resumed.sqlite'}", f"sqlite:///{tmp_path / 'clean.sqlite'}"
    with dg.instance_for_test() as instance:
        crashing = CrashingDryRun(output_dir=str(tmp_path / "dry_run"), members_file=str(members[0]), crash_on_call=3)
        killed = materialize_all(spec, export, resumed_url, tmp_path, members[0], instance, destination=crashing)
        assert not killed.success
        resumed = materialize_all(spec, export, resumed_url, tmp_path, members[0], instance)
        clean = materialize_all(spec, export, clean_url, tmp_path / "clean", members[0], instance)
    assert resumed.success and clean.success
    assert _id_map(resumed_url) == _id_map(clean_url)
    created_before = {i["record"]["id"] for items in payloads(tmp_path, spec.migration, killed.run_id).values() for i in items}
    created_after = {i["record"]["id"] for items in payloads(tmp_path, spec.migration, resumed.run_id).values() for i in items}
    created_clean = {i["record"]["id"] for items in payloads(tmp_path / "clean", spec.migration, clean.run_id).values() for i in items}
    assert created_before | created_after == created_clean
