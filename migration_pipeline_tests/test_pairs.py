"""Every pair's sample export into the Twenty test server (v1.5 and v2.4) and into the dry run: full
accounting, links that all point at records the destination holds, and a second run that creates nothing."""

import pytest
import sqlalchemy as sa

from migration_pipeline.ledger.store import Ledger, id_map
from migration_pipeline.defs.jobs import build_reconcile_job, build_rollback_job
from migration_pipeline.destinations.base import WriteContext
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline_tests.pairs import PAIRS, run_job, start_pair, twenty_destination, workspace_schema


@pytest.fixture(scope="module", params=[(name, version) for name in PAIRS for version in ("v1.5", "v2.4", None)],
                ids=lambda p: f"{p[0]}-{p[1] or 'dry-run'}")
def twice(request, tmp_path_factory):
    name, version = request.param
    run = start_pair(name, version, tmp_path_factory.mktemp(f"{name}_{version or 'dry'}"))
    run.run_again()
    yield run
    if run.server:
        run.server.stop()


def _ledger(run):
    ledger = Ledger(run.ledger_url)
    with ledger.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.select(id_map))]
    ledger.dispose()
    return rows


def test_every_source_row_is_accounted_for_in_both_runs(twice):
    for attempt in (0, 1):
        checks = twice.checks(attempt)
        assert twice.results[attempt].success
        assert set(checks) == {load.name for load in twice.spec.loads}
        assert all(check["passed"] for check in checks.values()), checks
    first = twice.checks(0)
    assert sum(check["created"] for check in first.values()) > 100


def test_the_second_run_creates_and_updates_nothing(twice):
    second = twice.checks(1)
    assert sum(check["created"] + check["updated"] for check in second.values()) == 0, second
    first = twice.checks(0)
    for load, check in second.items():
        # What loaded the first time is unchanged now; what was quarantined is quarantined again.
        assert check["unchanged"] + check["merged"] == first[load]["created"] + first[load]["updated"] + first[load]["merged"]
        assert check["quarantined"] == first[load]["quarantined"]


def held(run, target: str, ids: set[str]) -> dict[str, dict]:
    """The records the destination holds for `target`: every one (Twenty), or those among `ids` that
    the dry run's writes add up to."""
    if run.server is not None:
        return {record["id"]: record for record in run.server.records(target)}
    dry_run = DryRunDestination(output_dir=str(run.out / "dry_run"), members_file=str(run.out / "members.csv"))
    return {record["id"]: record for record in dry_run.read(WriteContext(run.spec.migration, "", "", target, 0, ()), sorted(ids))}


def test_the_destination_holds_exactly_what_the_ledger_says(twice):
    rows = _ledger(twice)
    for target in {load.target for load in twice.spec.loads}:
        expected = {r["dest_id"] for r in rows if r["dest_object"] == target and r["outcome"] not in ("merged", "patched")}
        assert expected and set(held(twice, target, expected)) == expected, target


def test_every_link_points_at_a_record_the_destination_holds(twice):
    rows = _ledger(twice)
    ids = {target: {r["dest_id"] for r in rows if r["dest_object"] == target} for target in {load.target for load in twice.spec.loads}}
    records = {target: held(twice, target, wanted) for target, wanted in ids.items()}
    destination = twenty_destination(twice.server) if twice.server else None
    links = 0
    for load in twice.spec.loads:
        for name, rule in load.fields.items():
            if not rule.relation:
                continue
            field = destination.field_name(load.target, name) if destination else name
            related = records[twice.spec.load(rule.relation).target]
            values = [record.get(field) for record in records[load.target].values()]
            assert all(value in related for value in values if value), (load.name, field)
            links += sum(1 for value in values if value)
    assert links > 100


def test_reconciliation_finds_everything_the_ledger_says_was_written(twice):
    result = run_job(twice, build_reconcile_job(twice.spec, str(twice.out)))
    assert result.success, [str(e.event_specific_data) for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


def test_a_full_rollback_leaves_the_destination_as_it_was(twice):
    """Last in the module: it undoes what the fixture loaded."""
    written = {}
    for row in _ledger(twice):
        written.setdefault(row["dest_object"], set()).add(row["dest_id"])
    config = {"ops": {f"{twice.spec.migration}__rollback": {"config": {"remove_schema": True}}}}
    assert run_job(twice, build_rollback_job(twice.spec, str(twice.out)), config).success
    assert _ledger(twice) == []
    if twice.server is not None:  # custom objects, fields and added stages gone; standard objects empty again
        assert workspace_schema(twice.server) == twice.schema_before
    for target, ids in written.items():
        if twice.server is None or target in twice.schema_before:
            assert held(twice, target, ids) == {}, target
