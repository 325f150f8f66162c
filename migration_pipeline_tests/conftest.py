"""Shared fixtures: the project's mapping, ledgers on SQLite and on the real PostgreSQL."""

import uuid
from pathlib import Path

import psycopg
import pytest

from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "mappings" / "perfect_portal_to_twenty.yaml"
SAMPLE = ROOT / "data" / "samples" / "perfect_portal"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def spec():
    return load_spec(MAPPING)


@pytest.fixture
def postgres_url():
    """A fresh database on the real PostgreSQL server, dropped afterwards."""
    name = f"mp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def ledger(ledger_url):
    store = Ledger(ledger_url)
    yield store
    store.dispose()
