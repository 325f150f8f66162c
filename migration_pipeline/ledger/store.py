"""The ledger: what makes re-runs idempotent, foreign keys resolvable and rollback exact.

SQLAlchemy Core over a SQLite file by default or PostgreSQL from a URL. It keeps, per migration
and load, `source_key → destination id` with the payload hash and whether we created the record,
the audit log of every operation, the quarantine, and the runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

metadata = sa.MetaData()

id_map = sa.Table(
    "id_map",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("load", sa.String(100), primary_key=True),
    sa.Column("source_key", sa.String(400), primary_key=True),
    sa.Column("dest_object", sa.String(100), nullable=False),
    sa.Column("dest_id", sa.String(100), nullable=False),
    sa.Column("payload_hash", sa.String(64)),
    sa.Column("dedupe_value", sa.String(400)),
    sa.Column("outcome", sa.String(20), nullable=False),  # created | matched | merged
    sa.Column("created_by_us", sa.Boolean, nullable=False),
    sa.Column("before_image", sa.JSON(none_as_null=True)),
    sa.Column("first_run_id", sa.String(64), nullable=False),
    sa.Column("last_run_id", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_id_map_dedupe", "migration", "load", "dedupe_value"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("migration", sa.String(100), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("load", sa.String(100), nullable=False),
    sa.Column("source_key", sa.String(400)),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("dest_id", sa.String(100)),
    sa.Column("detail", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_audit_run", "migration", "run_id", "load", "action"),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("migration", sa.String(100), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("load", sa.String(100), nullable=False),
    sa.Column("source_key", sa.String(400)),
    sa.Column("row_number", sa.Integer),
    sa.Column("field", sa.String(200)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_quarantine_run", "migration", "run_id", "load"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("load", sa.String(100), primary_key=True),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("mapping_hash", sa.String(64), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
)

samples = sa.Table(
    "samples",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("mapping_hash", sa.String(64), nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("disagreements", sa.Integer, nullable=False),
    sa.Column("report", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("mapping_hash", sa.String(64), primary_key=True),
    sa.Column("sample_run_id", sa.String(64), nullable=False),
    sa.Column("approved_by", sa.String(200), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

watermarks = sa.Table(  # the newest source modified-at a run loaded: where delta pickup starts
    "watermarks",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("load", sa.String(100), primary_key=True),
    sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
)

expected = sa.Table(  # what a few records of each load were written as: reconciliation's field diff
    "expected",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("load", sa.String(100), primary_key=True),
    sa.Column("source_key", sa.String(400), primary_key=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("source", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
)

schema_changes = sa.Table(  # fields the migration created, options it added: what a full rollback removes
    "schema_changes",
    metadata,
    sa.Column("migration", sa.String(100), primary_key=True),
    sa.Column("target", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("created_field", sa.Boolean, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),  # option values added to a field that existed before
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

ACTIONS = ("created", "updated", "unchanged", "merged", "quarantined")  # what a load does to a source row
_SLICE = 500


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class MappedRecord:
    dest_id: str
    payload_hash: str | None
    outcome: str
    last_run_id: str


def _slices(items: Sequence[Any], size: int = _SLICE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Ledger:
    def __init__(self, url: str):
        self.engine = sa.create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def _insert(self) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert

    def start_run(self, migration: str, load: str, run_id: str, mode: str, mapping_hash: str) -> None:
        statement = self._insert()(runs).values(
            run_id=run_id, migration=migration, load=load, mode=mode, mapping_hash=mapping_hash, started_at=now()
        )
        with self.engine.begin() as connection:
            connection.execute(statement.on_conflict_do_nothing(index_elements=["run_id", "migration", "load"]))

    def lookup(self, migration: str, load: str, keys: Iterable[str]) -> dict[str, MappedRecord]:
        found: dict[str, MappedRecord] = {}
        unique = list(dict.fromkeys(keys))
        query = sa.select(
            id_map.c.source_key, id_map.c.dest_id, id_map.c.payload_hash, id_map.c.outcome, id_map.c.last_run_id
        )
        with self.engine.connect() as connection:
            for part in _slices(unique):
                rows = connection.execute(
                    query.where(id_map.c.migration == migration, id_map.c.load == load, id_map.c.source_key.in_(part))
                )
                found.update(
                    {r.source_key: MappedRecord(r.dest_id, r.payload_hash, r.outcome, r.last_run_id) for r in rows}
                )
        return found

    def lookup_dedupe(self, migration: str, load: str, values: Iterable[str]) -> dict[str, tuple[str, str]]:
        """dedupe value → (surviving source key, destination id) among records already mapped."""
        found: dict[str, tuple[str, str]] = {}
        unique = list(dict.fromkeys(values))
        query = sa.select(id_map.c.dedupe_value, id_map.c.source_key, id_map.c.dest_id).where(
            id_map.c.outcome != "merged"
        )
        with self.engine.connect() as connection:
            for part in _slices(unique):
                rows = connection.execute(
                    query.where(
                        id_map.c.migration == migration, id_map.c.load == load, id_map.c.dedupe_value.in_(part)
                    )
                )
                for row in rows:
                    found.setdefault(row.dedupe_value, (row.source_key, row.dest_id))
        return found

    def record(
        self,
        migration: str,
        run_id: str,
        load: str,
        mappings: Sequence[dict[str, Any]] = (),
        audit: Sequence[dict[str, Any]] = (),
        quarantined: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Write a chunk's outcome in one transaction, after the destination accepted it."""
        stamp = now()
        base = {"migration": migration, "load": load}
        with self.engine.begin() as connection:
            if mappings:
                rows = [{**base, **m, "first_run_id": run_id, "last_run_id": run_id, "updated_at": stamp} for m in mappings]
                statement = self._insert()(id_map)
                keep_first = {"first_run_id", "created_by_us", "migration", "load", "source_key", "before_image"}
                excluded = statement.excluded
                updates = {c.name: excluded[c.name] for c in id_map.columns if c.name not in keep_first}
                # The before-image is the record as it was before this migration first touched it.
                updates["before_image"] = sa.func.coalesce(id_map.c.before_image, excluded.before_image)
                statement = statement.on_conflict_do_update(index_elements=["migration", "load", "source_key"], set_=updates)
                connection.execute(statement, rows)
            if audit:
                connection.execute(
                    audit_log.insert(), [{**base, "run_id": run_id, "at": stamp, **event} for event in audit]
                )
            if quarantined:
                connection.execute(
                    quarantine.insert(), [{**base, "run_id": run_id, "at": stamp, **row} for row in quarantined]
                )

    def outcome_counts(self, migration: str, run_id: str, load: str) -> dict[str, int]:
        query = (
            sa.select(audit_log.c.action, sa.func.count())
            .where(audit_log.c.migration == migration, audit_log.c.run_id == run_id, audit_log.c.load == load)
            .group_by(audit_log.c.action)
        )
        with self.engine.connect() as connection:
            counts = dict(connection.execute(query).all())
        return {action: int(counts.get(action, 0)) for action in ACTIONS}

    def quarantine_reasons(self, migration: str, run_id: str, load: str, limit: int = 1000) -> list[dict[str, Any]]:
        query = (
            sa.select(quarantine.c.source_key, quarantine.c.row_number, quarantine.c.field, quarantine.c.reason)
            .where(quarantine.c.migration == migration, quarantine.c.run_id == run_id, quarantine.c.load == load)
            .order_by(quarantine.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def latest_run(self, migration: str, load: str, modes: Sequence[str] = ("full", "delta")) -> str | None:
        """The newest run that accounted for the whole export (a sample run does not)."""
        query = (
            sa.select(runs.c.run_id)
            .where(runs.c.migration == migration, runs.c.load == load, runs.c.mode.in_(modes))
            .order_by(runs.c.started_at.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def entries(self, migration: str, load: str, page: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """Every id-map row of a load, a page at a time (memory stays flat)."""
        query = (
            sa.select(id_map.c.source_key, id_map.c.dest_id, id_map.c.outcome, id_map.c.created_by_us, id_map.c.before_image)
            .where(id_map.c.migration == migration, id_map.c.load == load)
            .order_by(id_map.c.source_key)
        )
        after = ""
        while True:
            with self.engine.connect() as connection:
                rows = [dict(r._mapping) for r in connection.execute(query.where(id_map.c.source_key > after).limit(page))]
            if not rows:
                return
            yield rows
            after = rows[-1]["source_key"]

    def forget(self, migration: str, run_id: str, load: str, keys: Sequence[str], audit: Sequence[dict[str, Any]]) -> None:
        """Drop id-map rows once the destination no longer holds them, with their audit events."""
        stamp = now()
        with self.engine.begin() as connection:
            for part in _slices(list(keys)):
                connection.execute(
                    id_map.delete().where(id_map.c.migration == migration, id_map.c.load == load, id_map.c.source_key.in_(part))
                )
                connection.execute(
                    expected.delete().where(expected.c.migration == migration, expected.c.load == load, expected.c.source_key.in_(part))
                )
            if audit:
                connection.execute(audit_log.insert(), [
                    {"migration": migration, "load": load, "run_id": run_id, "at": stamp, **event} for event in audit
                ])

    def mapped_count(self, migration: str, load: str) -> int:
        query = sa.select(sa.func.count()).where(id_map.c.migration == migration, id_map.c.load == load)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def record_schema_changes(self, migration: str, changes: Sequence[Any]) -> None:
        """Remember fields created and options added (NewFieldRequest-like: target, name, type, create, options)."""
        with self.engine.begin() as connection:
            for change in changes:
                key = (schema_changes.c.migration == migration, schema_changes.c.target == change.target,
                       schema_changes.c.name == change.name)
                known = connection.execute(sa.select(schema_changes).where(*key)).first()
                if known is None:
                    connection.execute(schema_changes.insert().values(
                        migration=migration, target=change.target, name=change.name, type=change.type,
                        created_field=change.create, options=[] if change.create else list(change.options), at=now()))
                elif not known.created_field:
                    options = list(dict.fromkeys([*known.options, *change.options]))
                    connection.execute(schema_changes.update().where(*key).values(options=options))

    def schema_changes(self, migration: str) -> list[dict[str, Any]]:
        query = sa.select(schema_changes).where(schema_changes.c.migration == migration).order_by(schema_changes.c.at)
        with self.engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(query)]

    def forget_schema_change(self, migration: str, target: str, name: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(schema_changes.delete().where(
                schema_changes.c.migration == migration, schema_changes.c.target == target, schema_changes.c.name == name))

    def keep_expected(self, migration: str, load: str, run_id: str, records: Sequence[dict[str, Any]]) -> None:
        """Remember what these records were written as (`source_key`, `payload`, `source`)."""
        if not records:
            return
        rows = [{"migration": migration, "load": load, "run_id": run_id, **r} for r in records]
        statement = self._insert()(expected)
        statement = statement.on_conflict_do_update(
            index_elements=["migration", "load", "source_key"],
            set_={"payload": statement.excluded.payload, "source": statement.excluded.source, "run_id": statement.excluded.run_id})
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    def expected_records(self, migration: str, load: str, limit: int) -> list[dict[str, Any]]:
        query = (sa.select(expected.c.source_key, expected.c.payload, expected.c.source)
                 .where(expected.c.migration == migration, expected.c.load == load)
                 .order_by(expected.c.source_key).limit(limit))
        with self.engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(query)]

    def missing_keys(self, migration: str, load: str, present: Iterable[Sequence[str]]) -> list[str]:
        """Mapped source keys absent from `present` (chunks of the export's keys), compared in the database."""
        scratch = sa.Table("present_keys", sa.MetaData(), sa.Column("source_key", sa.String(400)), prefixes=["TEMPORARY"])
        with self.engine.begin() as connection:
            scratch.create(connection)
            for keys in present:
                if len(keys):
                    connection.execute(scratch.insert(), [{"source_key": k} for k in keys])
            query = (sa.select(id_map.c.source_key)
                     .where(id_map.c.migration == migration, id_map.c.load == load,
                            ~sa.exists().where(scratch.c.source_key == id_map.c.source_key))
                     .order_by(id_map.c.source_key))
            missing = list(connection.execute(query).scalars())
            scratch.drop(connection)
        return missing

    def record_sample(self, migration: str, run_id: str, mapping_hash: str, records: int, disagreements: int, report: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(samples.delete().where(samples.c.migration == migration, samples.c.run_id == run_id))
            connection.execute(samples.insert().values(migration=migration, run_id=run_id, mapping_hash=mapping_hash, records=records,
                                                       disagreements=disagreements, report=report, at=now()))

    def sample(self, migration: str, run_id: str | None = None, mapping_hash: str | None = None) -> dict[str, Any] | None:
        """A sample run by id, or the newest one for a mapping hash."""
        query = sa.select(samples).where(samples.c.migration == migration).order_by(samples.c.at.desc()).limit(1)
        if run_id:
            query = query.where(samples.c.run_id == run_id)
        if mapping_hash:
            query = query.where(samples.c.mapping_hash == mapping_hash)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return dict(row._mapping) if row else None

    def approve(self, migration: str, mapping_hash: str, sample_run_id: str, approved_by: str, note: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(approvals.delete().where(approvals.c.migration == migration, approvals.c.mapping_hash == mapping_hash))
            connection.execute(approvals.insert().values(migration=migration, mapping_hash=mapping_hash, sample_run_id=sample_run_id,
                                                         approved_by=approved_by, note=note, at=now()))

    def approval(self, migration: str, mapping_hash: str) -> dict[str, Any] | None:
        query = sa.select(approvals).where(approvals.c.migration == migration, approvals.c.mapping_hash == mapping_hash)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return dict(row._mapping) if row else None

    def record_watermark(self, migration: str, run_id: str, load: str, modified_at: dt.datetime) -> None:
        key = (watermarks.c.migration == migration, watermarks.c.run_id == run_id, watermarks.c.load == load)
        with self.engine.begin() as connection:
            connection.execute(watermarks.delete().where(*key))
            connection.execute(watermarks.insert().values(migration=migration, run_id=run_id, load=load, modified_at=modified_at))

    def watermark(self, migration: str) -> dt.datetime | None:
        """The newest source change any run of the migration has loaded."""
        query = sa.select(sa.func.max(watermarks.c.modified_at)).where(watermarks.c.migration == migration)
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar_one_or_none()
        if value is not None and value.tzinfo is None:  # SQLite hands datetimes back naive
            value = value.replace(tzinfo=dt.timezone.utc)
        return value

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
