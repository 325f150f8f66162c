"""The migrations bound to real destinations: Twenty from TWENTY_API_URL / TWENTY_API_KEY.

Load it with `dagster dev -w workspace.live.yaml`; the variables are read (through `EnvVar`)
only when a run starts, so the code location loads without them.
"""

from migration_pipeline.definitions import build_definitions

defs = build_definitions(live=True)
