"""Running the real asset graph in a Dagster test instance, and reading what it left behind."""

import json
from pathlib import Path

from migration_pipeline_tests.conftest import MAPPING

import dagster as dg

from migration_pipeline.defs.assets import build_migration_assets, plan_key
from migration_pipeline.defs.resources import ExportResource, LedgerResource
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.ledger.store import Ledger
from migration_pipeline.mapping.spec import MappingSpec, load_spec
from migration_pipeline.pipeline.migrate import approve


def resources(spec: MappingSpec, export: Path, ledger_url: str, out: Path, members: Path | None, destination=None) -> dict:
    return {
        "ledger": LedgerResource(url=ledger_url),
        f"{spec.migration}_export": ExportResource(path=str(export), chunk_rows=97),  # small chunks: many chunk borders
        f"{spec.migration}_destination": destination or DryRunDestination(output_dir=str(out / "dry_run"), members_file=str(members)),
    }


def approve_mapping(spec: MappingSpec, ledger_url: str) -> None:
    """Tests of the full run start where an operator would: the mapping's sample reviewed and approved.
    (The sample → approval path itself is exercised in test_lifecycle.)"""
    ledger = Ledger(ledger_url)
    ledger.record_sample(spec.migration, "reviewed-sample", spec.content_hash, 0, 0, "")
    approve(spec, ledger, "test operator")
    ledger.dispose()


def materialize_all(spec: MappingSpec, export: Path, ledger_url: str, out: Path, members: Path | None, instance, destination=None):
    """The full run's assets (the plan is its own job) on an approved mapping."""
    approve_mapping(spec, ledger_url)
    assets = [a for a in build_migration_assets(spec, str(out)) if plan_key(spec) not in a.keys]
    return dg.materialize(assets, resources=resources(spec, export, ledger_url, out, members, destination),
                          instance=instance, raise_on_error=False)


def check_results(result) -> dict[str, dict]:
    found = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            found[data.asset_key.path[-1]] = {"passed": data.passed, **{k: v.value for k, v in data.metadata.items()}}
    return found


def payloads(out: Path, migration: str, run_id: str) -> dict[str, list[dict]]:
    """Records written per load by the dry-run destination in one run, keyed by load name."""
    folder = out / "dry_run" / migration / f"{run_id}:0" / "payloads"
    found: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        load = path.stem.split("_", 1)[1]
        found[load] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def edited_spec(tmp_path: Path, old: str, new: str):
    """The project's mapping with one edit, as an operator would save it."""
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mappings" / MAPPING.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_spec(path)


def write_members(path: Path, emails: list[str]) -> Path:
    path.write_text("email,first_name,last_name\n" + "".join(f"{e},,\n" for e in emails), encoding="utf-8")
    return path
