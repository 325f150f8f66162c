"""The migration lifecycle in a Dagster test instance on the real PostgreSQL, against the Twenty
test server: plan → sample with field diff → approval → full run → delta pickup → rollback."""

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from migration_pipeline.defs.assets import build_migration_assets, plan_key
from migration_pipeline.defs.jobs import build_approve_job, build_delta_job, build_sample_job
from migration_pipeline.definitions import build_definitions
from migration_pipeline.defs.resources import LedgerResource
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.sources.export import normalize_header
from migration_pipeline_tests.conftest import ROOT, SAMPLE
from migration_pipeline_tests.helpers import edited_spec, materialize_all, resources
from migration_pipeline_tests.test_rollback import PLURALS, CrashingTwenty, run_rollback, seed_existing, snapshot
from migration_pipeline_tests.test_twenty_load import KEY, destination, server_for

WRITES = ("POST", "PATCH", "PUT", "DELETE")


@pytest.fixture
def server():
    twenty = server_for("v2.4")
    yield twenty
    twenty.stop()


def _run_sample(spec, ledger_url, out, target, instance, size=200):
    job = build_sample_job(spec, str(out))
    return job.execute_in_process(resources=resources(spec, SAMPLE, ledger_url, out, None, target), instance=instance,
                                  run_config={"ops": {f"{spec.migration}__sample": {"config": {"size": size}}}},
                                  raise_on_error=False)


def _approve(spec, ledger_url, out, instance, run_id=""):
    return build_approve_job(spec).execute_in_process(
        resources=resources(spec, SAMPLE, ledger_url, out, None), instance=instance, raise_on_error=False,
        run_config={"ops": {f"{spec.migration}__approve": {"config": {"approved_by": "ops lead", "sample_run_id": run_id}}}})


def _full_run_unapproved(spec, ledger_url, out, target, instance):
    assets = [a for a in build_migration_assets(spec, str(out)) if plan_key(spec) not in a.keys]
    return dg.materialize(assets, resources=resources(spec, SAMPLE, ledger_url, out, None, target), instance=instance,
                          raise_on_error=False)


def _failure_message(result) -> str:
    return " ".join(e.step_failure_data.error.message for e in result.all_events if e.event_type_value == "STEP_FAILURE")


def _output(result, name):
    for event in result.all_events:
        if event.event_type_value == "STEP_OUTPUT" and name in event.event_specific_data.metadata:
            return event.event_specific_data.metadata[name].value
    raise KeyError(name)


def test_plan_reports_what_a_run_would_do_and_writes_nothing_to_the_destination(spec, server, tmp_path):
    assets = [a for a in build_migration_assets(spec, str(tmp_path)) if plan_key(spec) in a.keys]
    with dg.instance_for_test() as instance:
        result = dg.materialize(assets, resources=resources(spec, SAMPLE, "sqlite://", tmp_path, None, destination(server)),
                                instance=instance)
    assert result.success
    assert [r for r in server.request_log() if r[0] in WRITES] == []
    assert all(len(server.records(plural)) == 0 for plural in PLURALS)
    folder = tmp_path / "reports" / spec.migration / "plan"
    plan = (folder / "plan.md").read_text(encoding="utf-8")
    for section in ("Duplicates merged", "Orphans held (quarantined)", "Orphans linked to a fallback or to nothing",
                    "Missing required fields", "Value-map inputs with no mapping", "Incomplete matter_stage_history",
                    "Fields, options and stages to create", "Owners with no destination member"):
        assert f"## {section}" in plan, section
    assert "'Settlement Pending' is not in value map 'matter_stage'" in plan
    assert "former.partner@harbourlaw.example" in plan  # an owner found only on records, not in users.csv
    assert "stageEnteredAt" in plan and "matterOwnerEmail" in plan  # custom fields to create
    with open(folder / "plan_counts.csv", encoding="utf-8") as handle:
        counts = {row["load"]: row for row in csv.DictReader(handle)}
    assert int(counts["people"]["merged"]) > 0 and int(counts["opportunities"]["quarantined"]) > 0
    for row in counts.values():
        accounted = sum(int(row[k]) for k in ("create", "updated", "unchanged", "merged", "quarantined"))
        assert accounted == int(row["source rows"]), row["load"]
    inventory = json.loads((folder / "rebuild_inventory.json").read_text(encoding="utf-8"))
    assert set(inventory) == {"automation_rules", "portal_access", "sms_log"}
    assert any(item["name"] == "Welcome SMS on intake" for item in inventory["automation_rules"]["items"])
    assert "Welcome SMS on intake" in (folder / "rebuild_inventory.md").read_text(encoding="utf-8")


def test_the_sample_diff_flags_a_deliberately_wrong_value_map(server, tmp_path, postgres_url):
    wrong = edited_spec(tmp_path, "Completed: DONE", "Completed: FINISHED")
    with dg.instance_for_test() as instance:
        result = _run_sample(wrong, postgres_url, tmp_path, destination(server), instance)
    assert result.success
    with open(_output(result, "diff_csv"), encoding="utf-8") as handle:
        diffs = list(csv.DictReader(handle))
    tasks = [d for d in diffs if d["load"] == "tasks"]
    completed = [d for d in tasks if d["note"] and "FINISHED" in d["note"]]
    assert completed and all(d["agree"] == "False" for d in completed)  # refused by Twenty: not in the status options
    assert all(d["agree"] == "True" for d in tasks if d["field"] == "title" and d["source_key"] not in {c["source_key"] for c in completed})
    assert "FINISHED" in _output(result, "diff")  # the Markdown table in the UI shows it too
    # fields read back agree with what the mapping meant, despite Twenty's own spelling
    people = [d for d in diffs if d["load"] == "people" and d["field"] in ("phones.primaryPhoneNumber", "createdAt")
              and d["expected"] != "(quarantined)"]
    assert people and all(d["agree"] == "True" for d in people)
    sampled = _output(result, "records")
    assert 100 <= sampled <= 500 + 100  # the budget, plus the parents the sampled rows link to


def test_the_sample_covers_every_stage_owner_and_problem(spec, server, tmp_path, postgres_url):
    with dg.instance_for_test() as instance:
        result = _run_sample(spec, postgres_url, tmp_path, destination(server), instance, size=100)
    assert result.success
    with open(_output(result, "diff_csv"), encoding="utf-8") as handle:
        diffs = list(csv.DictReader(handle))
    with open(SAMPLE / "matters.csv", encoding="utf-8-sig") as handle:
        stages = {row["stage"].strip().lower() for row in csv.DictReader(handle) if row["stage"].strip()}
    sampled_stages = {d["source"].strip().lower() for d in diffs if d["load"] == "opportunities" and d["field"] == "stage"}
    quarantined = [d for d in diffs if d["expected"] == "(quarantined)"]
    # stages the value map cannot map are held: they show up as quarantined sample rows
    assert stages - sampled_stages <= {"settlement pending", "on hold - client"}
    assert any("Settlement Pending" in d["note"] for d in quarantined)
    assert any("not a valid email" in d["note"] for d in quarantined)
    assert {d["load"] for d in diffs} >= {"companies", "people", "opportunities", "tasks", "notes", "note_targets", "attachments"}
    # every sampled link resolves: no sampled child is held because its sampled parent was left out
    orphaned = [d for d in quarantined if "was not loaded" in d["note"]]
    ledger = Ledger(postgres_url)
    for row in orphaned:
        key = row["note"].split("record '")[1].split("'")[0]
        relation = row["note"].split(": ")[2].split(" record")[0]
        assert not ledger.lookup(spec.migration, relation, [key]), row  # the parent itself is missing or held
    ledger.dispose()


def test_the_full_run_refuses_before_approval_and_again_after_a_mapping_edit(spec, server, tmp_path, postgres_url):
    with dg.instance_for_test() as instance:
        refused = _full_run_unapproved(spec, postgres_url, tmp_path, destination(server), instance)
        assert not refused.success
        assert "has no approved sample run" in _failure_message(refused)
        assert [r for r in server.request_log() if r[0] in WRITES] == []
        not_yet = _approve(spec, postgres_url, tmp_path, instance)
        assert not not_yet.success and "run the job perfect_portal_to_twenty_sample first" in _failure_message(not_yet)

        sample = _run_sample(spec, postgres_url, tmp_path, destination(server), instance)
        assert sample.success and _approve(spec, postgres_url, tmp_path, instance, sample.run_id).success
        assert _full_run_unapproved(spec, postgres_url, tmp_path, destination(server), instance).success

        edited = edited_spec(tmp_path, "Intake: NEW", "Intake: SCREENING")
        again = _full_run_unapproved(edited, postgres_url, tmp_path, destination(server), instance)
        assert not again.success
        assert f"mapping {edited.content_hash[:12]} has no approved sample run" in _failure_message(again)
        stale = _approve(edited, postgres_url, tmp_path, instance, sample.run_id)
        assert not stale.success and "the mapping is now" in _failure_message(stale)


def _rewrite(path: Path, encoding: str, delimiter: str, edit) -> None:
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    rows = edit(rows)
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _encoding(path: Path) -> str:
    try:
        path.read_text(encoding="utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "latin-1"  # keeps every byte of a cp1252 export as it was


def _delimiter(path: Path) -> str:
    header = path.read_text(encoding=_encoding(path)).splitlines()[0]
    return max(",;\t|", key=header.count)


def _edit(path: Path, edit) -> None:
    encoding, delimiter = _encoding(path), _delimiter(path)
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    rows = edit(rows, [normalize_header(h) for h in rows[0]])
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _first_export(tmp_path: Path, spec) -> Path:
    """The bundled sample, its history moved five years back so that the cutover's changes are
    the newest in it whatever today's date is."""
    export = tmp_path / "export-full"
    shutil.copytree(SAMPLE, export)

    def earlier(rows, header):
        column = header.index("modified_at")
        for row in rows[1:]:
            if len(row) > column and row[column][:4].isdigit():
                row[column] = str(int(row[column][:4]) - 5) + row[column][4:]
        return rows

    for source in dict.fromkeys(load.source for load in spec.loads):
        _edit(export / spec.source.objects[source].file, earlier)
    return export


def _second_export(first: Path, drops: Path, spec, days: list[str]) -> Path:
    """The firm keeps working during cutover: a client renamed on the first day, a new client and
    contact on the second, and a matter deleted."""
    export = drops / spec.migration / "export-2"
    shutil.copytree(first, export)

    def clients(rows, header):
        name, modified = header.index("client_name"), header.index("modified_at")
        rows[1][name], rows[1][modified] = "Coastal Constructions Group", f"{days[0]}T10:15:00"
        new = list(rows[1])
        new[0], new[name], new[modified] = "C-000900", "Northside Bakery Pty Ltd", f"{days[1]}T09:00:00"
        new[header.index("website")] = "northsidebakery.example"
        return rows + [new]

    def contacts(rows, header):
        values = {"contact_id": "P-000900", "client_id": "C-000900", "first_name": "Nadia", "last_name": "Baker",
                  "email": "nadia@northsidebakery.example", "created_at": f"{days[1]}T09:05:00", "modified_at": f"{days[1]}T09:05:00"}
        return rows + [[values.get(column, "") for column in header]]

    _edit(export / "clients.csv", clients)
    _edit(export / "contacts.csv", contacts)
    _edit(export / "matters.csv", lambda rows, header: [r for r in rows if not r or r[0] != "M-000001"])
    return export


def test_delta_pickup_and_rollback_after_a_full_run_plus_a_delta(spec, server, tmp_path, postgres_url, monkeypatch):
    seed_existing(server)
    before = snapshot(server)
    drops = tmp_path / "drops"
    first = _first_export(tmp_path, spec)
    today = dt.datetime.now(ZoneInfo(spec.destination.timezone)).date()
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (2, 1)]
    with dg.instance_for_test() as instance:
        assert materialize_all(spec, first, postgres_url, tmp_path, None, instance, destination=destination(server)).success
        companies = {c["id"]: c for c in server.records("companies")}
        monkeypatch.setenv("MIGRATION_LEDGER_URL", postgres_url)
        defs = build_definitions(ROOT / "mappings", tmp_path, drops_dir=drops, settle_seconds=0)
        sensor = defs.get_repository_def().get_sensor_def(f"{spec.migration}_drop_folder")

        def evaluate(cursor=None):
            with dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs,
                                         resources={"ledger": LedgerResource(url=postgres_url)}) as context:
                return sensor.evaluate_tick(context)

        assert "no drop folder" in evaluate().skip_message
        export = _second_export(first, drops, spec, days)
        tick = evaluate()
        assert [r.partition_key for r in tick.run_requests] == days
        again = evaluate()
        assert [r.run_key for r in again.run_requests] == [r.run_key for r in tick.run_requests]  # deterministic
        later = evaluate(tick.cursor)
        assert not later.run_requests and "no new export" in later.skip_message
        request = tick.run_requests[0]
        assert request.run_config["resources"][f"{spec.migration}_export"]["config"]["path"] == str(export.resolve())

        delta_job = build_delta_job(spec, str(tmp_path))
        results = [delta_job.execute_in_process(partition_key=r.partition_key, instance=instance, raise_on_error=False,
                                                resources=resources(spec, export, postgres_url, tmp_path, None, destination(server)))
                   for r in tick.run_requests]
        assert all(r.success for r in results), [_failure_message(r) for r in results]
        after_delta = {c["id"]: c for c in server.records("companies")}
        assert len(after_delta) == len(companies) + 1  # the new client, once
        renamed = [c for c in after_delta.values() if c["name"] == "Coastal Constructions Group"]
        assert len(renamed) == 1 and renamed[0]["id"] in companies
        assert [p for p in server.records("people") if (p["emails"] or {}).get("primaryEmail") == "nadia@northsidebakery.example"]
        assert _output(results[0], "deleted_in_source") == 1
        report = Path(_output(results[0], "report")).read_text(encoding="utf-8")
        assert "M-000001" in report and "Nothing was deleted" in report
        ledger = Ledger(postgres_url)
        matter = ledger.lookup(spec.migration, "opportunities", ["M-000001"])["M-000001"]
        ledger.dispose()
        assert [o for o in server.records("opportunities") if o["id"] == matter.dest_id]  # reported, not deleted

        rerun = delta_job.execute_in_process(partition_key=days[0], instance=instance,
                                             resources=resources(spec, export, postgres_url, tmp_path, None, destination(server)))
        counts = _output(rerun, "counts")
        assert "| companies | 25 | 25 | 0 | 0 | 25 | 0 | 0 |" in counts  # all unchanged, nothing created twice
        assert len(server.records("companies")) == len(after_delta)

        crashing = CrashingTwenty(base_url=server.url, api_key=KEY, requests_per_minute=0, crash_after_deletes=4)
        assert not run_rollback(spec, crashing, postgres_url, tmp_path, instance).success
        assert run_rollback(spec, destination(server), postgres_url, tmp_path, instance).success
    after = snapshot(server)
    for plural in PLURALS:
        assert len(after[plural]) == len(before[plural]), plural
        for old, new in zip(before[plural], after[plural]):
            assert {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)} == {}, plural
