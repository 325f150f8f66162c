"""Dagster resources: the ledger and the export. Destinations live in `destinations/`."""

from __future__ import annotations

from functools import cached_property

import dagster as dg
from pydantic import PrivateAttr

from migration_pipeline.ledger.store import Ledger
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive


class LedgerResource(dg.ConfigurableResource):
    """The ledger database: a SQLAlchemy URL (SQLite file or PostgreSQL); it may hold a password."""

    url: str

    _ledger: Ledger | None = PrivateAttr(default=None)

    def get(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger(self.url)
        return self._ledger

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._ledger is not None:
            self._ledger.dispose()


class ExportResource(dg.ConfigurableResource):
    """A vendor export: a folder or ZIP. `chunk_rows` bounds memory while streaming it."""

    path: str
    chunk_rows: int = DEFAULT_CHUNK_ROWS

    @cached_property
    def archive(self) -> ExportArchive:
        return ExportArchive(self.path)
