"""The database: one table (id -> row) per model, id sequences, and all-or-nothing calls.

Every RPC call on the real server runs in one PostgreSQL transaction: an exception anywhere undoes
everything the call did (a batch create whose third record is invalid creates none), and `load`
rolls back every row when one row is bad. Rows are only changed through `insert`, `update` and
`delete`, which journal the previous state while a call runs; `atomic()` replays the journal
backwards on an exception, `savepoint()`/`rollback_to()` let `load` undo its own work and still
answer. Like PostgreSQL sequences, ids handed out are not given back by a rollback.

Rows hold stored values only, as Python values: None for empty, tuples for many2many ids.
Callers never mutate a row in place. `generation` changes whenever custom fields may have
changed (and on every rollback), so the schema cache knows when to rebuild.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

_ABSENT = object()


class Database:
    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.sequences: dict[str, int] = defaultdict(int)
        self.lock = threading.RLock()  # one call at a time, as if every call took a table lock
        self.generation = 0
        self._journal: list[tuple[Any, ...]] | None = None
        # unique keys looked up often (xmlids by module+name, users by login): key -> id
        self._keys: dict[str, dict[str, Callable[[dict[str, Any]], Hashable]]] = defaultdict(dict)
        self._index: dict[tuple[str, str], dict[Hashable, int]] = defaultdict(dict)

    def add_index(self, model: str, name: str, key: Callable[[dict[str, Any]], Hashable]) -> None:
        self._keys[model][name] = key
        for row in self.tables[model].values():
            self._index[(model, name)][key(row)] = row["id"]

    def lookup(self, model: str, name: str, key: Hashable) -> int | None:
        return self._index[(model, name)].get(key)

    def _reindex(self, model: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        for name, key in self._keys.get(model, {}).items():
            index = self._index[(model, name)]
            if old is not None and index.get(key(old)) == old["id"]:
                del index[key(old)]
            if new is not None:
                index[key(new)] = new["id"]

    # ---- reads -------------------------------------------------------------------------------
    def rows(self, model: str) -> dict[int, dict[str, Any]]:
        return self.tables[model]

    def row(self, model: str, rid: Any) -> dict[str, Any] | None:
        return self.tables[model].get(rid) if isinstance(rid, int) and not isinstance(rid, bool) else None

    # ---- writes ------------------------------------------------------------------------------
    def next_id(self, model: str) -> int:
        self.sequences[model] += 1
        return self.sequences[model]

    def insert(self, model: str, values: dict[str, Any], rid: int | None = None) -> int:
        if rid is None:
            rid = self.next_id(model)
        else:
            self.sequences[model] = max(self.sequences[model], rid)
        self.tables[model][rid] = {**values, "id": rid}
        self._reindex(model, None, self.tables[model][rid])
        self._log(("insert", model, rid))
        return rid

    def update(self, model: str, rid: int, values: dict[str, Any]) -> None:
        row = self.tables[model][rid]
        self._log(("update", model, rid, {key: row.get(key, _ABSENT) for key in values}))
        self.tables[model][rid] = {**row, **values}
        self._reindex(model, row, self.tables[model][rid])

    def delete(self, model: str, rid: int) -> None:
        row = self.tables[model].pop(rid)
        self._reindex(model, row, None)
        self._log(("delete", model, rid, row))

    def schema_changed(self) -> None:
        self.generation += 1

    # ---- transactions ------------------------------------------------------------------------
    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One call: on an exception, undo everything it changed, then re-raise."""
        outer = self._journal is None
        if outer:
            self._journal = []
        mark = len(self._journal or [])
        try:
            yield
        except BaseException:
            self.rollback_to(mark)
            raise
        finally:
            if outer:
                self._journal = None

    def savepoint(self) -> int:
        return len(self._journal) if self._journal is not None else 0

    def rollback_to(self, mark: int) -> None:
        journal = self._journal or []
        while len(journal) > mark:
            entry = journal.pop()
            kind, model, rid = entry[0], entry[1], entry[2]
            table = self.tables[model]
            if kind == "insert":
                self._reindex(model, table.pop(rid, None), None)
            elif kind == "delete":
                table[rid] = entry[3]
                self._reindex(model, None, entry[3])
            else:
                row = dict(table[rid])
                for key, old in entry[3].items():
                    if old is _ABSENT:
                        row.pop(key, None)
                    else:
                        row[key] = old
                self._reindex(model, table[rid], row)
                table[rid] = row
        self.generation += 1

    def _log(self, entry: tuple[Any, ...]) -> None:
        if self._journal is not None:
            self._journal.append(entry)
