"""The pre-flight plan: what a full run would do, computed without writing to the destination.

The destination is only read (its members, its fields). The loads themselves are rehearsed
against a throwaway dry-run destination and a throwaway ledger, so every count, merge, orphan and
problem the plan shows is exactly what the real pipeline decides, not a separate guess.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from migration_pipeline.destinations.base import Destination, NewFieldRequest
from migration_pipeline.destinations.dry_run import DryRunDestination
from migration_pipeline.ledger.store import Ledger, audit_log, quarantine
from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.engine import source_key
from migration_pipeline.mapping.spec import FieldRule, MappingSpec
from migration_pipeline.pipeline import prepare
from migration_pipeline.pipeline.load import count_source_rows, matches
from migration_pipeline.pipeline.migrate import run_migration
from migration_pipeline.pipeline.selection import Selection
from migration_pipeline.reports.markdown import table
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive

_REHEARSAL = "plan"
INVENTORY_ROWS = 500  # reference objects up to this size are listed row by row, larger ones summarised


@dataclass
class Plan:
    counts: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # section, load, count, detail, example
    schema: list[NewFieldRequest] = field(default_factory=list)
    unmatched_owners: list[dict[str, Any]] = field(default_factory=list)
    inventory: dict[str, Any] = field(default_factory=dict)
    review: list[dict[str, Any]] = field(default_factory=list)  # the mapping's special cases: title, why, rows, items

    def section(self, name: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["section"] == name]


def build_plan(spec: MappingSpec, archive: ExportArchive, destination: Destination,
               chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Plan:
    plan = Plan()
    custom = prepare.read_custom_fields(spec, archive)
    plan.schema = destination.ensure_fields(spec.migration, prepare.schema_plan(spec, archive, custom, chunk_rows), apply=False).created
    members = destination.list_members()
    owner_map = prepare.build_owner_map(spec, archive, members)
    _rehearse(spec, archive, members, chunk_rows, plan)
    _value_map_gaps(spec, archive, chunk_rows, plan)
    _lookup_gaps(spec, archive, chunk_rows, plan)
    _unused_lookup_rows(spec, archive, chunk_rows, plan)
    plan.unmatched_owners = _unmatched_owners(spec, archive, owner_map, chunk_rows)
    plan.review = review_lists(spec, archive, chunk_rows)
    plan.inventory = rebuild_inventory(spec, archive, chunk_rows)
    plan.inventory.update({entry["title"]: {"why": entry["why"], "rows": entry["rows"], "items": entry["items"]}
                           for entry, review in zip(plan.review, spec.review) if review.rebuild})
    return plan


def review_lists(spec: MappingSpec, archive: ExportArchive, chunk_rows: int) -> list[dict[str, Any]]:
    """The rows each of the mapping's special cases covers (locked records, recurring rules…), listed
    up to INVENTORY_ROWS each with the columns a person needs to act on them."""
    lists = []
    for review in spec.review:
        items: list[dict[str, Any]] = []
        total = 0
        for frame in prepare.frames(spec, archive, review.source, chunk_rows):
            if review.when is not None:
                frame = frame[matches(review.when, frame, archive)]
            total += len(frame)
            columns = [c for c in review.columns if c in frame.columns] or list(frame.columns)
            chosen = frame[columns].head(max(INVENTORY_ROWS - len(items), 0))
            items += chosen.astype("object").where(chosen.notna(), None).to_dict("records")
        lists.append({"title": review.title, "why": review.why, "rows": total, "items": items})
    return lists


def _rehearse(spec: MappingSpec, archive: ExportArchive, members: list, chunk_rows: int, plan: Plan) -> None:
    with tempfile.TemporaryDirectory(prefix="migration-plan-") as scratch:
        members_file = Path(scratch) / "members.csv"
        members_file.write_text("email,first_name,last_name\n" + "".join(f"{m.email},{m.name},\n" for m in members), encoding="utf-8")
        ledger = Ledger(f"sqlite:///{Path(scratch) / 'ledger.sqlite'}")
        try:
            rehearsal = DryRunDestination(output_dir=str(Path(scratch) / "dry_run"), members_file=str(members_file))
            run_migration(spec, archive, ledger, rehearsal, _REHEARSAL, Selection(), chunk_rows)
            for load in spec.loads:
                counts = ledger.outcome_counts(spec.migration, _REHEARSAL, load.name)
                would = {"load": load.name, "target": load.target,
                         "source rows": count_source_rows(spec, load, archive, chunk_rows), **counts}
                would["create"] = would.pop("created")
                plan.counts.append(would)
            plan.findings += _rehearsal_findings(ledger)
        finally:
            ledger.dispose()


_SECTIONS = (  # quarantine reason or audit note → plan section
    ("orphans held (quarantined)", re.compile(r"was not loaded \(it is not in the export")),
    ("missing required fields", re.compile(r"is required but")),
    ("duplicate source keys", re.compile(r"appears more than once")),
    ("", re.compile(r"has no entry in value map")),  # listed per value by _value_map_gaps instead
)
_FATES = (  # what the load did about a link it could not make as given: "<why>; <fate>"
    ("linked to nothing", "orphans linked to a fallback or to nothing"),
    ("linked to the fallback record", "orphans linked to a fallback or to nothing"),
    ("repaired", "links repaired"),
)
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|\b[A-Z]+-\d+\b|row \d+")


def _kind(text: str) -> str:
    """The text with its values blanked, so that alike findings group together."""
    return _VALUES.sub("…", text)[:160]


def _rehearsal_findings(ledger: Ledger) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    with ledger.engine.connect() as connection:
        for row in connection.execute(sa.select(quarantine.c.load, quarantine.c.reason)):
            section = next((name for name, pattern in _SECTIONS if pattern.search(row.reason)), "other data problems")
            if section:
                grouped.setdefault((section, row.load, _kind(row.reason.split(": ", 1)[-1])), []).append(row.reason)
        notes = sa.select(audit_log.c.load, audit_log.c.action, audit_log.c.detail, audit_log.c.source_key).where(
            audit_log.c.action.in_(["created", "merged"]), audit_log.c.detail.is_not(None))
        for row in connection.execute(notes):
            if row.action == "merged":
                grouped.setdefault(("duplicates merged", row.load, _kind(row.detail)), []).append(row.detail)
            parts = row.detail.split("; ")
            for text, fate in zip(parts, parts[1:]):
                section = next((name for prefix, name in _FATES if fate.startswith(prefix)), None)
                if section:
                    grouped.setdefault((section, row.load, _kind(f"{text}; {fate}")), []).append(f"{row.source_key}: {text}; {fate}")
    return [{"section": section, "load": load, "count": len(examples), "detail": detail, "example": examples[0]}
            for (section, load, detail), examples in sorted(grouped.items())]


def _value_map_gaps(spec: MappingSpec, archive: ExportArchive, chunk_rows: int, plan: Plan) -> None:
    """Source values a value map has no entry for (and no default), with how often they occur."""
    for load in spec.loads:
        for name, rule in load.fields.items():
            if rule.transform != "value_map" or not rule.columns:
                continue
            value_map = spec.value_maps[rule.args["map"]]
            if value_map.default is not None:
                continue
            known = {k if value_map.case_sensitive else k.lower() for k in value_map.values}
            missing: Counter[str] = Counter()
            table = prepare.lookup_table(spec, archive, rule, chunk_rows) if rule.lookup else None
            for frame in prepare.frames(spec, archive, load.source, chunk_rows):
                if all(c in frame.columns for c in rule.columns):
                    raw = transforms.map_distinct(source_key(frame, rule.columns), table) if table is not None else frame[rule.columns[0]]
                    values = transforms.apply("text", raw, {}).values.dropna()
                    missing.update(v for v in values if (v if value_map.case_sensitive else v.lower()) not in known)
            plan.findings += [{"section": "value-map inputs with no mapping", "load": load.name, "count": n,
                               "detail": f"{name} ← {rule.columns[0]}: {value!r} is not in value map {rule.args['map']!r}",
                               "example": value} for value, n in missing.most_common()]


def _lookup_gaps(spec: MappingSpec, archive: ExportArchive, chunk_rows: int, plan: Plan) -> None:
    """Rows a lookup finds nothing for (a matter whose stage history lacks its current stage)."""
    for load in spec.loads:
        for name, rule in load.fields.items():
            if not rule.lookup or not spec.lookups[rule.lookup].every_row:
                continue
            found = prepare.build_lookups(spec, archive, [rule.lookup], chunk_rows)[rule.lookup]
            misses, example = 0, ""
            for frame in prepare.frames(spec, archive, load.source, chunk_rows):
                if all(c in frame.columns for c in rule.columns):
                    keys = source_key(frame, rule.columns).dropna()
                    absent = keys[~keys.isin(list(found))]
                    misses += len(absent)
                    example = example or (absent.iloc[0] if len(absent) else "")
            if misses:
                fallback = rule.fallback[0].note if rule.fallback else "left empty"
                plan.findings.append({"section": f"incomplete {spec.lookups[rule.lookup].source} ({rule.lookup})", "load": load.name,
                                      "count": misses, "detail": f"{name}: no entry for {'+'.join(rule.columns)}; {fallback}",
                                      "example": example})


def _unused_lookup_rows(spec: MappingSpec, archive: ExportArchive, chunk_rows: int, plan: Plan) -> None:
    """Rows of a lookup's source that belong to no record of the load reading them (a billing record of
    a package not in the export): their values reach nothing, so the plan says so."""
    seen: set[tuple[str, ...]] = set()
    for load in spec.loads:
        for name, rule in load.fields.items():
            lookup = spec.lookups.get(rule.lookup or "")
            # A one-column key names the parent record; a composite one (matter + stage) picks among its rows.
            if lookup is None or rule.owner or len(lookup.key) != 1 or (load.name, lookup.source, *rule.columns) in seen:
                continue
            seen.add((load.name, lookup.source, *rule.columns))
            keys: set[str] = set()
            for frame in prepare.frames(spec, archive, load.source, chunk_rows):
                if all(c in frame.columns for c in rule.columns):
                    keys.update(source_key(frame, rule.columns).dropna())
            unused, example = 0, ""
            for frame in prepare.frames(spec, archive, lookup.source, chunk_rows):
                if all(c in frame.columns for c in lookup.key):
                    their = source_key(frame, lookup.key).dropna()
                    lost = their[~their.isin(keys)]
                    unused += len(lost)
                    example = example or (lost.iloc[0] if len(lost) else "")
            if unused:
                plan.findings.append({"section": f"{lookup.source} rows no record uses", "load": load.name, "count": unused,
                                      "detail": f"{lookup.key[0]} matches no {load.source} row ({name} and the fields "
                                                f"read alike); "
                                                "the values are not migrated", "example": example})


def _unmatched_owners(spec: MappingSpec, archive: ExportArchive, owner_map: prepare.OwnerMap, chunk_rows: int) -> list[dict[str, Any]]:
    """Owners with no destination member: users of the source, and emails only found on records."""
    users = set(owner_map.unmatched)
    seen: Counter[str] = Counter()
    for load in spec.loads:
        for name, rule in load.fields.items():
            if rule.owner and rule.columns:
                seen.update(_owner_values(spec, archive, load.source, rule, chunk_rows))
    unmatched = [e for e in seen if e not in owner_map.ids] + [e for e in users if e not in seen]
    held = spec.owners is not None and spec.owners.unmatched == "hold"
    fate = "held back (quarantined) until the member exists" if held else owner_map.fallback_email or "no owner"
    return [{"email": email, "records": seen.get(email, 0), "in the source's user list": email in users,
             "records go to": fate} for email in sorted(unmatched)]


def _owner_values(spec: MappingSpec, archive: ExportArchive, source: str, rule: FieldRule, chunk_rows: int) -> Iterator[str]:
    """The owner emails a rule reads, through its lookup (user id → email) when it has one."""
    table = prepare.lookup_table(spec, archive, rule, chunk_rows) if rule.lookup else None
    for frame in prepare.frames(spec, archive, source, chunk_rows):
        if any(c not in frame.columns for c in rule.columns):
            continue
        values = source_key(frame, rule.columns) if table is not None else frame[rule.columns[0]]
        if table is not None:
            values = transforms.map_distinct(values, table).where(lambda v: v.notna(), values)
        yield from transforms.apply("lower", values, {}).values.dropna()


def rebuild_inventory(spec: MappingSpec, archive: ExportArchive, chunk_rows: int) -> dict[str, Any]:
    """Every reference-only object (workflows, automations, notifications, portal logins) to rebuild by hand."""
    inventory: dict[str, Any] = {}
    for name, why in spec.source.reference_only.items():
        rows: list[dict[str, Any]] = []
        counts: dict[str, Counter[str]] = {}
        total = 0
        for frame in prepare.frames(spec, archive, name, chunk_rows):
            total += len(frame)
            clean = frame.astype("object").where(frame.notna(), None)
            if len(rows) < INVENTORY_ROWS:
                rows += clean.head(INVENTORY_ROWS - len(rows)).to_dict("records")
            for column in frame.columns:
                counts.setdefault(column, Counter()).update(frame[column].dropna().astype(str))
        entry: dict[str, Any] = {"why": why, "rows": total}
        if total <= INVENTORY_ROWS:
            entry["items"] = rows
        else:  # too many to list: the columns a person rebuilds from (templates, triggers, statuses)
            entry["summary"] = {c: dict(n.most_common(20)) for c, n in counts.items() if 0 < len(n) <= 50}
        inventory[name] = entry
    return inventory


def write_plan(spec: MappingSpec, plan: Plan, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": directory / "plan.md", "findings": directory / "plan_findings.csv",
             "special_cases": directory / "special_cases.csv",
             "counts": directory / "plan_counts.csv", "inventory": directory / "rebuild_inventory.json",
             "inventory_markdown": directory / "rebuild_inventory.md"}
    _csv(paths["findings"], plan.findings, ["section", "load", "count", "detail", "example"])
    _csv(paths["counts"], plan.counts, list(plan.counts[0]) if plan.counts else ["load"])
    special = [{"case": entry["title"], **item} for entry in plan.review for item in entry["items"]]
    _csv(paths["special_cases"], special, list(dict.fromkeys(k for row in special for k in row)) or ["case"])
    paths["inventory"].write_text(json.dumps(plan.inventory, indent=2, default=str), encoding="utf-8")
    paths["inventory_markdown"].write_text(inventory_markdown(plan.inventory), encoding="utf-8")
    paths["markdown"].write_text(plan_markdown(spec, plan), encoding="utf-8")
    return paths


def _csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def plan_markdown(spec: MappingSpec, plan: Plan) -> str:
    lines = [f"# Plan: {spec.migration}", "",
             f"Mapping hash `{spec.content_hash[:12]}`. Nothing has been written to the destination. "
             "Counts are what a full run would do with this export.", "",
             "## What each load would do", "", table(plan.counts), ""]
    for section in dict.fromkeys(f["section"] for f in plan.findings):
        lines += [f"## {section[:1].upper()}{section[1:]}", "",
                  table(plan.section(section), ["load", "count", "detail", "example"]), ""]
    if plan.review:
        lines += ["## Special cases to review", ""]
        for entry in plan.review:
            shown = entry["items"][:20]
            more = f" (first {len(shown)} shown; all in `special_cases.csv`)" if entry["rows"] > len(shown) else ""
            lines += [f"### {entry['title']}: {entry['rows']} rows{more}", "", entry["why"], "", table(shown), ""]
    lines += ["## Fields, options and stages to create", "",
              table([{"object": r.target, "field": r.name, "type": r.type, "new field": r.create, "options": ", ".join(r.options)}
                     for r in plan.schema]), "",
              "## Owners with no destination member", "", table(plan.unmatched_owners), "",
              "## Rebuild inventory", "", "See `rebuild_inventory.md` / `rebuild_inventory.json`: "
              + ", ".join(f"{name} ({entry['rows']} rows)" for name, entry in plan.inventory.items()), ""]
    return "\n".join(lines)


def inventory_markdown(inventory: dict[str, Any]) -> str:
    lines = ["# Rebuild inventory", "", "Workflows, automations, notifications and access rules found in the export. "
             "They do not migrate as records: rebuild each natively in the destination.", ""]
    for name, entry in inventory.items():
        lines += [f"## {name} ({entry['rows']} rows)", "", entry["why"], ""]
        if "items" in entry:
            lines += [table(entry["items"]), ""]
        for column, values in entry.get("summary", {}).items():
            lines += [f"**{column}**: " + ", ".join(f"{value} ({n})" for value, n in values.items()), ""]
    return "\n".join(lines)
