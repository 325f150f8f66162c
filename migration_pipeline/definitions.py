"""All Dagster definitions, assembled in one place: one asset group and one job per mapping file.

Defaults are embedded so that `dagster dev -w workspace.yaml` runs with no setup: the bundled
sample export, the dry-run destination and a SQLite ledger. The ledger URL comes from the
MIGRATION_LEDGER_URL environment variable (the committed `.env` points it at SQLite).
`definitions_live.py` is the same assembly bound to the real destinations (credentials through
`EnvVar`), loaded by `workspace.live.yaml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from migration_pipeline.defs.assets import build_migration_assets, plan_key, resource_keys
from migration_pipeline.defs.jobs import (
    build_approve_job,
    build_confirm_job,
    build_delta_job,
    build_reconcile_job,
    build_rollback_job,
    build_sample_job,
    migration_tags,
)
from migration_pipeline.defs.propose import propose_mapping_job
from migration_pipeline.defs.sensors import build_drop_sensor, build_sensors
from migration_pipeline.defs.resources import ExportResource, LedgerResource
from migration_pipeline.destinations.base import Destination
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.destinations.odoo import OdooDestination
from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.mapping.spec import MappingSpec, load_spec, mapping_files

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
ARTIFACTS_DIR = PROJECT_ROOT / ".artifacts"
DROPS_DIR = PROJECT_ROOT / "drops"
DRY_RUN_MEMBERS = PROJECT_ROOT / "data" / "dry_run_workspace_members.csv"


def load_job_name(migration: str) -> str:
    return f"{migration}_load"


def _destination(spec: MappingSpec, live: bool, artifacts_dir: Path) -> Destination:
    """The dry run by default; the real destination named by the mapping when `live`."""
    if not live:
        return DryRunDestination(output_dir=str(artifacts_dir / "dry_run"), members_file=str(DRY_RUN_MEMBERS))
    return live_destination(spec.destination.system)


def live_destination(system: str, resolve: bool = False) -> Destination:
    """The real `system` from its environment variables: read when a run starts, or now with `resolve`
    (a command used outside a Dagster run, such as `propose --live`)."""
    def secret(name: str) -> Any:
        return dg.EnvVar(name).get_value() if resolve else dg.EnvVar(name)

    if system == "twenty":
        return TwentyDestination(base_url=secret("TWENTY_API_URL"), api_key=secret("TWENTY_API_KEY"))
    if system == "odoo":
        return OdooDestination(url=secret("ODOO_URL"), database=secret("ODOO_DB"), api_key=secret("ODOO_API_KEY"))
    raise ValueError(f"no live destination for {system!r} yet")


def migration_resources(spec: MappingSpec, artifacts_dir: Path, live: bool = False) -> dict[str, dg.ConfigurableResource]:
    keys = resource_keys(spec)
    export_path = PROJECT_ROOT / (spec.source.sample_export or "")
    return {
        keys["export"]: ExportResource(path=str(export_path)),
        keys["destination"]: _destination(spec, live, artifacts_dir),
    }


def plan_job_name(migration: str) -> str:
    return f"{migration}_plan"


def build_definitions(mappings_dir: Path = MAPPINGS_DIR, artifacts_dir: Path = ARTIFACTS_DIR, live: bool = False,
                      drops_dir: Path = DROPS_DIR, settle_seconds: float = 30.0) -> dg.Definitions:
    assets: list = []
    jobs: list = []
    sensors: list = []
    resources: dict = {"ledger": LedgerResource(url=dg.EnvVar("MIGRATION_LEDGER_URL"))}
    for path in mapping_files(mappings_dir):
        spec = load_spec(path)
        assets += build_migration_assets(spec, str(artifacts_dir))
        resources.update(migration_resources(spec, artifacts_dir, live))
        group = dg.AssetSelection.groups(spec.migration)
        load_job = dg.define_asset_job(load_job_name(spec.migration), selection=group - dg.AssetSelection.keys(plan_key(spec)),
                                       tags=migration_tags(spec),
                                       description=f"The full run of {spec.migration} (needs an approved sample): schema, "
                                                   "owners, every object, the report.")
        plan_job = dg.define_asset_job(plan_job_name(spec.migration), selection=dg.AssetSelection.keys(plan_key(spec)),
                                       description=f"Pre-flight plan of {spec.migration}; writes nothing to the destination.")
        reconcile_job, rollback_job = build_reconcile_job(spec, str(artifacts_dir)), build_rollback_job(spec, str(artifacts_dir))
        delta_job = build_delta_job(spec, str(artifacts_dir))
        jobs += [plan_job, build_sample_job(spec, str(artifacts_dir)), build_approve_job(spec), build_confirm_job(spec, str(path)),
                 load_job, delta_job,
                 reconcile_job, rollback_job]
        sensors += build_sensors(spec, load_job, reconcile_job, rollback_job)
        sensors.append(build_drop_sensor(spec, delta_job, drops_dir, settle_seconds))
    jobs.append(propose_mapping_job)
    return dg.Definitions(assets=assets, jobs=jobs, sensors=sensors, resources=resources)


defs = build_definitions()
