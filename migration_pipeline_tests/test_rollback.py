"""Rollback against the Twenty test server: back to the exact pre-migration state, also when the
rollback itself is killed midway and started again; run as the Dagster job an operator launches."""

import csv
from pathlib import Path

import dagster as dg
import pytest
from pydantic import PrivateAttr

from migration_pipeline.defs.jobs import build_rollback_job
from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.ledger.store import Ledger
from migration_pipeline_tests.conftest import MAPPING, SAMPLE
from migration_pipeline_tests.helpers import edited_spec, materialize_all, resources
from migration_pipeline_tests.test_twenty_load import KEY, destination, server_for

PLURALS = ("companies", "people", "opportunities", "tasks", "notes", "noteTargets", "taskTargets", "attachments")
VOLATILE = ("updatedAt", "updatedBy", "position", "searchVector")


def snapshot(server):
    return {plural: sorted(({k: v for k, v in r.items() if k not in VOLATILE} for r in server.records(plural, include_deleted=True)),
                           key=lambda r: r["id"]) for plural in PLURALS}


def seed_existing(server):
    """A company the migration will match (same domain as a sample client) and one it must not touch."""
    twenty = destination(server)
    with open(SAMPLE / "clients.csv", encoding="cp1252") as handle:
        client = next(r for r in csv.DictReader(handle, delimiter=";") if r["Website"])
    domain = "https://" + client["Website"].lower().strip("/")
    twenty.http.request("POST", "/rest/companies", json={"name": "Already here", "domainName": {"primaryLinkUrl": domain}, "employees": 7})
    twenty.http.request("POST", "/rest/people", json={"name": {"firstName": "Untouched", "lastName": "Person"},
                                                      "emails": {"primaryEmail": "untouched@example.org"}})


def run_rollback(spec, server_destination, ledger_url, tmp_path, instance, remove_schema=False):
    job = build_rollback_job(spec, str(tmp_path))
    config = {"ops": {f"{spec.migration}__rollback": {"config": {"remove_schema": remove_schema}}}}
    return job.execute_in_process(resources=resources(spec, SAMPLE, ledger_url, tmp_path, None, server_destination),
                                  instance=instance, raise_on_error=False, run_config=config)


def schema(server):
    """Every object's fields, and the options of each select, as the metadata API reports them."""
    objects = destination(server).workspace(refresh=True).objects
    return {plural: {name: sorted(o["value"] for o in f.get("options") or []) for name, f in info.fields.items()}
            for plural, info in objects.items()}


class CrashingTwenty(TwentyDestination):
    """Dies after a number of delete calls, as a killed rollback would."""

    crash_after_deletes: int = 3
    _deletes: int = PrivateAttr(default=0)

    def delete(self, context, ids):
        outcomes = super().delete(context, ids)
        self._deletes += 1
        if self._deletes >= self.crash_after_deletes:
            raise RuntimeError("simulated kill during rollback")
        return outcomes


@pytest.mark.parametrize("version", ["v1.5", "v2.4"])
def test_rollback_returns_the_workspace_to_its_exact_state_even_after_a_kill(version, spec, tmp_path):
    server = server_for(version)
    try:
        seed_existing(server)
        before = snapshot(server)
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server)).success
            assert len(server.records("companies")) > len(before["companies"])
            matched = next(c for c in server.records("companies") if c["id"] == before["companies"][0]["id"])
            assert matched["name"] != "Already here"  # the migration wrote its fields onto the matched record
            crashing = CrashingTwenty(base_url=server.url, api_key=KEY, requests_per_minute=0, crash_after_deletes=3)
            assert not run_rollback(spec, crashing, ledger_url, tmp_path, instance).success
            assert snapshot(server) != before
            assert run_rollback(spec, destination(server), ledger_url, tmp_path, instance).success
        after = snapshot(server)
        for plural in PLURALS:
            assert len(after[plural]) == len(before[plural]), plural
            for old, new in zip(before[plural], after[plural]):
                assert {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)} == {}, plural
                # the custom fields the migration created stay in the schema (removing them is opt-in), empty
                assert all(new[k] in (None, [], "") for k in set(new) - set(old)), plural
        ledger = Ledger(ledger_url)
        assert all(ledger.mapped_count(spec.migration, load.name) == 0 for load in spec.loads)
        ledger.dispose()
    finally:
        server.stop()


def test_a_migration_can_run_again_after_a_rollback(spec, tmp_path):
    server = server_for("v2.4")
    try:
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            first = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server))
            counts = {plural: len(server.records(plural)) for plural in PLURALS}
            assert first.success and run_rollback(spec, destination(server), ledger_url, tmp_path, instance).success
            assert all(len(server.records(plural)) == 0 for plural in PLURALS)
            again = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server))
        assert again.success
        assert {plural: len(server.records(plural)) for plural in PLURALS} == counts
    finally:
        server.stop()


@pytest.mark.parametrize("version", ["v1.5", "v2.4"])
def test_rollback_on_request_removes_the_fields_and_stages_it_created_and_reports_what_twenty_keeps(version, tmp_path):
    spec = edited_spec(tmp_path, "Closing: PROPOSAL", "Closing: SETTLEMENT")  # a stage Twenty does not have yet
    server = server_for(version)
    try:
        before = schema(server)
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server)).success
            loaded = schema(server)
            assert "SETTLEMENT" in loaded["opportunities"]["stage"] and "stageEnteredAt" in loaded["opportunities"]
            result = run_rollback(spec, destination(server), ledger_url, tmp_path, instance, remove_schema=True)
            assert result.success
            again = run_rollback(spec, destination(server), ledger_url, tmp_path, instance, remove_schema=True)
            assert again.success  # nothing left to do: still succeeds
        assert schema(server) == before
        assert all(len(server.records(plural)) == 0 for plural in PLURALS)
        report = Path(next(e for e in result.all_events if e.event_type_value == "STEP_OUTPUT")
                      .event_specific_data.metadata["report"].value).read_text(encoding="utf-8")
        assert "opportunities.stageEnteredAt" in report
        removed_options = next(line for line in report.splitlines() if "opportunities.stage options" in line)
        assert "SETTLEMENT" in removed_options and "CLOSED_LOST" in removed_options  # both stages it added
        assert "view fields Twenty added for it" in report and "timeline activities of deleted notes" in report
    finally:
        server.stop()


CUSTOM_OBJECT = '''
new_objects:
  matterRecords: {singular: matterRecord, label: Matter record, label_plural: Matter records, icon: IconFileText}
'''

MATTER_RECORDS = '''
  - name: matter_records
    source: matters
    target: matterRecords
    fields:
      name: {from: matter_name, required: true}
      opportunityId: {from: matter_id, relation: opportunities}
    new_fields:
      opportunity: {type: RELATION, label: Opportunity, relation: opportunities}
'''


@pytest.mark.parametrize("version", ["v1.5", "v2.4"])
def test_a_custom_object_is_created_linked_loaded_and_removed_by_a_full_rollback(version, tmp_path):
    text = MAPPING.read_text(encoding="utf-8")
    spec = edited_spec(tmp_path, text, text.replace("\nloads:\n", CUSTOM_OBJECT + "\nloads:\n") + MATTER_RECORDS)
    server = server_for(version)
    try:
        before = schema(server)
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            result = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server))
            assert result.success
            opportunities = {o["id"] for o in server.records("opportunities")}
            records = server.records("matterRecords")
            assert len(records) == len(opportunities) > 0
            assert {r["opportunityId"] for r in records} == opportunities  # every record linked to its matter
            assert run_rollback(spec, destination(server), ledger_url, tmp_path, instance, remove_schema=True).success
        assert schema(server) == before
    finally:
        server.stop()
