"""Running the real asset graph in a Dagster test instance, and reading what it left behind."""

import json
from pathlib import Path

import dagster as dg

from migration_pipeline.defs.assets import build_migration_assets
from migration_pipeline.defs.resources import ExportResource, LedgerResource
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.mapping.spec import MappingSpec


def resources(spec: MappingSpec, export: Path, ledger_url: str, out: Path, members: Path | None, destination=None) -> dict:
    return {
        "ledger": LedgerResource(url=ledger_url),
        f"{spec.migration}_export": ExportResource(path=str(export), chunk_rows=97),  # small chunks: many chunk borders
        f"{spec.migration}_destination": destination or DryRunDestination(output_dir=str(out / "dry_run"), members_file=str(members)),
    }


def materialize_all(spec: MappingSpec, export: Path, ledger_url: str, out: Path, members: Path | None, instance, destination=None):
    assets = build_migration_assets(spec, str(out))
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


def write_members(path: Path, emails: list[str]) -> Path:
    path.write_text("email,first_name,last_name\n" + "".join(f"{e},,\n" for e in emails), encoding="utf-8")
    return path
