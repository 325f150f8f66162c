"""Rollback: undo one migration in the destination, exactly, resumably.

In reverse dependency order, each load's ledger rows are undone: records we created are
hard-deleted (a re-run must not collide with soft-deleted rows), records we matched get back the
fields we wrote, from their before-image, and merged rows only leave the ledger. A row leaves
the ledger only after the destination confirmed, so a killed rollback restarted later picks up
where it stopped; deleting a record that is already gone counts as done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from migration_pipeline.destinations.base import Destination, WriteContext
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import Load, MappingSpec


def restorable_fields(field_names: Sequence[str]) -> list[str]:
    """Top-level destination fields the load writes: what a restore must put back."""
    return sorted({name.split(".")[0] for name in field_names if name not in ("id", "createdAt")})


def rollback(spec: MappingSpec, ledger: Ledger, destination: Destination, run_id: str,
             fields_by_load: dict[str, list[str]]) -> dict[str, Counter[str]]:
    """Undo every load, children first; returns per load how many rows were deleted/restored/forgotten."""
    done: dict[str, Counter[str]] = {}
    for position, load in reversed(list(enumerate(spec.loads, start=1))):
        context = WriteContext(spec.migration, run_id, load.name, load.target, position, ())
        done[load.name] = Counter()
        for page in ledger.entries(spec.migration, load.name):
            done[load.name].update(_undo(spec, ledger, destination, context, load, page, fields_by_load.get(load.name, [])))
    return done


def _undo(spec: MappingSpec, ledger: Ledger, destination: Destination, context: WriteContext, load: Load,
          rows: list[dict[str, Any]], field_names: list[str]) -> Counter[str]:
    created = [r for r in rows if r["created_by_us"]]
    matched = [r for r in rows if r["outcome"] == "matched" and not r["created_by_us"]]
    merged = [r for r in rows if r["outcome"] == "merged"]
    audit, finished = [], []
    for start in range(0, len(created), destination.batch_size):
        part = created[start : start + destination.batch_size]
        for row, outcome in zip(part, destination.delete(context, [r["dest_id"] for r in part])):
            if outcome.ok:
                finished.append(row["source_key"])
                audit.append({"source_key": row["source_key"], "action": "deleted", "dest_id": row["dest_id"], "detail": "rollback"})
    keep = restorable_fields(field_names)
    restores = [{"id": r["dest_id"], **{k: r["before_image"].get(k) for k in keep if k in (r["before_image"] or {})}} for r in matched]
    for row, outcome in zip(matched, destination.write(context, "update", restores) if restores else []):
        if outcome.ok:
            finished.append(row["source_key"])
            audit.append({"source_key": row["source_key"], "action": "restored", "dest_id": row["dest_id"],
                          "detail": "rollback: fields written by the migration set back from the before-image"})
    for row in merged:
        finished.append(row["source_key"])
        audit.append({"source_key": row["source_key"], "action": "forgotten", "dest_id": row["dest_id"], "detail": "rollback: merged duplicate"})
    ledger.forget(spec.migration, context.run_id, load.name, finished, audit)
    return Counter(event["action"] for event in audit)
