"""Perfect Portal → Twenty end to end, against the Twenty test server in both recorded versions
(and against a real Twenty when TWENTY_API_URL / TWENTY_API_KEY are set: the `live` test)."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest
import sqlalchemy as sa

from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.ledger.store import Ledger, id_map
from migration_pipeline_tests.conftest import ROOT, SAMPLE
from migration_pipeline_tests.helpers import check_results, materialize_all
from migration_pipeline_tests.twenty_server import TwentyConfig, TwentyServer

VERSIONS = ["v1.5", "v2.4"]
KEY = "test-key-not-a-secret"
UNLIMITED = (10**9, 60.0)  # None would mean the version's default limit


def sample_members():
    with open(SAMPLE / "users.csv", encoding="utf-8") as handle:
        emails = [row["email"] for row in csv.DictReader(handle)]
    return emails[:-1]  # the last user has no workspace member


def server_for(version):
    """Unlimited calls: pacing against the v2.4 limit is the benchmark's and the contract tests' job."""
    return TwentyServer(TwentyConfig(version=version, api_key=KEY, members=sample_members(), rest_rate_limit=UNLIMITED)).start()


def destination(server):
    return TwentyDestination(base_url=server.url, api_key=KEY, requests_per_minute=0, batch_size=60)


def _ledger_rows(url):
    ledger = Ledger(url)
    with ledger.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.select(id_map))]
    ledger.dispose()
    return rows


def _run(server, export, ledger_url, out, spec):
    with dg.instance_for_test() as instance:
        return materialize_all(spec, export, ledger_url, out, None, instance, destination=destination(server))


@pytest.fixture(params=VERSIONS)
def loaded(request, spec, tmp_path):
    server = server_for(request.param)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    result = _run(server, export, ledger_url, tmp_path, spec)
    yield {"server": server, "result": result, "ledger_url": ledger_url, "export": export, "out": tmp_path, "version": request.param}
    server.stop()


def test_the_sample_loads_with_every_row_accounted_for(loaded):
    assert loaded["result"].success
    checks = check_results(loaded["result"])
    assert len(checks) == 10 and all(c["passed"] for c in checks.values()), checks
    assert checks["companies"]["created"] > 0 and checks["notes"]["created"] > 0


def test_the_destination_holds_exactly_what_the_ledger_says(loaded):
    server, rows = loaded["server"], _ledger_rows(loaded["ledger_url"])
    for target in ("companies", "people", "opportunities", "tasks", "notes", "noteTargets", "taskTargets", "attachments"):
        expected = {r["dest_id"] for r in rows if r["dest_object"] == target and r["outcome"] != "merged"}
        held = {record["id"] for record in server.records(target)}
        assert expected == held, target


def test_every_relation_is_present(loaded):
    server = loaded["server"]
    companies = {r["id"] for r in server.records("companies")}
    people = {r["id"] for r in server.records("people")}
    opportunities = {r["id"] for r in server.records("opportunities")}
    notes = {r["id"] for r in server.records("notes")}
    assert all(r["companyId"] in companies for r in server.records("opportunities"))
    assert sum(1 for r in server.records("people") if r.get("companyId") in companies) >= len(people) * 0.8
    prefix = "target" if loaded["version"] == "v2.4" else ""
    person_field = f"{prefix}PersonId" if prefix else "personId"
    opportunity_field = f"{prefix}OpportunityId" if prefix else "opportunityId"
    targets = server.records("noteTargets")
    assert targets and all(t["noteId"] in notes for t in targets)
    assert any(t.get(person_field) in people for t in targets)
    assert any(t.get(opportunity_field) in opportunities for t in targets)
    attachments = server.records("attachments")
    assert attachments
    if loaded["version"] == "v2.4":
        assert all(a["file"] and a["file"][0]["fileId"] for a in attachments)
    else:
        assert all(a["fullPath"].startswith("attachment/") for a in attachments)


def test_owners_stage_and_custom_fields_arrive(loaded):
    server = loaded["server"]
    members = {server.member_id(email) for email in sample_members()}
    owned = [c for c in server.records("companies") if c.get("accountOwnerId")]
    assert owned and all(c["accountOwnerId"] in members for c in owned)
    opportunities = server.records("opportunities")
    stages = {o["stage"] for o in opportunities}
    assert stages <= {"NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER", "CLOSED_LOST"}
    assert {"CUSTOMER", "CLOSED_LOST"} <= stages  # won and lost matters stay apart (a lost stage is added)
    assert any(o.get("stageEnteredAt") for o in opportunities)
    assert any(o.get("lender") for o in opportunities) and any(o.get("practiceAreas") for o in opportunities)
    notes = server.records("notes")
    assert all(n.get("sourceCreatedAt") == n.get("createdAt") for n in notes if n.get("sourceCreatedAt"))


def test_a_rerun_creates_nothing_and_changed_rows_are_updated(loaded, spec):
    export, server = loaded["export"], loaded["server"]
    before = {plural: len(server.records(plural)) for plural in ("companies", "people", "notes")}
    clients = export / "clients.csv"
    text = clients.read_bytes().decode("cp1252")
    lines = text.splitlines(keepends=True)
    first = lines[1].split(";")
    first[1] = "Renamed During Cutover Pty Ltd"
    lines[1] = ";".join(first)
    clients.write_bytes("".join(lines).encode("cp1252"))
    second = _run(server, export, loaded["ledger_url"], loaded["out"], spec)
    assert second.success
    checks = check_results(second)
    assert all(c["created"] == 0 for c in checks.values()), checks
    assert checks["companies"]["updated"] == 1
    assert {plural: len(server.records(plural)) for plural in before} == before
    assert any(c["name"] == "Renamed During Cutover Pty Ltd" for c in server.records("companies"))


def test_an_existing_record_is_matched_not_duplicated(spec, tmp_path):
    server = server_for("v2.4")
    try:
        client = TwentyDestination(base_url=server.url, api_key=KEY, requests_per_minute=0)
        with open(SAMPLE / "clients.csv", encoding="cp1252") as handle:
            row = next(r for r in csv.DictReader(handle, delimiter=";") if r["Website"])
        domain = "https://" + row["Website"].lower().strip("/")
        existing = client.http.request("POST", "/rest/companies", json={"name": "Already here", "domainName": {"primaryLinkUrl": domain}})
        existing_id = existing["data"]["createCompany"]["id"]
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        assert _run(server, SAMPLE, ledger_url, tmp_path, spec).success
        domains = [c["domainName"]["primaryLinkUrl"] for c in server.records("companies")]
        assert domains.count(domain) == 1
        [matched] = [r for r in _ledger_rows(ledger_url) if r["dest_id"] == existing_id]
        assert matched["outcome"] == "matched" and not matched["created_by_us"]
        assert matched["before_image"]["name"] == "Already here"
    finally:
        server.stop()


def _kill_at(server, threshold, command, env):
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if len(server.request_log()) >= threshold:
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait(timeout=30)
    return process.returncode


def test_sigkill_at_several_points_then_resume_converges(spec, tmp_path):
    clean_server, killed_server = server_for("v2.4"), server_for("v2.4")
    try:
        assert _run(clean_server, SAMPLE, f"sqlite:///{tmp_path / 'clean.sqlite'}", tmp_path / "clean", spec).success
        ledger_url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
        command = [sys.executable, "-m", "migration_pipeline_tests.run_twenty_load", killed_server.url, KEY, str(SAMPLE), ledger_url, str(tmp_path / "killed")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        killed = 0
        for threshold in (10, 25, 45, 70):  # cumulative requests; a whole clean run makes about 65
            if _kill_at(killed_server, threshold, command, env) == -signal.SIGKILL:
                killed += 1
        assert killed >= 3
        assert subprocess.run(command, env=env, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
        for plural in ("companies", "people", "opportunities", "tasks", "notes", "noteTargets", "taskTargets", "attachments"):
            clean = sorted(r["id"] for r in clean_server.records(plural))
            resumed = sorted(r["id"] for r in killed_server.records(plural))
            assert resumed == clean, plural
    finally:
        clean_server.stop()
        killed_server.stop()


@pytest.mark.live
def test_live_twenty_end_to_end(spec, tmp_path):
    url, key = os.environ.get("TWENTY_API_URL"), os.environ.get("TWENTY_API_KEY")
    if not (url and key):
        pytest.skip("TWENTY_API_URL and TWENTY_API_KEY are not set: no real Twenty to load into")
    from migration_pipeline.destinations.base import WriteContext

    live = TwentyDestination(base_url=url, api_key=key)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    try:
        with dg.instance_for_test() as instance:
            result = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=live)
        assert result.success
        assert all(c["passed"] for c in check_results(result).values())
        rows = [r for r in _ledger_rows(ledger_url) if r["outcome"] == "created" and r["dest_object"] == "companies"]
        context = WriteContext(spec.migration, "check", "companies", "companies", 1, ())
        held = {r["id"] for r in live.read(context, [r["dest_id"] for r in rows])}
        assert held == {r["dest_id"] for r in rows}
    finally:
        _delete_what_we_created(spec, live, ledger_url)


def _delete_what_we_created(spec, live, ledger_url):
    """Leave the real workspace as it was: hard-delete our records, children first."""
    from migration_pipeline.destinations.base import WriteContext

    rows = _ledger_rows(ledger_url)
    for load in reversed(spec.loads):
        ids = [r["dest_id"] for r in rows if r["load"] == load.name and r["created_by_us"]]
        if ids:
            live.delete(WriteContext(spec.migration, "cleanup", load.name, load.target, 0, ()), ids)


@pytest.mark.parametrize("version", VERSIONS)
def test_plan_mode_lists_fields_and_creates_nothing(version, spec):
    from migration_pipeline.pipeline import prepare
    from migration_pipeline.sources.export import ExportArchive

    server = server_for(version)
    try:
        twenty = destination(server)
        archive = ExportArchive(SAMPLE)
        requests = prepare.schema_plan(spec, archive, prepare.read_custom_fields(spec, archive))
        before = twenty.workspace(refresh=True)
        planned = twenty.ensure_fields(spec.migration, requests, apply=False)
        names = {(r.target, r.name) for r in planned.created}
        assert {("opportunities", "stageEnteredAt"), ("opportunities", "lender"), ("people", "sourceChannel")} <= names
        lender = next(r for r in planned.created if r.name == "lender")
        assert set(lender.options) >= {"ANZ", "WESTPAC"}
        after = twenty.workspace(refresh=True)
        assert {p: set(o.fields) for p, o in after.objects.items()} == {p: set(o.fields) for p, o in before.objects.items()}
        assert twenty.missing_fields({"opportunities": ["stageEnteredAt"]}) == ["opportunities.stageEnteredAt"]
    finally:
        server.stop()


def test_the_rollback_primitive_hard_deletes_only_what_we_created(loaded, spec):
    from migration_pipeline.destinations.base import WriteContext

    server, rows = loaded["server"], _ledger_rows(loaded["ledger_url"])
    twenty = destination(server)
    for load in reversed(spec.loads):
        ids = [r["dest_id"] for r in rows if r["load"] == load.name and r["created_by_us"]]
        outcomes = twenty.delete(WriteContext(spec.migration, "rollback", load.name, load.target, 0, ()), ids)
        assert all(o.ok for o in outcomes)
    for plural in ("companies", "people", "opportunities", "notes", "noteTargets", "attachments"):
        assert server.records(plural, include_deleted=True) == [], plural
    again = twenty.delete(WriteContext(spec.migration, "rollback", "companies", "companies", 0, ()), [rows[0]["dest_id"]])
    assert again[0].ok  # already gone is fine: rollback can resume
    assert _run(server, loaded["export"], f"sqlite:///{loaded['out'] / 'fresh.sqlite'}", loaded["out"] / "fresh", spec).success
