"""The dry-run destination: writes what would be sent, so the pipeline runs with no CRM at hand.

Per run it writes, under `<output_dir>/<migration>/<run_id>/`:
- `payloads/<NN>_<load>.jsonl`: every create/update payload, one JSON object per line;
- `import_csv/<NN>_<load>.csv`: the same records flattened for Twenty's CSV import, numbered in
  import order (companies before people before opportunities …), composite sub-fields as
  `field.subField` columns;
- `schema.json`: the custom fields and options the migration would create.
Workspace members come from a CSV (`email,first_name,last_name`); their ids are derived from the
email so that the same member always has the same id.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from migration_pipeline.destinations.base import (
    Destination,
    FileOpener,
    Member,
    NewFieldRequest,
    NewObjectRequest,
    Operation,
    SchemaResult,
    WriteContext,
    WriteOutcome,
)

_MEMBER_NAMESPACE = uuid.UUID("6f1c1f8e-3d0a-4a39-9f4e-2f8f8d1a7c55")


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in record.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        elif isinstance(value, list):
            flat[path] = ";".join(str(v) for v in value)
        else:
            flat[path] = value
    return flat


class DryRunDestination(Destination):
    output_dir: str = ".artifacts/dry_run"
    members_file: str | None = None

    def describe(self) -> str:
        return f"dry run into {self.output_dir}"

    def run_dir(self, migration: str, run_id: str) -> Path:
        return Path(self.output_dir) / migration / run_id

    def list_members(self) -> list[Member]:
        if not self.members_file:
            return []
        with open(self.members_file, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        return [
            Member(
                id=str(uuid.uuid5(_MEMBER_NAMESPACE, row["email"].strip().lower())),
                email=row["email"].strip(),
                name=f"{row.get('first_name', '')} {row.get('last_name', '')}".strip(),
            )
            for row in rows
            if row.get("email", "").strip()
        ]

    def ensure_fields(self, migration: str, requests: Sequence[NewFieldRequest], *, apply: bool) -> SchemaResult:
        result = SchemaResult(created=list(requests))
        if apply:
            path = Path(self.output_dir) / migration / "schema.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps([r.__dict__ for r in requests], indent=2, default=list), encoding="utf-8")
        return result

    def write(self, context: WriteContext, operation: Operation, records: Sequence[dict[str, Any]]) -> list[WriteOutcome]:
        stem = f"{context.position:02d}_{context.load}"
        base = self.run_dir(context.migration, context.run_id)
        payloads = base / "payloads" / f"{stem}.jsonl"
        table = base / "import_csv" / f"{stem}.csv"
        payloads.parent.mkdir(parents=True, exist_ok=True)
        table.parent.mkdir(parents=True, exist_ok=True)
        with payloads.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps({"operation": operation, "object": context.target, "record": record}, default=str))
                handle.write("\n")
        columns = ["id", *context.fields]
        new_table = not table.exists()
        with table.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            if new_table:
                writer.writeheader()
            writer.writerows(flatten(record) for record in records)
        return [WriteOutcome(id=record["id"]) for record in records]

    def missing_fields(self, fields_by_target: dict[str, Sequence[str]]) -> list[str]:
        return []  # the dry run accepts every field: it only records what would be sent

    def upload_file(self, context: WriteContext, name: str, size: int, opener: FileOpener) -> str:
        # Nothing is copied: the payload keeps the file's place in the export.
        return name

    def read(self, context: WriteContext, ids: Sequence[str]) -> list[dict[str, Any]]:
        """What the writes of every run so far add up to, replayed in the order they were written."""
        wanted, held = set(ids), {}
        files = (Path(self.output_dir) / context.migration).glob("*/payloads/*.jsonl")
        for path in sorted(files, key=lambda p: p.stat().st_mtime_ns):
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    event = json.loads(line)
                    if event["object"] != context.target:
                        continue
                    if event["operation"] == "delete":
                        held.pop(event["id"], None)
                    elif event["record"]["id"] in wanted:
                        held[event["record"]["id"]] = event["record"]
        return list(held.values())

    def ensure_objects(self, migration: str, requests: Sequence[NewObjectRequest], *, apply: bool) -> list[NewObjectRequest]:
        if apply and requests:
            path = Path(self.output_dir) / migration / "objects.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps([r.__dict__ for r in requests], indent=2), encoding="utf-8")
        return list(requests)

    def remove_object(self, plural: str) -> list[str]:
        return []

    def remove_field(self, change: NewFieldRequest) -> list[str]:
        path = Path(self.output_dir) / "schema_removed.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(change.__dict__, default=list) + "\n")
        return []

    def delete(self, context: WriteContext, ids: Sequence[str]) -> list[WriteOutcome]:
        path = self.run_dir(context.migration, context.run_id) / "payloads" / f"{context.position:02d}_{context.load}.deleted.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(json.dumps({"operation": "delete", "object": context.target, "id": i}) + "\n" for i in ids)
        return [WriteOutcome(id=i) for i in ids]
