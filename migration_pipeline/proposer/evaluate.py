"""Scoring the matcher against the five shipped mappings, and fitting its weights on them.

Each pair's gold (`gold_decisions`) is the answer key, on the sample export and on perturbed copies
(headers renamed, abbreviated, prefixed, glued or mixed; `renamed_gold` follows the renames). Cold
start means no memory and weights fitted without the pair: leave-one-out by source export, so the
two Perfect Portal pairs never inform each other either. With memory on, the memory is filled from the
pair's own gold, and every decision must come back.

A column decision is right when kind, target object and target path equal those of one of the
column's uses in the gold: its first-ranked decision or a direct use listed in `also` (a key that
identifies both the company and the person one row makes, a date that is both createdAt and a kept
custom field) — a proposal makes one decision per column, and the gold's ranking among direct uses
is the mapping's load order, not a better answer. Fallback uses do not count. For kind "custom" the
path is the name of a field the migration creates, which a proposer cannot be expected to spell
the same way, so a custom decision is right when the use is custom on the same target object (both
None for custom-field definition files). Likewise a new custom object the proposer makes of a file
stands for the one the shipped mapping creates of that file (`sessions` for `sessionRecords`).

Foreign keys are the profile's, scored against every real link of the export (`foreign_keys.json`,
read from docs/*_export.md), not only the links a shipped mapping happens to use. Value maps are
proposed from the run's column decisions on the export itself and scored by the value proposer's own
rule (`values.value_map_counts`).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.proposer.catalog import DestinationCatalog, saved_catalog
from migration_pipeline.proposer.decisions import ColumnProposal
from migration_pipeline.proposer.gold import ColumnDecision, GoldMapping, gold_decisions, renamed_gold
from migration_pipeline.proposer.match import (
    Weights, _is_modified, _singulars, _stem, declared_columns, features, is_declared, propose_decisions,
    remembered_for, skip_features,
    tokens_of,
)
from migration_pipeline.proposer.memory import DecisionMemory
from migration_pipeline.proposer.perturb import STYLES, perturb_export
from migration_pipeline.proposer.profile import ExportProfile, profile_export
from migration_pipeline.proposer.values import propose_value_maps, value_map_counts
from migration_pipeline.sources.export import ExportArchive, normalize_header

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ("perfect_portal_to_twenty", "perfect_portal_to_odoo", "profi_to_twenty", "oplacrm_to_twenty",
         "backdocket_to_twenty")
ORIGINAL = "original"
PERTURB_SEED = 7
L2 = 1.0  # ridge penalty of the logistic fits: a handful of weights on a few hundred examples
FOREIGN_KEYS = Path(__file__).with_name("foreign_keys.json")
Link = tuple[str, str, str, str]  # (file, column, target file, target column); file names lower case


@dataclass(frozen=True)
class Case:
    """One pair on one version of its export."""

    pair: str
    style: str
    source_system: str
    profile: ExportProfile
    gold: GoldMapping
    catalog: DestinationCatalog
    archive: ExportArchive  # the export as profiled: value maps read pick-lists and stage lists in full
    foreign_keys: frozenset[Link]  # the export's real links, whatever the mapping uses


@lru_cache(maxsize=None)
def _original(pair: str) -> tuple[str, Path, GoldMapping]:
    spec = load_spec(ROOT / "mappings" / f"{pair}.yaml")
    sample = ROOT / spec.source.sample_export
    return spec.source.system, sample, gold_decisions(spec, ExportArchive(sample))


def export_foreign_keys(export: str, renames: Mapping[str, Mapping[str, str]] | None = None) -> frozenset[Link]:
    """Every link between the files of the sample export `export` ("perfect_portal"), read from its
    docs (`foreign_keys.json`): the answer key of the profile's foreign keys, mapped or not. `renames`,
    `perturb_export`'s answer, follows a perturbed copy's headers as the reader folds them."""
    links = json.loads(FOREIGN_KEYS.read_text(encoding="utf-8"))["exports"][export]
    folded = {file.lower(): {old: normalize_header(new) for old, new in columns.items()}
              for file, columns in (renames or {}).items()}

    def column(file: str, name: str) -> str:
        return folded.get(file.lower(), {}).get(name, name)

    return frozenset((file.lower(), column(file, name), target.lower(), column(target, key))
                     for file, name, target, key in links)


@lru_cache(maxsize=None)
def _profile(path: str) -> ExportProfile:
    return profile_export(ExportArchive(Path(path)))


_WORKDIR = tempfile.TemporaryDirectory(prefix="proposer_eval_")


@lru_cache(maxsize=None)
def load_case(pair: str, style: str = ORIGINAL) -> Case:
    system, sample, gold = _original(pair)
    destination = "odoo" if pair.endswith("_odoo") else "twenty"
    if style == ORIGINAL:
        return Case(pair, style, system, _profile(str(sample)), gold, saved_catalog(destination),
                    ExportArchive(sample), export_foreign_keys(sample.name))
    out = Path(_WORKDIR.name) / f"{system}_{style}"
    renames = _perturbed(str(sample), str(out), style)
    return Case(pair, style, system, _profile(str(out)), renamed_gold(gold, renames), saved_catalog(destination),
                ExportArchive(out), export_foreign_keys(sample.name, renames))


@lru_cache(maxsize=None)
def _perturbed(sample: str, out: str, style: str) -> dict[str, dict[str, str]]:
    return perturb_export(Path(sample), Path(out), PERTURB_SEED, style)


# --- fitting ---------------------------------------------------------------------------------------


def _objects_by_name(case: Case) -> dict[str, str]:
    """Gold source object → the file's object name in the profile ('contacts.csv' → 'contacts')."""
    return {o.name: Path(o.file).stem.lower() for o in case.gold.objects}


def field_examples(case: Case) -> tuple[list[tuple[float, ...]], list[int]]:
    """Column ↔ field evidence with labels: the gold field is a positive, every other field of the
    object the gold sends the column's records to is a negative; columns the gold leaves out of the
    object's fields (custom, skip) are negatives for all of them."""
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    primaries = {d.source_object: d.target_object for d in case.gold.decisions if d.key and d.kind == "field"}
    files = _objects_by_name(case)
    for decision in case.gold.decisions:
        target_object = decision.target_object if decision.kind == "field" else primaries.get(decision.source_object)
        if (target_object not in case.catalog.objects or decision.key or decision.composite or decision.fallback
                or decision.kind in ("relation", "owner") or decision.target_path in ("id", "file")):
            continue
        file = case.profile.file(files[decision.source_object])
        column = file.column(decision.column)
        tokens = tokens_of(column)
        object_tokens = tuple(_singulars(_stem(file)))
        for target in case.catalog.objects[target_object]:
            if target.kind == "relation":
                continue
            found = features(tokens, column, target, object_tokens)
            if found is None:
                continue
            rows.append(found)
            labels.append(int(decision.kind == "field" and target.path == decision.target_path))
    return rows, labels


def skip_examples(case: Case) -> tuple[list[tuple[float, ...]], list[int]]:
    """Columns the gold keeps as custom fields (0) or drops (1), on objects it loads."""
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    loaded = {d.source_object for d in case.gold.decisions if d.key and d.kind == "field"}
    files = _objects_by_name(case)
    placed_types: dict[str, set[str]] = {}
    declared = declared_columns(case.profile)
    for decision in case.gold.decisions:
        if decision.kind == "field" and decision.source_object in loaded:
            column = case.profile.file(files[decision.source_object]).column(decision.column)
            placed_types.setdefault(decision.source_object, set()).add(column.semantic_type)
    for decision in case.gold.decisions:
        if decision.source_object not in loaded or decision.kind not in ("custom", "skip") or decision.key \
                or decision.composite:
            continue
        column = case.profile.file(files[decision.source_object]).column(decision.column)
        tokens = tokens_of(column)
        if _is_modified(tokens, column):
            continue
        duplicate = column.semantic_type in placed_types.get(decision.source_object, set()) and \
            column.semantic_type not in ("text", "empty")
        if is_declared(column, declared):
            continue
        rows.append(skip_features(column, tokens, duplicate, declared is not None))
        labels.append(int(decision.kind == "skip"))
    return rows, labels


def _logistic(rows: Sequence[Sequence[float]], labels: Sequence[int], intercept: bool) -> np.ndarray:
    """Ridge-penalised logistic regression (the intercept, if any, unpenalised), by L-BFGS."""
    x = np.asarray(rows, dtype=float)
    if intercept:
        x = np.hstack([np.ones((len(x), 1)), x])
    y = np.asarray(labels, dtype=float)
    penalty = np.full(x.shape[1], L2)
    if intercept:
        penalty[0] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        value = np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(penalty * w * w)
        return value, x.T @ (p - y) + penalty * w

    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x


def fit_weights(cases: Sequence[Case], calibrate: bool = True) -> Weights:
    """Fit the column ↔ field model and the skip model on `cases`, then measure each rule's accuracy
    on them (Laplace-smoothed) as that rule's confidence."""
    rows, labels = [], []
    skip_rows, skip_labels = [], []
    for case in cases:
        found = field_examples(case)
        rows += found[0]
        labels += found[1]
        found = skip_examples(case)
        skip_rows += found[0]
        skip_labels += found[1]
    w = _logistic(rows, labels, intercept=True)
    s = _logistic([r[1:] for r in skip_rows], skip_labels, intercept=True)
    weights = Weights(tuple(round(float(v), 4) for v in w[1:]), round(float(w[0]), 4),
                      tuple(round(float(v), 4) for v in s), 0.5, {},
                      tuple(sorted({f"{c.pair}:{c.style}" for c in cases})))
    if not calibrate:
        return weights
    right: Counter = Counter()
    total: Counter = Counter()
    for case in cases:
        _, proposals = propose_decisions(case.profile, case.catalog, case.source_system, None, weights)
        gold = _gold_by_column(case)
        for proposal in _as_gold_names(case, gold, proposals):
            decision = gold.get((proposal.source_object, proposal.column))
            if decision is None:
                continue
            rule = proposal.extra.get("rule", "")
            total[rule] += 1
            right[rule] += is_right(proposal, decision)
    # A match's confidence is its own probability; every other rule's is its measured accuracy.
    rules = {rule: round((right[rule] + 1) / (total[rule] + 2), 4) for rule in total if rule != "match"}
    rules["memory"] = 0.999
    return replace(weights, rules=rules)


def training_cases(pair: str, styles: Iterable[str] = (ORIGINAL,)) -> list[Case]:
    """Every other pair whose source export differs from `pair`'s: leave-one-out by export."""
    system = _original(pair)[0]
    return [load_case(other, style) for other in PAIRS if _original(other)[0] != system for style in styles]


@lru_cache(maxsize=None)
def cold_weights(pair: str) -> Weights:
    return fit_weights(training_cases(pair))


# --- scoring ---------------------------------------------------------------------------------------


def _gold_by_column(case: Case) -> dict[tuple[str, str], ColumnDecision]:
    files = _objects_by_name(case)
    return {(files[d.source_object], d.column): d for d in case.gold.decisions}


def is_right(proposal: ColumnProposal, gold: ColumnDecision) -> bool:
    uses = [(gold.kind, gold.target_object, gold.target_path),
            *((u.kind, u.target_object, u.target_path) for u in gold.also if not u.fallback)]
    return any(proposal.kind == kind and proposal.target_object == target_object
               and (kind in ("custom", "skip") or proposal.target_path == target_path)
               for kind, target_object, target_path in uses)


@dataclass
class Tally:
    """Counts summed over cases, so overall figures weigh every column alike."""

    columns: int = 0
    right: int = 0
    matched_predicted: int = 0
    matched_gold: int = 0
    matched_right: int = 0
    top3_gold: int = 0
    top3_found: int = 0
    auto: int = 0
    auto_right: int = 0
    fk_predicted: int = 0
    fk_gold: int = 0
    fk_right: int = 0
    values: int = 0
    values_right: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            if name == "wrong":
                self.wrong += other.wrong
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 1.0

        precision, recall = ratio(self.matched_right, self.matched_predicted), ratio(self.matched_right,
                                                                                     self.matched_gold)
        return {
            "accuracy": ratio(self.right, self.columns),
            "matched_precision": precision,
            "matched_recall": recall,
            "matched_f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "top3_recall": ratio(self.top3_found, self.top3_gold),
            "auto_precision": ratio(self.auto_right, self.auto),
            "auto_coverage": ratio(self.auto, self.columns),
            "fk_precision": ratio(self.fk_right, self.fk_predicted),
            "fk_recall": ratio(self.fk_right, self.fk_gold),
            "value_map_accuracy": ratio(self.values_right, self.values),
        }


_MATCHED = ("field", "relation", "owner")


def _as_gold_names(case: Case, gold: Mapping[tuple[str, str], ColumnDecision],
                   proposals: Sequence[ColumnProposal]) -> list[ColumnProposal]:
    """The proposals with a new custom object made of a file named as the gold names its own for that file."""
    known = case.catalog.objects
    created: dict[str, str] = {}
    for (source_object, _), decision in gold.items():
        if decision.key:
            own = {decision.target_object, *(u.target_object for u in decision.also if u.target_path == "id")}
            new = [obj for obj in own if obj and obj not in known]
            if len(new) == 1:
                created[source_object] = new[0]
    return [replace(p, target_object=created[p.source_object])
            if p.target_object and p.target_object not in known and p.source_object in created else p
            for p in proposals]


def score_case(case: Case, proposals: Sequence[ColumnProposal]) -> Tally:
    gold = _gold_by_column(case)
    tally = Tally()
    for proposal in _as_gold_names(case, gold, proposals):
        decision = gold.get((proposal.source_object, proposal.column))
        if decision is None:
            continue  # a file the mapping does not describe
        right = is_right(proposal, decision)
        tally.columns += 1
        tally.right += right
        if not right:
            tally.wrong.append(f"{case.pair}:{case.style} {proposal.source_object}.{proposal.column}: "
                               f"{proposal.kind} {proposal.target_object}.{proposal.target_path} "
                               f"[{proposal.extra.get('rule')} {proposal.confidence:.2f}] — gold {decision.kind} "
                               f"{decision.target_object}.{decision.target_path}")
        tally.matched_predicted += proposal.kind in _MATCHED
        tally.matched_gold += decision.kind in _MATCHED
        tally.matched_right += proposal.kind in _MATCHED and right
        if decision.kind == "field" and decision.target_path:
            tally.top3_gold += 1
            found = {(proposal.target_object, proposal.target_path)} | {
                (c.target_object, c.target_path) for c in proposal.candidates[:3]}
            tally.top3_found += (decision.target_object, decision.target_path) in found
        if proposal.band == "auto":
            tally.auto += 1
            tally.auto_right += right
    predicted = {(fk.file.lower(), fk.column, fk.target_file.lower(), fk.target_column)
                 for fk in case.profile.foreign_keys}
    tally.fk_predicted, tally.fk_gold = len(predicted), len(case.foreign_keys)
    tally.fk_right = len(predicted & case.foreign_keys)
    _score_value_maps(case, proposals, tally)
    return tally


def _score_value_maps(case: Case, proposals: Sequence[ColumnProposal], tally: Tally) -> None:
    """Value-map accuracy as the value proposer's own scorer counts it (`value_map_counts`): the values
    it maps from this run's column decisions, read off the export they were made on (pick-lists in full,
    the stage list that orders them). A column gets one decision, so only the value maps of the gold's
    decision count: one serving a column's other use (Profi's session status, kept as a custom field,
    whose values also set the status of a task) has no column decision to follow."""
    files = _objects_by_name(case)
    decided = {(d.source_object, d.column): (d.target_object, d.target_path)
               for d in case.gold.decisions if d.kind == "field"}
    value_maps = tuple(replace(v, source_object=files.get(v.source_object, v.source_object))
                       for v in case.gold.value_maps
                       if decided.get((v.source_object, v.column)) == (v.target_object, v.target_path))
    proposed = propose_value_maps(case.profile, case.catalog, list(proposals), case.archive)
    right, total = value_map_counts(proposed, replace(case.gold, value_maps=value_maps), case.catalog)
    tally.values += total
    tally.values_right += right


def gold_memory(case: Case, path: Path) -> DecisionMemory:
    """A memory holding every gold decision of the pair, as a person would have confirmed them."""
    memory = DecisionMemory(path)
    files = _objects_by_name(case)
    for decision in case.gold.decisions:
        memory.remember(case.source_system, files[decision.source_object], decision.column,
                        remembered_for(decision.kind, decision.target_object, decision.target_path, "gold"))
    return memory


def evaluate(pairs: Sequence[str] = PAIRS, styles: Sequence[str] = (ORIGINAL, *STYLES),
             memory: bool = False) -> dict[tuple[str, str], Tally]:
    """Tallies per (pair, style): cold (leave-one-out weights, no memory) or with the pair's gold remembered."""
    found: dict[tuple[str, str], Tally] = {}
    for pair in pairs:
        weights = cold_weights(pair)
        for style in styles:
            case = load_case(pair, style)
            remembered = gold_memory(case, Path(_WORKDIR.name) / f"memory_{pair}_{style}.json") if memory else None
            _, proposals = propose_decisions(case.profile, case.catalog, case.source_system, remembered, weights)
            found[(pair, style)] = score_case(case, proposals)
    return found


def overall(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total


__all__ = ["Case", "Tally", "evaluate", "fit_weights", "load_case", "overall",
           "score_case", "cold_weights", "training_cases", "is_right", "gold_memory"]
