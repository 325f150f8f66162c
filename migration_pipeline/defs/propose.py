"""The `propose_mapping` job: the ops team drafts a new firm's mapping from the Dagster UI.

It is not tied to a migration (there is none yet): its config names the export, the source system,
the destination and the mapping file to write. The file's decisions then await review and the
`<migration>_confirm` job (or `migration-pipeline confirm`) once the code location reloads it.
"""

from typing import Literal

import dagster as dg
from pydantic import Field

from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline.proposer.propose import propose_mapping
from migration_pipeline.reports.markdown import table


class ProposeConfig(dg.Config):
    export: str = Field(description="the export folder or ZIP")
    source_system: str = Field(description="the source CRM's name (decisions are remembered per system)")
    destination: Literal["twenty", "odoo"] = "twenty"
    out: str = Field(description="the mapping file to write, e.g. mappings/acme_to_twenty.yaml")
    live: bool = Field(default=False, description="read the destination's schema from the real server (its environment "
                                                  "variables); otherwise the saved catalog")
    use_memory: bool = Field(default=True, description="start from decisions confirmed before")


@dg.op(description="Profile the export, match it to the destination's fields and write a mapping awaiting confirmation.")
def propose(context: dg.OpExecutionContext, config: ProposeConfig) -> None:
    destination = None
    if config.live:
        from migration_pipeline.definitions import live_destination

        destination = live_destination(config.destination, resolve=True)
    memory = DecisionMemory() if config.use_memory else None
    summary = propose_mapping(config.export, config.out, config.source_system, config.destination, destination, memory)
    context.add_output_metadata({
        "mapping": dg.MetadataValue.path(config.out),
        "decisions": summary.decisions,
        "bands": dg.MetadataValue.md(table([{"band": band, "decisions": n} for band, n in sorted(summary.bands.items())])),
        "to review": dg.MetadataValue.md("\n".join(f"- {name}" for name in summary.pending) or "_(none)_"),
    })


@dg.job(name="propose_mapping", description="Draft a mapping from an export: the tool proposes, a person confirms.")
def propose_mapping_job() -> None:
    propose()
