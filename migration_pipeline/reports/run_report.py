"""The run report: per load, source rows against what happened to them, and why rows were held."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from migration_pipeline.ledger.store import ACTIONS, Ledger
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.pipeline.prepare import OwnerMap
from migration_pipeline.reports.markdown import table


def load_rows(spec: MappingSpec, ledger: Ledger) -> list[dict[str, Any]]:
    """One row per load from its latest ledger run, with the accounting identity checked."""
    rows = []
    for load in spec.loads:
        ledger_run = ledger.latest_run(spec.migration, load.name)
        counts = ledger.outcome_counts(spec.migration, ledger_run, load.name) if ledger_run else dict.fromkeys(ACTIONS, 0)
        rows.append({"load": load.name, "target": load.target, "accounted": sum(counts.values()), **counts, "ledger_run": ledger_run})
    return rows


def write_report(spec: MappingSpec, ledger: Ledger, directory: Path, owner_map: OwnerMap | None = None) -> tuple[Path, Path]:
    """Write `report.md` and `quarantine.csv` for the latest run of every load; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = load_rows(spec, ledger)
    quarantine_path = directory / "quarantine.csv"
    with quarantine_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["load", "row_number", "source_key", "field", "reason"])
        writer.writeheader()
        for row in rows:
            if row["ledger_run"]:
                for reason in ledger.quarantine_reasons(spec.migration, row["ledger_run"], row["load"], limit=1_000_000):
                    writer.writerow({"load": row["load"], **reason})
    lines = [
        f"# Migration report: {spec.migration}",
        "",
        f"Mapping hash `{spec.content_hash[:12]}`. Every source row is created, updated, unchanged, "
        "merged into a duplicate it matches, or quarantined with a reason (see `quarantine.csv`).",
        "",
        table(rows, ["load", "target", "accounted", *ACTIONS]),
        "",
    ]
    if owner_map is not None:
        fallback = owner_map.fallback_email or "nobody: their records load without an owner"
        lines += ["## Owners", "", f"{len(owner_map.matched)} source users matched a destination member by email.", ""]
        if owner_map.unmatched:
            lines += [f"Unmatched (records go to {fallback}; invite them or set owners.fallback_member_email):", ""]
            lines += [f"- {email}" for email in owner_map.unmatched] + [""]
    if spec.source.reference_only:
        lines += ["## Not loaded (rebuild by hand)", ""]
        lines += [f"- **{name}**: {why}" for name, why in spec.source.reference_only.items()]
    report_path = directory / "report.md"
    report_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report_path, quarantine_path
