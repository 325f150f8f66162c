"""Value maps: which destination option each source pick-list value becomes.

A column matched to a select (a pipeline stage, a task status) is only half decided: every value the
export holds must land on an option, or the records carrying it are quarantined. Values are matched
by, in order of trust: the option's own value or label (folded: case, spaces and punctuation do not
count); a lexicon of what CRMs call the same step ('Closed Won', 'Settled' → the won stage); a fuzzy
match for typos; and, when the export ships its stage list with a sort order or probability, that
order, which keeps a firm's ordered pipeline distinct and in sequence. A value nothing matches becomes
a new option (Twenty: the value in UPPER_SNAKE; Odoo: a crm.stage of that name), so no record is
refused and no stage is silently merged into another.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pandas as pd
from rapidfuzz import fuzz

from migration_pipeline.mapping.transforms import upper_snake_value
from migration_pipeline.proposer.catalog import DestinationCatalog, saved_catalog
from migration_pipeline.proposer.decisions import ColumnProposal, ValueProposal
from migration_pipeline.proposer.gold import GoldMapping
from migration_pipeline.proposer.profile import TOP_VALUES, ExportProfile, FileProfile
from migration_pipeline.sources.export import ExportArchive



def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100

# Odoo keeps pipeline stages in crm.stage, a table the firm edits, so its catalog lists stage_id as a
# relation with no options: these are the stages a fresh Odoo CRM database has, in sequence.
ODOO_DEFAULT_STAGES = ("New", "Qualified", "Proposition", "Won")
TWENTY_DEFAULT_STAGES = ("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")
MAX_VALUES = 100  # more distinct values than this is free text, not a pick-list: only the commonest are mapped
FUZZY_MIN = 0.85

# What CRMs call each step (folded phrases). A value matches a concept when it is one of its phrases
# or holds one as whole words; the concept then names an option of the target field.
LEXICON: dict[str, tuple[str, ...]] = {
    "first": ("new", "lead", "new lead", "intake", "inquiry", "enquiry", "prospect", "incoming", "inbound",
              "unqualified", "initial contact"),
    "screening": ("qualified", "qualification", "screening", "review", "under review", "assessment",
                  "evaluation", "triage"),
    "meeting": ("meeting", "demo", "discovery", "engaged", "consultation", "appointment", "presentation"),
    "proposal": ("proposal", "proposal sent", "proposition", "quote", "quoted", "quotation", "negotiation",
                 "negotiating", "closing", "offer", "contract sent"),
    "won": ("won", "closed won", "completed", "settled", "signed", "customer", "win", "converted",
            "closed successful"),
    "lost": ("lost", "closed lost", "cancelled", "canceled", "declined", "rejected", "dead", "disqualified",
             "abandoned", "withdrawn"),
    "todo": ("open", "to do", "todo", "pending", "not started", "waiting", "new", "planned"),
    "in_progress": ("in progress", "started", "ongoing", "doing", "active", "underway"),
    "done": ("done", "completed", "complete", "finished", "closed", "resolved"),
}
# A concept the field has no option for may borrow one: a cancelled task is done, so is a won one.
FALLBACK = {"lost": "done", "won": "done"}
TERMINAL = frozenset({"won", "lost"})  # end states: outside a pipeline's order
# A task's states are not pipeline stages: 'Pending' says nothing about which stage a deal is in.
STATUS_CONCEPTS = frozenset({"todo", "in_progress", "done"})

_ORDER_TOKENS = frozenset({"sort", "order", "sequence", "position", "rank", "seq"})
_LABEL_TOKENS = frozenset({"label", "name", "title", "display", "description"})


@dataclass(frozen=True)
class SelectTarget:
    """A destination field that takes one option of a list (or several, `multi`)."""

    system: str
    object: str
    path: str
    options: tuple[str, ...]  # what the payload carries (Twenty's NEW, Odoo's stage name or selection key)
    labels: tuple[str, ...]
    pipeline: bool  # an ordered sales pipeline (stages): new options are added to it
    multi: bool = False
    # Odoo's stages are records each database configures: the firm's own steps are kept as new stages,
    # only won and lost go to the stages that mean them.
    own_steps: bool = False

    def new_option(self, value: str) -> str:
        """What a value nothing matches becomes: Twenty's convention is UPPER_SNAKE; Odoo's stage names are text."""
        return upper_snake_value(value) if self.system == "twenty" else value.strip()


def select_target(catalog: DestinationCatalog, object: str | None, path: str | None) -> SelectTarget | None:
    """The field as a select, or None when it takes free values (text, numbers, links to records)."""
    field = catalog.field(object or "", path or "")
    if field is None:
        return None
    pipeline = "stage" in re.split(r"[._]|(?=[A-Z])", field.path.lower())
    if field.kind == "relation" and field.relation == "crm.stage":
        return SelectTarget(catalog.system, field.object, field.path, ODOO_DEFAULT_STAGES, ODOO_DEFAULT_STAGES, True,
                            own_steps=True)
    if field.kind not in ("select", "multi_select"):
        return None
    options = field.options or (TWENTY_DEFAULT_STAGES if pipeline and catalog.system == "twenty" else ())
    labels = field.option_labels if len(field.option_labels) == len(options) else options
    return SelectTarget(catalog.system, field.object, field.path, options, labels, pipeline,
                        multi=field.kind == "multi_select")


def fold(text: str) -> str:
    """'Closed-Won ' → 'closedwon': what an exact match compares."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()).split())


def _contains(words: str, phrase: str) -> bool:
    return f" {phrase} " in f" {words} "


# --- matching one value ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    option: str | None  # None: a new option
    confidence: float
    reason: str
    concept: str | None = None


def _concept_options(target: SelectTarget) -> dict[str, str]:
    """concept → the option that means it, read off the options' own names (Twenty's CUSTOMER is won)."""
    found: dict[str, str] = {}
    for option, label in zip(target.options, target.labels):
        names = {_words(option), _words(label)}
        for concept, phrases in LEXICON.items():
            if names & set(phrases) and not (target.pipeline and concept in STATUS_CONCEPTS):
                found.setdefault(concept, option)
    if target.pipeline and target.options:
        found.setdefault("first", target.options[0])
    return found


def _match(value: str, target: SelectTarget, concepts: dict[str, str]) -> _Match:
    folded, words = fold(value), _words(value)
    for option, label in zip(target.options, target.labels):
        if folded and folded in (fold(option), fold(label)):
            return _Match(option, 0.98, f"'{value}' is the option {option!r}")
    for option, label in zip(target.options, target.labels):
        name = _words(label)
        if name and len(name) > 2 and _contains(words, name):
            return _Match(option, 0.9, f"'{value}' names the option {option!r}")
    lexical = _lexicon(value, words, target, concepts)
    if target.own_steps and not (lexical and lexical.concept in TERMINAL):
        return _Match(None, 0.75, f"'{value}' is a step of the firm's own pipeline: a new stage keeps it")
    if lexical is not None:
        return lexical
    return _fuzzy(value, target, concepts) or _Match(None, 0.6, f"no option means '{value}': a new option keeps it")


def _lexicon(value: str, words: str, target: SelectTarget, concepts: dict[str, str]) -> _Match | None:
    hits = sorted(((phrase == words, len(phrase), concept, phrase)
                   for concept, phrases in LEXICON.items() for phrase in phrases if _contains(words, phrase)),
                  reverse=True)
    for exact, _, concept, phrase in hits:
        confidence = 0.88 if exact else 0.75
        if concept in concepts:
            return _Match(concepts[concept], confidence, f"'{value}' means {concept} ('{phrase}')", concept)
        borrowed = FALLBACK.get(concept)
        if borrowed in concepts:
            return _Match(concepts[borrowed], confidence - 0.1,
                          f"'{value}' means {concept}, which this field counts as {borrowed}", concept)
    if hits and hits[0][0] and hits[0][2] in TERMINAL and target.pipeline:
        concept = hits[0][2]
        return _Match(None, 0.8, f"'{value}' means {concept}; the pipeline has no {concept} stage, so one is added",
                      concept)
    return None


def _fuzzy(value: str, target: SelectTarget, concepts: dict[str, str]) -> _Match | None:
    folded = fold(value)
    names = [(fold(label), option) for option, label in zip(target.options, target.labels)]
    names += [(fold(phrase), concepts[concept]) for concept, phrases in LEXICON.items() if concept in concepts
              for phrase in phrases]
    scored = [(_similarity(folded, name), option, name) for name, option in names if name]
    if not scored or not folded:
        return None
    score, option, name = max(scored)
    if score < FUZZY_MIN:
        return None
    return _Match(option, round(0.85 * score, 3), f"'{value}' is spelled like '{name}' ({score:.0%})")


# --- the stage list an export ships -----------------------------------------------------------------


@dataclass(frozen=True)
class StageList:
    """A file listing the source's stages with their order: the values to map, in pipeline order."""

    file: FileProfile
    key: str  # the column the records' stage column holds
    label: str  # the column whose values are mapped (the key itself when there is no label)
    values: tuple[str, ...]  # labels in pipeline order
    probability: dict[str, float]  # label → win probability, where the file has one


def _order_column(file: FileProfile) -> tuple[str | None, str | None]:
    order = next((c.name for c in file.columns if set(c.tokens) & _ORDER_TOKENS
                  and c.semantic_type in ("integer", "number")), None)
    probability = next((c.name for c in file.columns if "probability" in c.tokens or "likelihood" in c.tokens), None)
    return order, probability


def _stage_list(profile: ExportProfile, file: FileProfile, column: str, values: Sequence[str],
                archive: ExportArchive | None) -> StageList | None:
    """The file whose key or label column holds this column's values and which orders them: another
    file (the records hold stage codes), or the column's own file when that is the list (each row a stage)."""
    if archive is None or not values:
        return None
    wanted = {v.strip().lower() for v in values}
    own_list = file.column(column).distinct_ratio == 1
    for candidate in sorted(profile.files, key=lambda f: f.name != file.name):  # the column's own file first
        order, probability = _order_column(candidate)
        itself = candidate.name == file.name
        if (itself and not own_list) or not (order or probability) or candidate.rows > MAX_VALUES:
            continue
        frame = _read(archive, candidate.name)
        if frame is None:
            continue
        for name in [column] if itself else frame.columns:
            held = {str(v).strip().lower() for v in frame[name].dropna()}
            if len(wanted & held) < 0.8 * len(wanted):
                continue
            label = _label_column(candidate, name) if name in candidate.candidate_keys else name
            chance = pd.to_numeric(frame[probability], errors="coerce") if probability else None
            rank = pd.to_numeric(frame[order], errors="coerce") if order else -chance
            ordered = frame.assign(_rank=rank, _chance=chance).sort_values("_rank", kind="stable")
            labels = tuple(dict.fromkeys(str(v).strip() for v in ordered[label].dropna() if str(v).strip()))
            chances = {str(row[label]).strip(): float(row["_chance"]) for _, row in ordered.iterrows()
                       if chance is not None and pd.notna(row["_chance"])}
            return StageList(candidate, name, label, labels, chances)
    return None


def _label_column(file: FileProfile, key: str) -> str:
    for column in file.columns:
        if column.name != key and set(column.tokens) & _LABEL_TOKENS and column.semantic_type == "text":
            return column.name
    return key


def _read(archive: ExportArchive, name: str) -> pd.DataFrame | None:
    chunks = [chunk.frame for chunk in archive.read_chunks(name)]
    return pd.concat(chunks, ignore_index=True) if chunks else None


def _distinct_values(profile: ExportProfile, file: FileProfile, column: str,
                     archive: ExportArchive | None) -> list[str]:
    """The column's values, commonest first: the profile's top values, or all of them read through
    the archive when the profile kept only the top ones."""
    top = file.column(column).top_values
    if len(top) < TOP_VALUES or archive is None:
        return [value for value, _ in top]
    counts: Counter = Counter()
    for chunk in archive.read_chunks(file.name):
        if column in chunk.frame.columns:
            present = chunk.frame[column].dropna().astype(str).str.strip()
            counts.update(present[present != ""].tolist())
    return [value for value, _ in counts.most_common(MAX_VALUES)]


def _split(values: Iterable[str], separator: str | None) -> list[str]:
    if separator is None:
        return list(values)
    return list(dict.fromkeys(part.strip() for value in values for part in value.split(separator) if part.strip()))


# --- order -------------------------------------------------------------------------------------------


def _line_up(matches: dict[str, _Match], stages: StageList, target: SelectTarget) -> dict[str, _Match]:
    """Use the source's own order: a stage it lists with probability 100 (0) is won (lost); each
    destination stage takes one source stage at most (the firm's pipeline keeps its steps, the
    weaker claimant gets its own new stage); a match against the order is doubted."""
    concepts = _concept_options(target)
    lined = dict(matches)
    for value in stages.values:
        chance = stages.probability.get(value)
        if value in lined and lined[value].option is None and lined[value].concept is None and chance is not None:
            if chance >= 100 and "won" in concepts:
                lined[value] = _Match(concepts["won"], 0.8, f"'{value}' has probability 100 in the stage list: won", "won")
            elif chance <= 0 and value == stages.values[-1]:
                lined[value] = _Match(None, 0.7, f"'{value}' has probability 0 in the stage list: lost", "lost")
    claimants: dict[str, list[str]] = {}
    for value in stages.values:
        if value in lined and lined[value].option is not None:
            claimants.setdefault(lined[value].option, []).append(value)
    for option, values in claimants.items():
        keeper = max(values, key=lambda v: lined[v].confidence)  # ties: the earlier stage (max keeps the first)
        for value in values:
            if value != keeper:
                lined[value] = _Match(None, 0.7, f"'{value}' is its own step in the source pipeline, after "
                                      f"'{keeper}' took {option!r}: a new stage keeps it", lined[value].concept)
    position = {option: index for index, option in enumerate(target.options)}
    highest = -1
    for value in stages.values:
        match = lined.get(value)
        if match is None or match.option is None or match.concept in TERMINAL:
            continue
        if position[match.option] < highest:
            lined[value] = replace(match, confidence=round(match.confidence * 0.7, 3),
                                   reason=match.reason + "; but it comes later in the source pipeline than a stage "
                                   "mapped further on: check")
        highest = max(highest, position[match.option])
    return {value: replace(match, reason=match.reason + f" (stage {stages.values.index(value) + 1} of "
                           f"{len(stages.values)} in {stages.file.name})") if value in stages.values else match
            for value, match in lined.items()}


# --- the public functions ----------------------------------------------------------------------------


def propose_value_maps(profile: ExportProfile, catalog: DestinationCatalog, columns: list[ColumnProposal],
                       archive: ExportArchive | None = None) -> list[ValueProposal]:
    """A value proposal for every value of every column proposed for a select field.

    With the archive, pick-lists longer than the profile's top values are read in full, and a stage
    list file (a sort order or probability column) lines the stages up; its label column is then
    the one mapped (source_object / column of the proposals are that file's, as a lookup reads them).
    """
    proposals: list[ValueProposal] = []
    seen: set[tuple[str, str]] = set()  # the columns mapped: a stage list's labels once, however reached
    for proposal in columns:
        target = select_target(catalog, proposal.target_object, proposal.target_path)
        if proposal.kind != "field" or target is None or (proposal.source_object, proposal.column) in seen:
            continue
        try:
            file = profile.file(proposal.source_object)
            file.column(proposal.column)
        except KeyError:
            continue
        values = _split(_distinct_values(profile, file, proposal.column, archive), file.column(proposal.column).multi_separator
                        if target.multi else None)
        stages = _stage_list(profile, file, proposal.column, values, archive) if target.pipeline else None
        source_object, column = proposal.source_object, proposal.column
        if stages is not None:
            values = list(stages.values)
            source_object, column = stages.file.object_name, stages.label
        if (source_object, column) in seen:
            continue
        seen.update({(proposal.source_object, proposal.column), (source_object, column)})
        concepts = _concept_options(target)
        matches = {value: _match(value, target, concepts) for value in values}
        if stages is not None:
            matches = _line_up(matches, stages, target)
        for value, match in matches.items():
            proposals.append(ValueProposal(source_object, column, value,
                                           match.option if match.option is not None else target.new_option(value),
                                           match.confidence, new_option=match.option is None, reasons=(match.reason,)))
    return proposals


def value_map_accuracy(proposed: list[ValueProposal], gold: GoldMapping,
                       catalog: DestinationCatalog | None = None) -> float:
    """Share of the gold's select values the proposal maps to the same option (`value_map_counts`).
    Nothing to score is a perfect score."""
    right, total = value_map_counts(proposed, gold, catalog)
    return right / total if total else 1.0


def value_map_counts(proposed: list[ValueProposal], gold: GoldMapping,
                     catalog: DestinationCatalog | None = None) -> tuple[int, int]:
    """(right, scored): the gold's select values, and those the proposal maps to the same option.

    Only value maps into a select of the destination count (not one turning a type into a job
    title). A value the proposal makes a new option is right where the gold maps it to an option
    the destination does not have: one the mapping creates (its exact spelling is the firm's to
    choose). Gold values absent from the export are not scored unless the proposal missed the whole
    column.
    """
    catalog = catalog or saved_catalog(gold.destination)  # type: ignore[arg-type]
    by_value = {(p.source_object, p.column, p.value.strip().lower()): p for p in proposed}
    columns = {(p.source_object, p.column) for p in proposed}
    right = total = 0
    for value_map in gold.value_maps:
        target = select_target(catalog, value_map.target_object, value_map.target_path)
        if target is None:
            continue
        covered = (value_map.source_object, value_map.column) in columns
        for value, option in value_map.values:
            found = by_value.get((value_map.source_object, value_map.column, value.strip().lower()))
            if found is None and covered:
                continue  # the export never holds this value
            total += 1
            if found is not None and (found.option == option or (found.new_option and option not in target.options)):
                right += 1
    return right, total
