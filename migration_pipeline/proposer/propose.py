"""`propose`: an export and a destination schema in, a mapping file a person reviews out.

Profile the export, read the destination's catalog (the live server, or the saved one when none is
at hand), match columns to fields (remembered decisions first), map pick-list values, and write a
mapping YAML in the engine's format where every decision carries its confidence, band and reasons
and awaits confirmation. Everything runs offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migration_pipeline.destinations.base import Destination
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.proposer.catalog import DestinationCatalog, live_catalog, saved_catalog
from migration_pipeline.proposer.match import propose_decisions
from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline.proposer.profile import profile_export
from migration_pipeline.proposer.values import propose_value_maps
from migration_pipeline.proposer.write import write_mapping
from migration_pipeline.sources.export import ExportArchive


@dataclass(frozen=True)
class ProposalSummary:
    spec: MappingSpec
    decisions: int
    bands: dict[str, int]  # auto / review / low → decisions
    pending: list[str]  # what a person must confirm before anything loads


def propose_mapping(export: str | Path, out: str | Path, source_system: str, destination_system: str,
                    destination: Destination | None = None, memory: DecisionMemory | None = None) -> ProposalSummary:
    """Draft `out` from the export; `destination` (a live one) gives its real schema, else the saved catalog."""
    archive = ExportArchive(export)
    catalog: DestinationCatalog = live_catalog(destination) if destination is not None else saved_catalog(destination_system)
    profile = profile_export(archive)
    objects, columns = propose_decisions(profile, catalog, source_system, memory)
    values = propose_value_maps(profile, catalog, columns, archive)
    migration = Path(out).stem
    spec = write_mapping(out, migration, source_system, destination_system, str(export), profile, objects, columns, values, catalog)
    bands: dict[str, int] = {}
    for column in columns:
        if column.kind != "skip":
            bands[column.band] = bands.get(column.band, 0) + 1
    return ProposalSummary(spec, sum(bands.values()), bands, spec.unconfirmed_decisions())
