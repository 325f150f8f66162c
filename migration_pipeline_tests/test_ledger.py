"""The ledger on SQLite and on the real PostgreSQL server (both parametrised by the fixture)."""

import pytest
import sqlalchemy as sa

from migration_pipeline.ledger.store import Ledger


def _map(key, dest, digest="h1", dedupe=None, outcome="created"):
    return {"source_key": key, "dest_object": "people", "dest_id": dest, "payload_hash": digest,
            "dedupe_value": dedupe, "outcome": outcome, "created_by_us": outcome == "created"}


def test_id_map_round_trip_and_upsert_keeps_first_run(ledger):
    ledger.record("m", "run-1", "people", mappings=[_map("P-1", "id-1"), _map("P-2", "id-2")])
    ledger.record("m", "run-2", "people", mappings=[_map("P-1", "id-1", digest="h2")])
    found = ledger.lookup("m", "people", ["P-1", "P-2", "P-404"])
    assert set(found) == {"P-1", "P-2"}
    assert found["P-1"].payload_hash == "h2" and found["P-1"].last_run_id == "run-2"
    assert found["P-2"].dest_id == "id-2"
    assert ledger.mapped_count("m", "people") == 2
    assert ledger.lookup("other-migration", "people", ["P-1"]) == {}


def test_lookups_work_beyond_one_sql_slice(ledger):
    ledger.record("m", "r", "people", mappings=[_map(f"P-{i}", f"id-{i}") for i in range(1_200)])
    assert len(ledger.lookup("m", "people", [f"P-{i}" for i in range(1_300)])) == 1_200


def test_dedupe_lookup_ignores_merged_rows(ledger):
    ledger.record("m", "r", "people", mappings=[
        _map("P-1", "id-1", dedupe="a@x.com"),
        _map("P-9", "id-1", dedupe="a@x.com", outcome="merged"),
    ])
    assert ledger.lookup_dedupe("m", "people", ["a@x.com", "b@x.com"]) == {"a@x.com": ("P-1", "id-1")}


def test_audit_counts_and_quarantine_per_run(ledger):
    ledger.start_run("m", "people", "r1", "full", "hash")
    ledger.record("m", "r1", "people",
                  audit=[{"source_key": "P-1", "action": "created"}, {"source_key": "P-2", "action": "quarantined"}],
                  quarantined=[{"source_key": "P-2", "row_number": 2, "field": "emails", "reason": "bad email"}])
    assert ledger.outcome_counts("m", "r1", "people") == {"created": 1, "updated": 0, "unchanged": 0, "merged": 0, "quarantined": 1}
    assert ledger.quarantine_reasons("m", "r1", "people") == [{"source_key": "P-2", "row_number": 2, "field": "emails", "reason": "bad email"}]
    assert ledger.latest_run("m", "people") == "r1"
    assert ledger.latest_run("m", "companies") is None


def test_a_failed_transaction_writes_nothing(ledger):
    with pytest.raises(sa.exc.IntegrityError):
        ledger.record("m", "r", "people", mappings=[_map("P-1", "id-1")], audit=[{"source_key": "P-1"}])  # no action
    assert ledger.lookup("m", "people", ["P-1"]) == {}


def test_the_ledger_survives_reopening(ledger_url):
    first = Ledger(ledger_url)
    first.record("m", "r", "people", mappings=[_map("P-1", "id-1")])
    first.dispose()
    second = Ledger(ledger_url)
    assert second.lookup("m", "people", ["P-1"])["P-1"].dest_id == "id-1"
    second.dispose()
