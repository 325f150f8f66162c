"""The Profi, OplaCRM and BackDocket → Twenty pairs run end to end: each pair's committed sample export,
its mapping, the Twenty test server (or the dry run), a real Dagster instance, twice."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.ledger.store import Ledger, audit_log, quarantine
from migration_pipeline.mapping.spec import MappingSpec, load_spec
from migration_pipeline.pipeline.payloads import destination_id
from migration_pipeline.sources.export import ExportArchive
from migration_pipeline_tests.conftest import ROOT
from migration_pipeline_tests.helpers import check_results, materialize_all, resources, write_members
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
    schema_before: dict[str, Any] = field(default_factory=dict)  # the workspace's fields before the migration

    def checks(self, run: int = 0) -> dict[str, dict]:
        return check_results(self.results[run])

    def run_again(self) -> Any:
        result = _materialize(self)
        self.results.append(result)
        return result


def pair_fixture(name: str, version: str) -> Any:
    """A module fixture: the pair's sample loaded once into a Twenty test server of `version`."""
    @pytest.fixture(scope="module")
    def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PairRun]:
        loaded = start_pair(name, version, tmp_path_factory.mktemp(name))
        yield loaded
        if loaded.server:
            loaded.server.stop()

    return run


def record(run: PairRun, target: str, load: str, key: str) -> dict[str, Any]:
    """The destination record a load made of one source row (ids are derived from the key)."""
    wanted = destination_id(run.spec.migration, load, key)
    found = [r for r in run.server.records(target) if r["id"] == wanted] if run.server else []
    assert found, f"{load} {key} is not in the destination"
    return found[0]


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
    run.schema_before = workspace_schema(server) if server else {}
    run.run_again()
    return run


def workspace_schema(server: TwentyServer) -> dict[str, Any]:
    """Every object's fields, and the options of each select, as the metadata API reports them."""
    objects = twenty_destination(server).workspace(refresh=True).objects
    return {plural: {name: sorted(o["value"] for o in f.get("options") or []) for name, f in info.fields.items()}
            for plural, info in objects.items()}


def run_job(run: PairRun, job: Any, run_config: dict[str, Any] | None = None) -> Any:
    """One of the migration's other jobs (reconcile, rollback) on the pair's export and destination."""
    destination = twenty_destination(run.server) if run.server else None
    members = None if run.server else run.out / "members.csv"
    with dg.instance_for_test() as instance:
        return job.execute_in_process(resources=resources(run.spec, run.export, run.ledger_url, run.out, members, destination),
                                      instance=instance, raise_on_error=False, run_config=run_config or {})


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
