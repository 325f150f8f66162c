"""All Dagster definitions, assembled in one place: one asset group and one job per mapping file.

Defaults are embedded so that `dagster dev -w workspace.yaml` runs with no setup: the bundled
sample export, the dry-run destination and a SQLite ledger. The ledger URL comes from the
MIGRATION_LEDGER_URL environment variable (the committed `.env` points it at SQLite).
`definitions_live.py` is the same assembly bound to the real destinations (credentials through
`EnvVar`), loaded by `workspace.live.yaml`.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from migration_pipeline.defs.assets import build_migration_assets, resource_keys
from migration_pipeline.defs.jobs import build_reconcile_job, build_rollback_job
from migration_pipeline.defs.sensors import build_sensors
from migration_pipeline.defs.resources import ExportResource, LedgerResource
from migration_pipeline.destinations.base import Destination
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.mapping.spec import MappingSpec, load_spec, mapping_files

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
ARTIFACTS_DIR = PROJECT_ROOT / ".artifacts"
DRY_RUN_MEMBERS = PROJECT_ROOT / "data" / "dry_run_workspace_members.csv"


def load_job_name(migration: str) -> str:
    return f"{migration}_load"


def _destination(spec: MappingSpec, live: bool, artifacts_dir: Path) -> Destination:
    """The dry run by default; the real destination named by the mapping when `live`."""
    if not live:
        return DryRunDestination(output_dir=str(artifacts_dir / "dry_run"), members_file=str(DRY_RUN_MEMBERS))
    if spec.destination.system == "twenty":
        return TwentyDestination(base_url=dg.EnvVar("TWENTY_API_URL"), api_key=dg.EnvVar("TWENTY_API_KEY"))
    raise ValueError(f"{spec.migration}: no live destination for {spec.destination.system!r} yet")


def migration_resources(spec: MappingSpec, artifacts_dir: Path, live: bool = False) -> dict[str, dg.ConfigurableResource]:
    keys = resource_keys(spec)
    export_path = PROJECT_ROOT / (spec.source.sample_export or "")
    return {
        keys["export"]: ExportResource(path=str(export_path)),
        keys["destination"]: _destination(spec, live, artifacts_dir),
    }


def build_definitions(mappings_dir: Path = MAPPINGS_DIR, artifacts_dir: Path = ARTIFACTS_DIR, live: bool = False) -> dg.Definitions:
    assets: list = []
    jobs: list = []
    sensors: list = []
    resources: dict = {"ledger": LedgerResource(url=dg.EnvVar("MIGRATION_LEDGER_URL"))}
    for path in mapping_files(mappings_dir):
        spec = load_spec(path)
        assets += build_migration_assets(spec, str(artifacts_dir))
        resources.update(migration_resources(spec, artifacts_dir, live))
        load_job = dg.define_asset_job(load_job_name(spec.migration), selection=dg.AssetSelection.groups(spec.migration),
                                       description=f"Plan the schema, match owners and load every object of {spec.migration}.")
        reconcile_job, rollback_job = build_reconcile_job(spec), build_rollback_job(spec)
        jobs += [load_job, reconcile_job, rollback_job]
        sensors += build_sensors(spec, load_job, reconcile_job, rollback_job)
    return dg.Definitions(assets=assets, jobs=jobs, sensors=sensors, resources=resources)


defs = build_definitions()
