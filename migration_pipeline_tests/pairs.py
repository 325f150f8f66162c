"""The Profi, OplaCRM and BackDocket → Twenty pairs run end to end: each pair's committed sample export,
its mapping, the Twenty test server (or the dry run), a real Dagster instance, twice."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import sqlalchemy as sa

from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.ledger.store import Ledger, audit_log, quarantine
from migration_pipeline.mapping.spec import MappingSpec, load_spec
from migration_pipeline.sources.export import ExportArchive
from migration_pipeline_tests.conftest import ROOT
from migration_pipeline_tests.helpers import check_results, materialize_all, write_members
from migration_pipeline_tests.twenty_server import TwentyConfig, TwentyServer

KEY = "test-key-not-a-secret"
UNLIMITED = (10**9, 60.0)


@dataclass(frozen=True)
class Pair:
    source: str
    users_file: str
    # Source users who are NOT workspace members (their records show the unmatched-owner rule).
    not_members: tuple[str, ...] = ()

    @property
    def mapping(self) -> Path:
        return ROOT / "mappings" / f"{self.source}_to_twenty.yaml"

    @property
    def sample(self) -> Path:
        return ROOT / "data" / "samples" / self.source

    def spec(self) -> MappingSpec:
        return load_spec(self.mapping)

    def members(self) -> list[str]:
        with open(self.sample / self.users_file, encoding="utf-8") as handle:
            emails = [row["email"].strip() for row in csv.DictReader(handle)]
        return [e for e in emails if e not in self.not_members]


PAIRS = {
    "profi": Pair("profi", "coaches.csv"),
    "oplacrm": Pair("oplacrm", "users.csv", not_members=("former.rep@tanjongsupply.example",)),
    "backdocket": Pair("backdocket", "users.csv"),
}


@dataclass
class PairRun:
    pair: Pair
    spec: MappingSpec
    export: Path
    ledger_url: str
    out: Path
    results: list[Any] = field(default_factory=list)
    server: TwentyServer | None = None

    def checks(self, run: int = 0) -> dict[str, dict]:
        return check_results(self.results[run])

    def run_again(self) -> Any:
        result = _materialize(self)
        self.results.append(result)
        return result


def twenty_destination(server: TwentyServer) -> TwentyDestination:
    return TwentyDestination(base_url=server.url, api_key=KEY, requests_per_minute=0, batch_size=60)


def _materialize(run: PairRun) -> Any:
    destination = twenty_destination(run.server) if run.server else None
    members = None if run.server else write_members(run.out / "members.csv", run.pair.members())
    with dg.instance_for_test() as instance:
        return materialize_all(run.spec, run.export, run.ledger_url, run.out, members, instance, destination=destination)


def start_pair(name: str, version: str | None, tmp: Path) -> PairRun:
    """The pair's sample loaded once, into the Twenty test server of `version` (None: the dry run)."""
    pair = PAIRS[name]
    export = tmp / "export"
    shutil.copytree(pair.sample, export)
    server = None
    if version is not None:
        server = TwentyServer(TwentyConfig(version=version, api_key=KEY, members=pair.members(), rest_rate_limit=UNLIMITED)).start()
    run = PairRun(pair, pair.spec(), export, f"sqlite:///{tmp / 'ledger.sqlite'}", tmp, server=server)
    run.run_again()
    return run


def source_rows(run: PairRun, file_name: str) -> dict[str, dict[str, str]]:
    """An export file's rows by their first column (the key), headers as the reader folds them."""
    archive = ExportArchive(str(run.export))
    rows: dict[str, dict[str, str]] = {}
    for chunk in archive.read_chunks(file_name, 10_000):
        frame = chunk.frame.astype("object").where(chunk.frame.notna(), None)
        for record in frame.to_dict("records"):
            rows[str(next(iter(record.values())))] = record
    return rows


def audit_rows(run: PairRun, load: str, action: str | None = None) -> list[dict[str, Any]]:
    """The audit log of one load, every run, as the ledger holds it."""
    query = sa.select(audit_log).where(audit_log.c.migration == run.spec.migration, audit_log.c.load == load)
    if action:
        query = query.where(audit_log.c.action == action)
    return _ledger_query(run, query)


def quarantine_rows(run: PairRun, load: str) -> list[dict[str, Any]]:
    return _ledger_query(run, sa.select(quarantine).where(quarantine.c.migration == run.spec.migration, quarantine.c.load == load))


def _ledger_query(run: PairRun, query: Any) -> list[dict[str, Any]]:
    ledger = Ledger(run.ledger_url)
    try:
        with ledger.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
    finally:
        ledger.dispose()
