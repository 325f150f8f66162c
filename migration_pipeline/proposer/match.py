"""Matching: each export file to destination object(s), each column to a field, a new custom field or nothing.

The proposer drafts, a person confirms, so every decision carries a calibrated probability and the
runners-up. Columns are scored against fields by several independent scorers (remembered decisions,
exact names, the catalog's alias lexicon, token overlap, fuzzy spelling, what the values look like,
pick-list evidence); a logistic model with a handful of weights (`Weights`, fitted offline by
`migration_pipeline.proposer.evaluate.fit_weights`) turns them into a probability. Within each source
object an optimal one-to-one assignment (`linear_sum_assignment`) places the columns, each with a
"no existing field" option, so a weak column becomes a custom field of its inferred type rather than
landing on the least-bad existing field. Links between files (the profile's foreign keys) become
relations, columns naming users become owners, and files that are not records of their own (users,
stage lists, custom-field definitions, key-value tables, history logs) or that cannot migrate
(automations, message logs, portal logins) are recognised by what they hold.

Decisions follow the gold conventions (`gold.py`): a loaded object's key goes to path "id"; users'
email is kind "owner" with no target; custom-field definition columns are kind "custom" with no target.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from migration_pipeline.proposer.catalog import CatalogField, DestinationCatalog
from migration_pipeline.proposer.decisions import Candidate, ColumnProposal, Kind, ObjectProposal, band_for
from migration_pipeline.proposer.memory import DecisionMemory, Remembered
from migration_pipeline.proposer.profile import ColumnProfile, ExportProfile, FileProfile, column_tokens, singular

FEATURES = ("exact", "alias", "jaccard", "fuzzy", "type", "profile")
SKIP_FEATURES = ("bias", "categorical", "empty", "sparse", "duplicate", "long_text", "identifier", "undeclared")


@dataclass(frozen=True)
class Weights:
    """The fitted model: logistic weights over `FEATURES` (column ↔ field), over `SKIP_FEATURES` (an
    unplaced column is skipped rather than made a custom field), the assignment value of "no existing
    field", and per-rule confidences (each rule's measured accuracy on the training pairs)."""

    coefficients: tuple[float, ...]
    intercept: float
    skip_coefficients: tuple[float, ...]
    new_field: float = 0.5
    rules: dict[str, float] = field(default_factory=dict)
    fitted_on: tuple[str, ...] = ()

    def probability(self, features: Sequence[float]) -> float:
        return _sigmoid(self.intercept + float(np.dot(self.coefficients, features)))

    def skip_probability(self, features: Sequence[float]) -> float:
        return _sigmoid(float(np.dot(self.skip_coefficients, features)))

    def rule_confidence(self, rule: str) -> float:
        return self.rules.get(rule, 0.6)


# Fitted by `python benchmarks/evaluate_proposer.py --fit` on the five shipped pairs' sample exports
# (`evaluate.fit_weights`: ridge-penalised logistic regressions, L2 = 1.0, then each rule's accuracy on
# the same pairs, Laplace-smoothed); the evaluation refits leaving each pair's source export out.
PAIRS_FITTED = ("backdocket_to_twenty", "oplacrm_to_twenty", "perfect_portal_to_odoo", "perfect_portal_to_twenty",
                "profi_to_twenty")
DEFAULT_WEIGHTS = Weights(
    coefficients=(0.7153, 3.0878, 2.3497, 1.762, 1.7051, -1.6917),
    intercept=-6.7339,
    skip_coefficients=(-2.0019, -0.272, 0.0, -0.645, -1.1226, 0.2366, 1.2499, 0.9117),
    new_field=0.5,
    rules={"memory": 0.999, "key": 0.7143, "key_named": 0.9524, "reference": 0.9821, "definitions": 0.9643,
           "users": 0.9355, "modified": 0.9737, "relation": 0.5682, "relation_named": 0.9333, "owner": 0.75,
           "owner_named": 0.6667, "owner_new": 0.4615, "declared": 0.9, "composite": 0.8333,
           "match_agreed": 0.9886, "new_custom": 0.6045, "new_skip": 0.5, "fold": 0.6667, "stage_list": 0.625,
           "file_size": 0.8333},
    fitted_on=PAIRS_FITTED,
)

# --- vocabulary ------------------------------------------------------------------------------------
# Generic CRM short forms and spellings folded to one word, on top of the profile's abbreviations.
_CANONICAL = {
    "e": "email", "mail": "email", "eml": "email", "emailaddress": "email",
    "telephone": "phone", "tel": "phone", "ph": "phone", "phn": "phone",
    "cell": "mobile", "mob": "mobile", "given": "first", "forename": "first", "family": "last",
    "crtd": "created", "creation": "created", "cre": "created",
    "mod": "modified", "modif": "modified", "upd": "modified", "updated": "modified", "changed": "modified",
    "stat": "status", "sts": "status", "typ": "type", "ctry": "country", "cntry": "country",
    "organization": "organisation", "org": "organisation",
    "cust": "customer", "cli": "client", "clnt": "client", "cont": "contact", "ctc": "contact",
    "att": "attachment", "doc": "document", "docs": "documents",
    "addr": "address", "st": "street", "ln": "line", "zip": "postcode", "postal": "postcode",
    "desc": "description", "descr": "description", "amt": "amount", "qty": "quantity",
    "mins": "minutes", "min": "minutes", "pct": "percent", "lang": "language", "reg": "registration",
    "ref": "reference", "msg": "message", "dt": "date", "ts": "timestamp", "usr": "user",
}
_TIME_WORDS = frozenset({"at", "on", "date", "time", "timestamp", "datetime", "dt"})
_MODIFIED_WORDS = frozenset({"modified", "last"})
_OWNER_WORDS = frozenset({"owner", "assignee", "assigned", "author", "responsible", "rep", "salesperson",
                          "creator", "coach", "agent", "attorney", "manager", "user"})
_REFERENCE_WORDS = frozenset({"automation", "automations", "sms", "portal", "workflow", "workflows", "log", "logs",
                              "login", "logins", "webhook", "webhooks", "trigger", "triggers", "rule", "rules",
                              "audit", "template", "templates"})
_USER_WORDS = frozenset({"user", "users", "staff", "employee", "employees", "member", "members", "agent", "agents"})
_HISTORY_WORDS = frozenset({"history", "histories", "changes", "transitions"})
_STAGE_WORDS = frozenset({"stage", "stages", "status", "statuses", "pipeline"})
_ORGANISATION = frozenset({"organisation", "company", "employer", "business", "firm"})
# Generic fields every object has; they say nothing about which object a file is.
_GENERIC_PATHS = frozenset({"createdAt", "name", "title", "id"})
_OWNER_TARGETS = frozenset({"workspaceMembers", "res.users"})
_USER_KEY_COVERAGE = 0.8  # share of a column's values that must be users' keys for it to name users
_NEW_NAME_ALIASES = ("name", "title", "label", "subject")
# Destination type of a new field, from the column's semantic type.
_TWENTY_TYPES = {"email": "EMAILS", "phone": "PHONES", "url": "LINKS", "date": "DATE", "datetime": "DATE_TIME",
                 "money": "CURRENCY", "percent": "NUMBER", "number": "NUMBER", "integer": "NUMBER",
                 "boolean": "BOOLEAN", "multi_value": "MULTI_SELECT", "html": "RICH_TEXT"}
_ODOO_TYPES = {"date": "date", "datetime": "datetime", "money": "float", "percent": "float", "number": "float",
               "integer": "float", "boolean": "boolean"}

# How well a column's values fit a field kind: 1 the values say so, 0 they cannot go there.
_TYPE_FIT: dict[str, dict[str, float]] = {
    "email": {"email": 1.0, "text": 0.3},
    "phone": {"phone": 1.0, "text": 0.3},
    "url": {"url": 1.0, "text": 0.3},
    "date": {"date": 1.0, "datetime": 0.9},
    "datetime": {"datetime": 1.0, "date": 0.8},
    "money": {"money": 1.0, "number": 0.8},
    "percent": {"number": 0.9},
    "number": {"number": 1.0, "money": 0.8, "select": 0.3},
    "integer": {"number": 1.0, "money": 0.7, "select": 0.3, "text": 0.3, "address_part": 0.5},
    "boolean": {"boolean": 1.0, "select": 0.4},
    "id": {"text": 0.3},
    "multi_value": {"multi_select": 1.0, "text": 0.5, "select": 0.3},
    "html": {"rich_text": 1.0, "text": 0.5},
    "person_name": {"name_part": 0.8, "text": 0.7},
    "text": {"text": 0.6, "rich_text": 0.6, "select": 0.6, "name_part": 0.6, "address_part": 0.6,
             "multi_select": 0.3, "url": 0.4, "email": 0.4, "phone": 0.5},  # dirty values are common
    "empty": {kind: 0.3 for kind in ("text", "number", "money", "date", "datetime", "boolean", "select",
                                      "multi_select", "email", "phone", "url", "rich_text", "address_part",
                                      "name_part")},
}
_WORD = re.compile(r"[a-z0-9]+")
# Generic CRM phrases for a few fields, beyond the catalog's lexicon.
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "createdAt": ("uploaded at", "uploaded on", "upload date", "occurred at", "logged at", "added on",
                  "date added"),
    "date": ("occurred at", "logged at", "sent at"),
}
# Attachments carry the file itself: the load uploads it from the column holding its path (gold "file").
_ATTACHMENT_OBJECTS = frozenset({"attachments", "ir.attachment"})
FILE_FIELD_ALIASES = ("file path", "path", "file", "file location", "storage path", "file url", "location")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


# --- tokens ------------------------------------------------------------------------------------------


def canonical(tokens: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for token in tokens:
        token = _CANONICAL.get(token, token)
        if token and (not out or out[-1] != token):
            out.append(token)
    return tuple(out)


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return canonical(t for word in _WORD.findall(phrase.lower()) for t in column_tokens(word))


def tokens_of(column: ColumnProfile) -> tuple[str, ...]:
    """The column's words as the scorers compare them: the profile's tokens (glued words already
    split), short forms folded."""
    return canonical(column.tokens)


# --- scorers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldText:
    own: frozenset[tuple[str, ...]]  # the field's name and label as tokens
    phrases: tuple[tuple[str, ...], ...]  # every alias as tokens
    flat: tuple[str, ...]  # the aliases without spaces, for fuzzy spelling


@lru_cache(maxsize=4096)
def field_text(target: CatalogField) -> FieldText:
    path_words = " ".join(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", part) for part in target.path.split("."))
    own = {phrase_tokens(path_words.replace("_", " ")), phrase_tokens(target.label)}
    own |= {phrase_tokens(re.sub(r"\bId$", "", path_words).replace("_", " "))}
    aliases = (*target.aliases, *_EXTRA_ALIASES.get(target.path, ()))
    phrases = tuple(dict.fromkeys(p for p in (*map(phrase_tokens, aliases), *own) if p))
    return FieldText(frozenset(p for p in own if p), phrases, tuple("".join(p) for p in phrases))


def type_fit(semantic_type: str, kind: str) -> float:
    return _TYPE_FIT.get(semantic_type, _TYPE_FIT["text"]).get(kind, 0.0)


def features(tokens: Sequence[str], column: ColumnProfile, target: CatalogField,
             object_tokens: Sequence[str] = ()) -> tuple[float, ...] | None:
    """The scorers' evidence that `column` (named `tokens`) goes to `target`; None if its values cannot."""
    fit = type_fit(column.semantic_type, target.kind)
    if target.kind == "relation":
        fit = 0.5 if column.categorical else 0.0  # a pick-list column naming a lookup record (stage_id)
    if fit == 0.0:
        return None
    text = field_text(target)
    variants = {tuple(tokens)}
    stripped = tuple(t for t in tokens if t not in object_tokens)
    if stripped and stripped != tuple(tokens):
        variants.add(stripped)
    exact = alias = jaccard = fuzzy_score = 0.0
    for variant in variants:
        words = set(variant)
        flat = "".join(variant)
        exact = max(exact, float(variant in text.own))
        alias = max(alias, float(variant in text.phrases))
        for phrase in text.phrases:
            jaccard = max(jaccard, len(words & set(phrase)) / len(words | set(phrase)))
        for phrase in text.flat:
            fuzzy_score = max(fuzzy_score, fuzz.ratio(flat, phrase) / 100)
    return exact, alias, jaccard, fuzzy_score, fit, _profile_evidence(column, target)


def _option_hits(column: ColumnProfile, target: CatalogField) -> int:
    options = {o.lower() for o in (*target.options, *target.option_labels)}
    return sum(v.lower() in options or v.lower().replace(" ", "_") in options for v, _ in column.top_values)


def _another_list(column: ColumnProfile, target: CatalogField) -> bool:
    """A pick-list of fixed options that few of the column's values name (a shared 'other' at most) is a
    different list that shares a word ('type' of an Odoo partner vs a client's type); stages and
    statuses are exempt, value maps translate those."""
    if target.kind not in ("select", "multi_select") or not (target.options or target.option_labels):
        return False
    if not column.categorical or set(phrase_tokens(target.path)) & _STAGE_WORDS:
        return False
    return _option_hits(column, target) <= len(column.top_values) / 3


def _profile_evidence(column: ColumnProfile, target: CatalogField) -> float:
    if target.kind not in ("select", "multi_select") and not (target.kind == "relation" and column.categorical):
        return 0.0
    score = 0.5 if column.categorical else 0.0
    if (target.options or target.option_labels) and column.top_values:
        score += 0.5 * _option_hits(column, target) / len(column.top_values)
    return score


def skip_features(column: ColumnProfile, tokens: Sequence[str], duplicate: bool, undeclared: bool
                  ) -> tuple[float, ...]:
    """Evidence that a column no existing field takes is dropped rather than kept as a custom field;
    `undeclared`: the export declares its custom fields and this column is not one of them."""
    return (1.0, float(column.categorical), float(column.semantic_type == "empty"), column.null_rate,
            float(duplicate), float(column.semantic_type in ("html", "text") and not column.categorical),
            float(column.semantic_type == "id" or (bool(tokens) and tokens[-1] == "id")), float(undeclared))


def _flat(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def declared_columns(profile: ExportProfile) -> frozenset[str] | None:
    """The columns a custom-field definitions file declares (flattened names), None without such a file.

    The definitions name columns by their original headers; a renamed export is matched by spelling."""
    for file in profile.files:
        if not _custom_field_file(file) or _key_value(file):
            continue  # a key-value file holds values in rows: its cells name no columns
        headers = {_flat(c.name) for f in profile.files if f.name != file.name for c in f.columns}
        best: frozenset[str] = frozenset()
        for column in file.columns:
            values = frozenset(_flat(v) for v, _ in column.top_values)
            if len(values & headers) > len(best & headers):
                best = values
        if best & headers:
            return best
    return None


def _custom_field_file(file: FileProfile) -> bool:
    stem = _stem(file)
    return "custom" in stem and bool({"field", "fields"} & set(stem))


def _key_value(file: FileProfile) -> bool:
    """Custom fields as rows (record, key, value) rather than as a list of declared columns."""
    return bool({"value", "field_value"} & {c.name for c in file.columns}) or any("value" in c.tokens for c in file.columns)


def is_declared(column: ColumnProfile, declared: frozenset[str] | None) -> bool:
    if not declared:
        return False
    name = _flat(column.name)
    return name in declared or any(fuzz.ratio(name, d) >= 85 or (len(d) > 5 and d in name) for d in declared)


# --- files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    profile: FileProfile
    role: str  # load, reference, definitions, key_value, users, stages, history, junction
    targets: tuple[str, ...] = ()
    new_object: bool = False  # the target is a custom object the migration creates
    confidence: float = 0.5
    parent: str | None = None  # history: the file it records the changes of
    corroborated: bool = False  # the columns' content agrees with the object the name chose


def _stem(profile: FileProfile) -> tuple[str, ...]:
    return canonical(column_tokens(profile.object_name))


def _singulars(tokens: Sequence[str]) -> set[str]:
    return {singular(t) for t in tokens} | set(tokens)


def _object_phrase_score(stem: Sequence[str], aliases: Sequence[str]) -> float:
    """1 when the file's name is an alias of the object, 0.8 when its last two words are, 0.6 its head noun."""
    forms = {" ".join(stem), " ".join((*stem[:-1], singular(stem[-1])))}
    alias_set = {a.lower() for a in aliases}
    if forms & alias_set:
        return 1.0
    if len(stem) > 2 and " ".join(stem[-2:]) in alias_set:
        return 0.8
    head = stem[-1]
    return 0.6 if {head, singular(head)} & alias_set else 0.0


def _emails(column: ColumnProfile) -> set[str]:
    return {v.lower() for v, _ in column.top_values} if column.semantic_type == "email" else set()


def _classify(profile: ExportProfile, catalog: DestinationCatalog) -> dict[str, _File]:
    """What each file is: a load (and of which objects), or one of the files that are not."""
    files: dict[str, _File] = {}
    fk_targets = {fk.target_file for fk in profile.foreign_keys}
    fk_sources: dict[str, list[str]] = {}
    for fk in profile.foreign_keys:
        fk_sources.setdefault(fk.file, []).append(fk.target_file)
    user_emails = _user_emails(profile)
    for file in profile.files:
        stem = _stem(file)
        alias_scores = {obj: _object_phrase_score(stem, catalog.object_aliases.get(obj, ()))
                        for obj in catalog.objects}
        best_alias = max(alias_scores.values(), default=0.0)
        if set(stem) & _REFERENCE_WORDS:
            files[file.name] = _File(file, "reference", confidence=0.9)
        elif _custom_field_file(file):
            files[file.name] = _File(file, "key_value" if _key_value(file) else "definitions", confidence=0.9)
        elif file.name in user_emails or _singulars(stem) & _USER_WORDS:
            files[file.name] = _File(file, "users", confidence=0.9)
        elif set(stem) & _HISTORY_WORDS and file.name in fk_sources and best_alias < 0.8:
            files[file.name] = _File(file, "history", parent=fk_sources[file.name][0])
        elif set(stem) & _STAGE_WORDS and file.name in fk_targets and best_alias < 0.6:
            files[file.name] = _File(file, "stages")
        elif not file.candidate_keys and len(fk_sources.get(file.name, ())) >= 2:
            files[file.name] = _File(file, "junction")
        else:
            files[file.name] = _File(file, "load")
    return files


def _user_emails(profile: ExportProfile) -> dict[str, set[str]]:
    """Files of people who use the CRM: a unique email column whose addresses other files' email columns hold."""
    found: dict[str, set[str]] = {}
    for file in profile.files:
        stem = _stem(file)
        for column in file.columns:
            emails = _emails(column)
            if not emails or column.distinct_ratio < 1:
                continue
            elsewhere = [c for other in profile.files if other.name != file.name for c in other.columns
                         if _emails(c) and len(_emails(c) & emails) >= max(1, len(_emails(c)) // 2)]
            if elsewhere or _singulars(stem) & _USER_WORDS:
                found[file.name] = emails
    return found


# --- the matcher -------------------------------------------------------------------------------------


@dataclass
class _Context:
    profile: ExportProfile
    catalog: DestinationCatalog
    weights: Weights
    files: dict[str, _File]
    user_emails: dict[str, set[str]]
    name_for: dict[str, str]  # destination object → the relation field stem pointing at it ("person")
    declared: frozenset[str] | None = None  # custom fields the export declares

    def primary(self, file_name: str) -> str | None:
        file = self.files.get(file_name)
        return file.targets[0] if file and file.role == "load" and file.targets else None


def propose_decisions(profile: ExportProfile, catalog: DestinationCatalog, source_system: str,
                      memory: DecisionMemory | None = None, weights: Weights = DEFAULT_WEIGHTS,
                      ) -> tuple[list[ObjectProposal], list[ColumnProposal]]:
    """Draft where every file and column of the export goes; remembered decisions win and are certain."""
    files = _classify(profile, catalog)
    name_for = {f.relation: f.path[:-2] for fields in catalog.objects.values() for f in fields
                if f.kind == "relation" and f.relation and f.path.endswith("Id")}
    context = _Context(profile, catalog, weights, files, _user_emails(profile), name_for, declared_columns(profile))
    _pair_objects(context)
    objects = [ObjectProposal(f.profile.object_name, f.profile.name,
                              f.profile.candidate_keys[0] if f.profile.candidate_keys else None,
                              f.targets, round(f.confidence, 4), f.role == "reference")
               for f in files.values()]
    columns: list[ColumnProposal] = []
    for file in files.values():
        proposals = _decide_file(context, file)
        proposals = [_custom_is_low(p) for p in proposals]
        if memory is not None:
            proposals = [_recalled(context, memory, source_system, p) or p for p in proposals]
        columns.extend(proposals)
    return objects, columns


def _custom_is_low(proposal: ColumnProposal) -> ColumnProposal:
    """A new custom field is the low band's proposal by definition: never pre-accepted, always reviewed."""
    return replace(proposal, band="low") if proposal.kind == "custom" else proposal


def _pair_objects(context: _Context) -> None:
    """Each load file's destination objects: by name first, then by how many of its columns an object's
    fields take; a person with an organisation feeds companies and people."""
    catalog = context.catalog
    claimed: set[str] = set()
    pending: list[str] = []
    for name, file in context.files.items():
        if file.role != "load":
            continue
        stem = _stem(file.profile)
        scores = {obj: _object_phrase_score(stem, catalog.object_aliases.get(obj, ())) for obj in catalog.objects}
        best = max(scores.values(), default=0.0)
        named = [obj for obj, score in scores.items() if score == best and best > 0]
        if not named:
            pending.append(name)
            continue
        fits = {obj: _fit(context, file.profile, obj) for obj in named}
        chosen = max(named, key=lambda obj: (len(fits[obj]), -named.index(obj)))
        claimed.add(chosen)
        context.files[name] = _with_targets(context, file, chosen, 0.6 + 0.35 * best)
    for name in pending:
        file = context.files[name]
        fits = {obj: _fit(context, file.profile, obj) for obj in catalog.objects}
        ranked = sorted(fits, key=lambda obj: -len(fits[obj]))
        chosen = ranked[0] if ranked else None
        needed = 4 if chosen in claimed else 3
        if chosen and len(fits[chosen]) >= needed:
            claimed.add(chosen)
            context.files[name] = _with_targets(context, file, chosen, 0.5 + 0.05 * len(fits[chosen]))
        elif catalog.system == "twenty" and file.profile.candidate_keys:
            new = _camel(file.profile.object_name)
            context.files[name] = _File(file.profile, "load", (new,), True, 0.6)
        else:
            context.files[name] = _File(file.profile, "unplaced", confidence=0.3)


def _with_targets(context: _Context, file: _File, chosen: str, confidence: float) -> _File:
    targets: tuple[str, ...] = (chosen,)
    catalog = context.catalog
    if catalog.system == "twenty" and chosen in ("people", "companies"):
        has_person = any(tokens_of(c)[-2:] in (("first", "name"), ("last", "name")) for c in file.profile.columns)
        linked = {fk.column for fk in context.profile.foreign_keys if fk.file == file.profile.name}
        has_org = any(set(tokens_of(c)) & _ORGANISATION and c.semantic_type in ("text", "person_name")
                      and c.name not in linked and tokens_of(c)[-1] != "id" for c in file.profile.columns)
        if has_person and has_org and "companies" in catalog.objects and "people" in catalog.objects:
            # The records are people; the organisation column also names a company they work at.
            targets = ("people", "companies")
    specific = [f for f in catalog.objects[chosen] if f.path not in _GENERIC_PATHS and f.kind != "relation"]
    corroborated = len(_fit(context, file.profile, chosen)) >= min(2, len(specific))
    return _File(file.profile, "load", targets, False, min(confidence, 0.99), corroborated=corroborated)


def _fit(context: _Context, file: FileProfile, obj: str) -> set[str]:
    """The object's specific fields the file's columns match well (generic ones like createdAt aside)."""
    matched: set[str] = set()
    object_tokens = _singulars(_stem(file))
    for column in file.columns:
        tokens = tokens_of(column)
        for target in context.catalog.objects[obj]:
            if target.path in _GENERIC_PATHS or target.kind == "relation":
                continue
            found = features(tokens, column, target, tuple(object_tokens))
            if found and context.weights.probability(found) >= 0.5:
                matched.add(target.path)
    return matched


def _camel(object_name: str) -> str:
    words = column_tokens(object_name)
    return words[0] + "".join(w.capitalize() for w in words[1:]) if words else object_name


def _new_object_fields(obj: str, object_tokens: Sequence[str]) -> tuple[CatalogField, ...]:
    """What a new Twenty custom object comes with: a name and a creation date."""
    head = " ".join(object_tokens)
    names = (*_NEW_NAME_ALIASES, f"{head} name", f"{head} number", f"{head} title")
    return (CatalogField(obj, "name", "Name", "text", "TEXT", custom=True, aliases=names),
            CatalogField(obj, "createdAt", "Creation date", "datetime", "DATE_TIME", custom=True,
                         aliases=("created", "created at", "created on", "creation date", "date created")))


def _proposal(file: _File, column: ColumnProfile, kind: Kind, target: str | None, path: str | None,
              confidence: float, rule: str, reasons: Sequence[str] = (), candidates: Sequence[Candidate] = (),
              margin: float | None = None, new_field_type: str | None = None,
              relation_to: str | None = None, auto: bool = True) -> ColumnProposal:
    """`auto` False keeps a decision out of the auto band however sure its own scorer is: pre-accepting
    needs the independent evidence (object, name, values) to agree, not one confident number."""
    confidence = round(min(max(confidence, 0.0), 1.0), 4)
    margin = round(confidence - (1 - confidence) if margin is None else margin, 4)
    band = band_for(confidence, margin)
    if band == "auto" and not auto:
        band = "review"
    return ColumnProposal(file.profile.object_name, column.name, kind, target, path, confidence, margin,
                          band, tuple(reasons), tuple(candidates)[:3], new_field_type,
                          relation_to, column.semantic_type, {"rule": rule})


# A file's destination object is sure enough to pre-accept its columns' fields when its name is one of
# the object's aliases (confidence 0.6 + 0.35) and it feeds that object alone.
_AUTO_OBJECT_CONFIDENCE = 0.9


def _object_sure(file: _File) -> bool:
    """Two independent signals agree on the file's one object: its name, and its columns taking the
    object's specific fields (at least two, or all the object has)."""
    return (not file.new_object and len(file.targets) == 1 and file.confidence >= _AUTO_OBJECT_CONFIDENCE
            and file.corroborated)


def _options_agree(column: ColumnProfile, target: CatalogField) -> bool:
    """A pick-list field with known options takes a column only when most of its values are options
    (before any value map): a homonym ('type') with foreign values is a different list."""
    if target.kind not in ("select", "multi_select") or not (target.options or target.option_labels):
        return True
    return bool(column.top_values) and _option_hits(column, target) > len(column.top_values) / 2


def _match_auto(file: _File, column: ColumnProfile, target: CatalogField, found: Sequence[float]) -> bool:
    """Several independent scorers agree: the object is sure, the name is the field's own or an alias
    (not a partial overlap or a near spelling), and the values fit the field."""
    exact, alias, _, _, fit, _ = found
    return _object_sure(file) and max(exact, alias) == 1.0 and fit >= 0.6 and _options_agree(column, target)


def _is_modified(tokens: Sequence[str], column: ColumnProfile) -> bool:
    return bool(set(tokens) & _MODIFIED_WORDS) and column.semantic_type in ("date", "datetime", "empty")


def _measured_on_upload(file: _File, tokens: Sequence[str]) -> bool:
    return bool(set(file.targets) & _ATTACHMENT_OBJECTS) and bool({"size", "bytes"} & set(tokens))


def _decide_file(context: _Context, file: _File) -> list[ColumnProposal]:
    rules = context.weights.rule_confidence
    key = file.profile.candidate_keys[0] if file.profile.candidate_keys else None
    columns = file.profile.columns
    if file.role == "reference":
        return [_proposal(file, c, "skip", None, None, rules("reference"), "reference",
                          ("reference-only file: automations, logs and logins do not migrate",)) for c in columns]
    if file.role == "definitions":
        return [_proposal(file, c, "custom", None, None, rules("definitions"), "definitions",
                          ("custom-field definitions: the columns declare the fields to create",)) for c in columns]
    if file.role == "key_value":
        return [_proposal(file, c, "skip" if c.name == key else "custom", None, None, rules("definitions"),
                          "definitions", ("key-value custom-field values",)) for c in columns]
    if file.role == "users":
        emails = context.user_emails.get(file.profile.name, set())
        # Records naming their owner by a user id make this file a lookup (id → email) as well: its
        # columns then serve the owner fields too, so the plain reading is not pre-accepted.
        looked_up = any(fk.target_file == file.profile.name for fk in context.profile.foreign_keys) or any(
            set(tokens_of(c)) & _OWNER_WORDS and tokens_of(c)[-1] == "id" and c.name not in other.profile.candidate_keys
            for other in context.files.values() if other.role == "load" for c in other.profile.columns)
        return [_proposal(file, c, "owner", None, None, rules("users"), "users",
                          ("users' email: matched against the destination's users",), auto=not looked_up)
                if emails and _emails(c) == emails else
                _proposal(file, c, "skip", None, None, rules("users"), "users", ("users file",), auto=not looked_up)
                for c in columns]
    if file.role == "history":
        return _decide_history(context, file)
    if file.role == "stages":
        return _decide_stages(context, file)
    if file.role in ("junction", "unplaced") or not file.targets:
        return [_proposal(file, c, "skip", None, None, rules("unplaced"), "unplaced",
                          ("no destination object holds these records",)) for c in columns]
    return _decide_load(context, file, key)


def _decide_history(context: _Context, file: _File) -> list[ColumnProposal]:
    """A change log of another file: folded into its records (when it entered a stage), no load of its own."""
    parent = context.primary(file.parent or "")
    found = []
    for column in file.profile.columns:
        tokens = tokens_of(column)
        linked = any(fk.file == file.profile.name and fk.column == column.name for fk in context.profile.foreign_keys)
        kept = parent and (linked or column.semantic_type in ("date", "datetime") or set(tokens) & _STAGE_WORDS)
        kind: Kind = "custom" if kept else "skip"
        found.append(_proposal(file, column, kind, parent if kept else None, None,
                               context.weights.rule_confidence("fold"), "fold",
                               (f"history of {file.parent}: kept on its records",)))
    return found


def _decide_stages(context: _Context, file: _File) -> list[ColumnProposal]:
    """A pick-list's own table: its codes are the referring column's options, not records."""
    referrer = next((fk for fk in context.profile.foreign_keys if fk.target_file == file.profile.name), None)
    target = context.primary(referrer.file) if referrer else None
    stage = next((f for f in context.catalog.objects.get(target or "", ()) if f.kind == "select"), None)
    found = []
    for column in file.profile.columns:
        is_key = referrer is not None and column.name == referrer.target_column
        if is_key and stage is not None:
            found.append(_proposal(file, column, "field", target, stage.path, context.weights.rule_confidence(
                "stage_list"), "stage_list", ("the stage list's codes are the stage field's options",)))
        else:
            found.append(_proposal(file, column, "skip", None, None, context.weights.rule_confidence("stage_list"),
                                   "stage_list", ("stage list: read for the options only",)))
    return found


def _owner_field(context: _Context, targets: Sequence[str]) -> tuple[str, CatalogField] | None:
    for obj in targets:
        for target in context.catalog.objects.get(obj, ()):
            if target.kind == "relation" and (target.relation in _OWNER_TARGETS or "author" in target.aliases[:1]):
                return obj, target
    return None


def _owner_link(context: _Context, file: _File, column: ColumnProfile) -> tuple[str, str] | None:
    """(users file, its column) when the column names users: by a foreign key, or by sharing their emails."""
    for fk in context.profile.foreign_keys:
        if fk.file == file.profile.name and fk.column == column.name:
            users = context.files.get(fk.target_file)
            return (fk.target_file, fk.target_column) if users and users.role == "users" else None
    if users_key := _user_key_link(context, file, column):
        return users_key
    emails = _emails(column)
    for name, users in context.user_emails.items():
        if emails and len(emails & users) >= max(1, len(emails) // 2):
            email = next(c.name for c in context.profile.file(name).columns if _emails(c) == users)
            return name, email
    return None


def _user_key_link(context: _Context, file: _File, column: ColumnProfile) -> tuple[str, str] | None:
    """(users file, its key) when the column's values are the keys of a users file (owner_id → user_id),
    whatever the column is called. Plain numbers (1, 2, 3) are anyone's keys: they count only under a
    name that says user or owner."""
    if column.semantic_type not in ("id", "text", "integer") or column.name in file.profile.candidate_keys:
        return None
    values = [(value, count) for value, count in column.top_values if value]
    total = sum(count for _, count in values)
    if not total:
        return None
    named = bool(set(tokens_of(column)) & _OWNER_WORDS)
    for name, users in context.files.items():
        if users.role != "users" or not users.profile.candidate_keys:
            continue
        key = users.profile.candidate_keys[0]
        keys = {value for value, _ in users.profile.column(key).top_values}
        if not named and all(k.isdigit() for k in keys):
            continue
        if sum(count for value, count in values if value in keys) / total >= _USER_KEY_COVERAGE:
            return name, key
    return None


def _relation_field(context: _Context, file: _File, tokens: Sequence[str], related: str
                    ) -> tuple[str, str, bool, float] | None:
    """(object, field path, new, name similarity) that links a record of `file` to `related`: a relation
    field of one of its targets, a link object's (noteTargets), or a new relation on a custom object."""
    catalog = context.catalog
    scored: list[tuple[float, str, str]] = []
    for obj in file.targets:
        for target in catalog.objects.get(obj, ()):
            if target.kind == "relation" and (target.relation == related or (
                    target.relation is None and catalog.system == "odoo")):
                words = set(tokens)
                similarity = max((len(words & set(p)) / len(words | set(p)) for p in field_text(target).phrases),
                                 default=0.0)
                scored.append((similarity, obj, target.path))
    if scored:
        similarity, obj, path = max(scored, key=lambda s: s[0])
        return obj, path, False, similarity
    primary = file.targets[0]
    for obj, fields in catalog.objects.items():
        links = {f.relation: f.path for f in fields if f.kind == "relation"}
        if primary in links and related in links and obj != primary and obj != related:
            return obj, links[related], False, 0.0
    if catalog.system == "twenty" and related != primary and (file.new_object or related not in catalog.objects):
        stem = context.name_for.get(related) or singular_camel(related)
        return primary, f"{stem}Id", True, 0.0
    return None


def singular_camel(name: str) -> str:
    """'courtJurisdictions' → 'courtJurisdiction'."""
    parts = re.findall(r"[a-z0-9]+|[A-Z][a-z0-9]*", name)
    return name[: len(name) - len(parts[-1])] + singular(parts[-1].lower()).capitalize() if len(parts) > 1 \
        else singular(name)


def _new_type(context: _Context, column: ColumnProfile) -> str:
    if context.catalog.system == "odoo":
        return "selection" if column.categorical else _ODOO_TYPES.get(column.semantic_type, "char")
    if column.categorical and column.semantic_type not in ("boolean", "number", "integer"):
        return "SELECT"
    return _TWENTY_TYPES.get(column.semantic_type, "TEXT")


def _decide_load(context: _Context, file: _File, key: str | None) -> list[ColumnProposal]:
    rules = context.weights.rule_confidence
    primary = file.targets[0]
    decided: dict[str, ColumnProposal] = {}
    open_columns: list[tuple[ColumnProfile, tuple[str, ...]]] = []
    relations: list[tuple[tuple[str, str, bool, float], ColumnProfile, tuple[str, ...], str]] = []
    links = {fk.column: fk for fk in context.profile.foreign_keys if fk.file == file.profile.name}
    for column in file.profile.columns:
        tokens = tokens_of(column)
        if column.name == key:
            rule = "key_named" if _object_sure(file) else "key"
            decided[column.name] = _proposal(file, column, "field", primary, "id", rules(rule), rule,
                                             ("the file's key: the record's identity",), auto=rule == "key_named")
        elif is_declared(column, context.declared):
            decided[column.name] = _proposal(file, column, "custom", primary, None, rules("declared"), "declared",
                                             ("the export declares it a custom field",),
                                             new_field_type=_new_type(context, column))
        elif _is_modified(tokens, column):
            decided[column.name] = _proposal(file, column, "skip", None, None, rules("modified"), "modified",
                                             ("last-modified time: the destination keeps its own",))
        elif _measured_on_upload(file, tokens):
            decided[column.name] = _proposal(file, column, "skip", None, None, rules("file_size"), "file_size",
                                             ("the file's size: the destination measures the uploaded file",))
        elif owner_link := _owner_link(context, file, column):
            owner = _owner_field(context, file.targets)
            if owner:
                rule = "owner_named" if _object_sure(file) else "owner"
                decided[column.name] = _proposal(file, column, "owner", owner[0], owner[1].path, rules(rule),
                                                 rule, ("names a user: the record's owner",),
                                                 auto=rule == "owner_named")
                decided[column.name].extra["link"] = owner_link
            else:
                decided[column.name] = _proposal(file, column, "custom", primary, None, rules("owner_new"),
                                                 "owner_new", ("names a user, and the object has no owner field",),
                                                 new_field_type=_new_type(context, column))
                decided[column.name].extra["link"] = owner_link
        elif column.name in links and context.files[links[column.name].target_file].role == "stages":
            stage = _stage_field(context, file)
            if stage:
                decided[column.name] = _proposal(file, column, "field", stage.object, stage.path,
                                                 rules("stage_list"), "stage_list",
                                                 (f"holds codes of the stage list {links[column.name].target_file}",))
            else:
                open_columns.append((column, tokens))
        elif column.name in links and context.primary(links[column.name].target_file):
            related_file = links[column.name].target_file
            related_targets = context.files[related_file].targets
            # A person with an organisation feeds both: what points at them points at the person.
            related = "people" if "people" in related_targets else related_targets[0]
            link = _relation_field(context, file, tokens, related)
            if link:
                relations.append((link, column, tokens, related_file))
            else:
                open_columns.append((column, tokens))
        else:
            open_columns.append((column, tokens))
    decided.update(_relations(context, file, relations, open_columns))
    decided.update(_composite_names(context, file, open_columns))
    open_columns = [(c, t) for c, t in open_columns if c.name not in decided]
    decided.update(_assign(context, file, open_columns))
    return [decided[c.name] for c in file.profile.columns]


def _stage_field(context: _Context, file: _File) -> CatalogField | None:
    return next((f for obj in file.targets for f in context.catalog.objects.get(obj, ())
                 if f.kind in ("select", "relation") and "stage" in f.aliases), None)


def _relations(context: _Context, file: _File,
               relations: list[tuple[tuple[str, str, bool, float], ColumnProfile, tuple[str, ...], str]],
               open_columns: list[tuple[ColumnProfile, tuple[str, ...]]]) -> dict[str, ColumnProposal]:
    """One column per relation field (the best named); a polymorphic link (Odoo's res_id) takes several."""
    rules = context.weights.rule_confidence
    best: dict[tuple[str, str], float] = {}
    for (obj, path, _, similarity), *_ in relations:
        best[(obj, path)] = max(best.get((obj, path), -1.0), similarity)
    found: dict[str, ColumnProposal] = {}
    for (obj, path, new, similarity), column, tokens, related_file in relations:
        target = context.catalog.field(obj, path)
        polymorphic = target is not None and target.relation is None
        if not polymorphic and (similarity < best[(obj, path)] or (obj, path) in {
                (p.target_object, p.target_path) for p in found.values()}):
            open_columns.append((column, tokens))
            continue
        fk = next(fk for fk in context.profile.foreign_keys
                  if fk.file == file.profile.name and fk.column == column.name)
        # Both ends named by their objects, onto an existing typed relation field: a separate class,
        # calibrated on its own, and the only one that may be pre-accepted.
        named = (not new and not polymorphic and obj in file.targets and _object_sure(file)
                 and _object_sure(context.files[related_file]))
        rule = "relation_named" if named else "relation"
        proposal = _proposal(file, column, "relation", obj, path, rules(rule), rule,
                             (f"holds keys of {related_file} ({fk.coverage:.0%} found)",),
                             new_field_type="RELATION" if new else None,
                             relation_to=context.files[related_file].profile.object_name, auto=named)
        proposal.extra["link"] = (fk.target_file, fk.target_column)
        found[column.name] = proposal
    return found


def _composite_names(context: _Context, file: _File, open_columns: list[tuple[ColumnProfile, tuple[str, ...]]]
                     ) -> dict[str, ColumnProposal]:
    """First and last name both feed a destination that keeps one name field (Odoo's partner name)."""
    targets = [f for obj in file.targets for f in context.catalog.objects.get(obj, ())]
    if any(f.kind == "name_part" for f in targets):
        return {}
    name = next((f for f in targets if f.path == "name"), None)
    parts = [(c, t) for c, t in open_columns if t[-2:] in (("first", "name"), ("last", "name"))]
    if name is None or len(parts) != 2:
        return {}
    return {c.name: _proposal(file, c, "field", name.object, name.path, context.weights.rule_confidence(
        "composite"), "composite", ("first and last name make the name",)) for c, _ in parts}


def _candidate_fields(context: _Context, file: _File) -> list[CatalogField]:
    if file.new_object:
        return list(_new_object_fields(file.targets[0], _stem(file.profile)))
    uploads = [CatalogField(obj, "file", "File", "text", "FILE", aliases=FILE_FIELD_ALIASES)
               for obj in file.targets if obj in _ATTACHMENT_OBJECTS]
    return uploads + [f for obj in file.targets for f in context.catalog.objects.get(obj, ())
            if (obj == file.targets[0] or f.path == "name")  # a person's employer takes only its name
            and (f.kind != "relation" or (f.relation in context.catalog.objects and f.relation not in file.targets
                                          and not any(t.role == "load" and f.relation in t.targets
                                                      for t in context.files.values())))]


def _assign(context: _Context, file: _File, columns: list[tuple[ColumnProfile, tuple[str, ...]]]
            ) -> dict[str, ColumnProposal]:
    """The best one-to-one placement of the open columns, each free to take 'no existing field'."""
    if not columns:
        return {}
    weights = context.weights
    fields = _candidate_fields(context, file)
    object_tokens = tuple(_singulars(_stem(file.profile)))
    probability = np.zeros((len(columns), len(fields)))
    evidence: dict[tuple[int, int], tuple[float, ...]] = {}
    for i, (column, tokens) in enumerate(columns):
        for j, target in enumerate(fields):
            # A homonym pick-list still hints at the object (routing), but cannot take the column.
            found = None if _another_list(column, target) else features(tokens, column, target, object_tokens)
            if found:
                evidence[(i, j)] = found
            probability[i, j] = weights.probability(found) if found else 0.0
    # Columns × (fields + one "no existing field" slot per column); maximise the summed probability.
    none = np.full((len(columns), len(columns)), -1e6)
    np.fill_diagonal(none, weights.new_field)
    allowed = (probability > 0) & ~_phone_barred(columns, fields)
    value = np.hstack([np.where(allowed, probability, -1e6), none])
    rows, cols = linear_sum_assignment(-value)
    placed = dict(zip(rows, cols))
    # A field whose name or alias two columns carry (phone and mobile) is contested: never pre-accepted.
    named_by = np.zeros(len(fields), dtype=int)
    for (_, j), found in evidence.items():
        named_by[j] += max(found[0], found[1]) == 1.0
    taken_types = {columns[i][0].semantic_type for i, j in placed.items() if j < len(fields)}
    found: dict[str, ColumnProposal] = {}
    for i, (column, tokens) in enumerate(columns):
        order = np.argsort(-probability[i])
        candidates = [Candidate(fields[j].object, fields[j].path, round(float(probability[i, j]), 4))
                      for j in order[:3] if probability[i, j] > 0]
        j = placed[i]
        if j < len(fields):
            p = float(probability[i, j])
            others = [float(probability[i, k]) for k in range(len(fields)) if k != j]
            runner_up = max([*others, 1 - p if p < 0.5 else 0.0], default=0.0)
            target = fields[j]
            if (_match_auto(file, column, target, evidence[(i, j)]) and named_by[j] == 1 and p >= 0.5
                    and p - runner_up >= 0.2):
                # The scorers agree: the class's measured accuracy is the better-calibrated figure.
                agreed = weights.rule_confidence("match_agreed")
                found[column.name] = _proposal(file, column, "field", target.object, target.path, agreed,
                                               "match_agreed", (f"matches {target.label!r}",), candidates,
                                               margin=agreed - runner_up)
                continue
            found[column.name] = _proposal(file, column, "field", target.object, target.path, p, "match",
                                           (f"matches {target.label!r}",), candidates, margin=p - runner_up,
                                           auto=False)
            continue
        duplicate = column.semantic_type in taken_types and column.semantic_type not in ("text", "empty")
        undeclared = context.declared is not None
        skip = weights.skip_probability(skip_features(column, tokens, duplicate, undeclared))
        if file.new_object:
            skip = min(skip, 0.3)
        best = float(probability[i, order[0]]) if len(fields) else 0.0
        if skip >= 0.5:
            found[column.name] = _proposal(file, column, "skip", None, None, skip * (1 - best), "new_skip",
                                           ("no destination field fits; little to keep",), candidates)
        else:
            found[column.name] = _proposal(file, column, "custom", file.targets[0], None, (1 - skip) * (1 - best),
                                           "new_custom", ("no destination field fits: a new custom field",),
                                           candidates, new_field_type=_new_type(context, column))
    return found


def _phone_role(tokens: Iterable[str]) -> str | None:
    """'mobile' for a mobile (cell) number, 'phone' for a plain phone, None for neither."""
    words = set(tokens)
    return "mobile" if "mobile" in words else "phone" if "phone" in words else None


def _phone_barred(columns: Sequence[tuple[ColumnProfile, tuple[str, ...]]], fields: Sequence[CatalogField]
                  ) -> np.ndarray:
    """(column, field) pairs the assignment may not use: when a file has both a phone and a mobile column,
    the main phone field goes to the column named phone (however messy its values) and a mobile field
    to the column named mobile; without a mobile field the mobile column is left to the other rules."""
    barred = np.zeros((len(columns), len(fields)), dtype=bool)
    roles = [_phone_role(tokens) for _, tokens in columns]
    if not {"phone", "mobile"} <= set(roles):
        return barred
    for j, target in enumerate(fields):
        if target.kind != "phone":
            continue
        field_role = "mobile" if any("mobile" in own for own in field_text(target).own) else "phone"
        for i, role in enumerate(roles):
            barred[i, j] = role is not None and role != field_role
    return barred


# --- memory ------------------------------------------------------------------------------------------


def remembered_for(kind: Kind, target_object: str | None, target_path: str | None, by: str) -> Remembered:
    """What to remember for a decision, written '<kind>:<path>' (':' never occurs in a path). A plain
    path (what confirm.py writes) is read back with its kind taken from the catalog."""
    return Remembered(target_object or "", f"{kind}:{target_path or ''}", by)


def _recalled(context: _Context, memory: DecisionMemory, system: str, proposal: ColumnProposal
              ) -> ColumnProposal | None:
    found = memory.recall(system, proposal.source_object, proposal.column)
    if found is None:
        return None
    kind_text, _, path = found.field.rpartition(":")
    kind: Kind
    if kind_text in ("field", "custom", "relation", "owner", "skip"):
        kind = kind_text  # type: ignore[assignment]
    else:
        target = context.catalog.field(found.target, path)
        if target is None:
            kind = "field" if path in ("id", "file") else "custom"
        elif target.kind == "relation":
            kind = "owner" if target.relation in _OWNER_TARGETS else "relation"
        else:
            kind = "field"
    confidence = context.weights.rule_confidence("memory")
    link = {"link": proposal.extra["link"]} if kind in ("relation", "owner") and "link" in proposal.extra else {}
    return ColumnProposal(proposal.source_object, proposal.column, kind, found.target or None, path or None,
                          confidence, confidence, band_for(confidence, confidence),
                          (f"confirmed before by {found.confirmed_by}",), (), proposal.new_field_type,
                          proposal.relation_to, proposal.semantic_type, {**link, "rule": "memory"})
