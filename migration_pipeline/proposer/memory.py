"""What people confirmed before, per source system and object, so the next proposal starts from it.

A confirmed decision says: in exports of `system`, column `column` of `object` goes to `target`'s
field `field`. The file is small JSON (one entry per confirmed column) kept beside the other
artifacts; the proposer reads it first and treats a remembered decision as certain.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_PATH = Path(".artifacts") / "proposer_memory.json"


@dataclass(frozen=True)
class Remembered:
    target: str  # destination object
    field: str  # destination field path
    confirmed_by: str


class DecisionMemory:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or os.environ.get("MIGRATION_PROPOSER_MEMORY") or DEFAULT_PATH)
        self._entries: dict[str, dict[str, dict[str, dict[str, str]]]] = (
            json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {})

    def recall(self, system: str, source_object: str, column: str) -> Remembered | None:
        entry = self._entries.get(system, {}).get(source_object, {}).get(column)
        return Remembered(**entry) if entry else None

    def remember(self, system: str, source_object: str, column: str, decision: Remembered) -> None:
        self._entries.setdefault(system, {}).setdefault(source_object, {})[column] = asdict(decision)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._entries, indent=2, sort_keys=True), encoding="utf-8")
