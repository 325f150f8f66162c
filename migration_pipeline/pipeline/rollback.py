"""Rollback: undo one migration in the destination, exactly, resumably.

In reverse dependency order, each load's ledger rows are undone: records we created are
hard-deleted (a re-run must not collide with soft-deleted rows), records we matched get back the
fields we wrote, from their before-image, and merged rows only leave the ledger. A row leaves
the ledger only after the destination confirmed, so a killed rollback restarted later picks up
where it stopped; deleting a record that is already gone counts as done. Asked to, it then removes
the custom fields the migration created and the options it added, and it reports what the
destination keeps by itself (Twenty's timeline rows of deleted records, view fields).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.destinations.base import Destination, NewFieldRequest, WriteContext
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline.migrate import OBJECT


def restorable_fields(field_names: Sequence[str]) -> list[str]:
    """Top-level destination fields the load writes: what a restore must put back."""
    return sorted({name.split(".")[0] for name in field_names if name not in ("id", "createdAt")})


@dataclass
class RollbackResult:
    undone: dict[str, Counter[str]] = field(default_factory=dict)  # load → deleted / restored / forgotten
    schema_removed: list[str] = field(default_factory=list)  # "object.field" or "object.field options …"
    left_behind: list[str] = field(default_factory=list)  # traces the destination keeps by itself


def rollback(spec: MappingSpec, ledger: Ledger, destination: Destination, run_id: str,
             fields_by_load: dict[str, list[str]], remove_schema: bool = False) -> RollbackResult:
    """Undo every load, children first, then (when asked) the fields and options the migration created."""
    result = RollbackResult()
    for position, load in reversed(list(enumerate(spec.loads, start=1))):
        context = WriteContext(spec.migration, run_id, load.name, load.target, position, ())
        result.undone[load.name] = Counter()
        for page in ledger.entries(spec.migration, load.name):
            result.undone[load.name].update(_undo(spec, ledger, destination, context, load, page, fields_by_load.get(load.name, [])))
    deleted: Counter[str] = Counter()
    for load in spec.loads:
        deleted[load.target] += result.undone[load.name]["deleted"]
    result.left_behind += destination.traces_of_deleted(dict(deleted))
    if remove_schema:
        for change in reversed(ledger.schema_changes(spec.migration)):  # fields before the objects they sit on
            request = NewFieldRequest(change["target"], change["name"], change["type"], change["name"],
                                      tuple(change["options"]), change["created_field"])
            removed = destination.remove_object(request.target) if request.type == OBJECT else destination.remove_field(request)
            result.left_behind += removed
            ledger.forget_schema_change(spec.migration, change["target"], change["name"])
            result.schema_removed.append(f"{request.target} (custom object)" if request.type == OBJECT else
                                         f"{request.target}.{request.name}" + ("" if request.create else
                                                                              f" options {', '.join(request.options)}"))
    return result


def _undo(spec: MappingSpec, ledger: Ledger, destination: Destination, context: WriteContext, load: Load,
          rows: list[dict[str, Any]], field_names: list[str]) -> Counter[str]:
    created = [r for r in rows if r["created_by_us"]]
    matched = [r for r in rows if r["outcome"] == "matched" and not r["created_by_us"]]
    # A merged duplicate, or a record another load made and this one only updated (patched): undone with it.
    merged = [r for r in rows if r["outcome"] in ("merged", "patched")]
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
        audit.append({"source_key": row["source_key"], "action": "forgotten", "dest_id": row["dest_id"],
                      "detail": f"rollback: {row['outcome']} record, undone with the record it points at"})
    ledger.forget(spec.migration, context.run_id, load.name, finished, audit)
    return Counter(event["action"] for event in audit)
