"""Profiling an export: what each file and column holds, so the proposer can match it to a destination.

The proposer sees only the export, so everything it decides starts here: a column's meaning comes
from its name (split into tokens, abbreviations spelled out) and from what its values look like
(emails, phones, day-first dates, amounts, ids); links between files come from key values one file
shares with another's key *and* a name that says so, since id values alone often coincide.
Each file is streamed to count its rows, but only its first `sample_rows` rows are analysed.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import PurePosixPath

import pandas as pd
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from migration_pipeline.sources.export import ExportArchive

SEMANTIC_TYPES = (
    "email", "phone", "url", "date", "datetime", "money", "percent", "number", "integer",
    "boolean", "id", "multi_value", "html", "person_name", "text", "empty",
)  # fmt: skip
AGREEMENT = 0.9  # share of non-empty sampled values that must look alike to give a column a type
# Share of a column's values that must be keys of the target file. The name signal carries the
# decision (a wrongly named pair shares no values at all); exports keep orphans, like a contact
# whose account was not exported: the samples hold references with 5-27 % of them dangling.
FK_COVERAGE = 0.5
TOP_VALUES = 10
_TOP_VALUE_CHARS = 200  # long bodies are cut in top_values so the JSON stays readable

# Abbreviations seen in CRM column names, spelled out so names match destination fields.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "fname": ("first", "name"),
    "lname": ("last", "name"),
    "mname": ("middle", "name"),
    "firstname": ("first", "name"),
    "lastname": ("last", "name"),
    "forename": ("first", "name"),
    "surname": ("last", "name"),
    "dept": ("department",),
    "amt": ("amount",),
    "addr": ("address",),
    "tel": ("phone",),
    "ph": ("phone",),
    "mob": ("mobile",),
    "dob": ("date", "of", "birth"),
    "qty": ("quantity",),
    "desc": ("description",),
    "org": ("organisation",),
    "co": ("company",),
    "acct": ("account",),
    "cust": ("customer",),
    "num": ("number",),
    "no": ("number",),
    "nbr": ("number",),
    "dt": ("date",),
    "ts": ("timestamp",),
    "zip": ("postcode",),
    "pct": ("percent",),
    "ref": ("reference",),
    "msg": ("message",),
    "inv": ("invoice",),
    "opp": ("opportunity",),
    "pmt": ("payment",),
    "cli": ("client",),
    "clnt": ("client",),
    "cont": ("contact",),
    "ctc": ("contact",),
    "sess": ("session",),
    "pkg": ("package",),
    "doc": ("document",),
    "att": ("attachment",),
    "eml": ("email",),
    "phn": ("phone",),
    "usr": ("user",),
    "stat": ("status",),
    "sts": ("status",),
    "crtd": ("created",),
    "cre": ("created",),
    "mod": ("modified",),
    "modif": ("modified",),
    "upd": ("updated",),
    "typ": ("type",),
    "ctry": ("country",),
    "cntry": ("country",),
    "descr": ("description",),
    "lang": ("language",),
    "mins": ("minutes",),
    "reg": ("registration",),
}

# Columns named after the role a record plays ('owner_id') rather than the object it points at.
ROLES: dict[str, tuple[str, ...]] = {
    "user": ("owner", "assignee", "author", "creator", "responsible"),
    "client": ("customer",),
    "matter": ("case",),
}

# Words CRM column names are made of, beyond the catalog's lexicon and the abbreviations above: a
# glued header ('PrimaryContactId', which the reader folds to 'primarycontactid') splits into them.
_WORDS = frozenset({
    "access", "active", "adjuster", "agent", "areas", "attorney", "balance", "bar", "billing", "bytes",
    "carrier", "case", "changed", "claim", "coach", "consent", "court", "coverage",
    "docs", "documents", "duration", "emailaddress", "ended",
    "ends", "entered", "event", "external", "field", "filing", "flag", "focus", "goals", "granted", "has", "health",
    "holder", "incident", "injury", "intake", "internal", "interval", "issued", "joint", "jurisdiction", "key",
    "label", "language", "lender", "level", "lien", "limit", "limitations", "list", "ln", "location",
    "locked", "marketing", "meeting", "min", "minutes", "modified", "opened", "options",
    "package", "packages", "paid", "party", "path", "policy", "practice", "preferred", "process", "property",
    "purchase", "received", "recurrence", "referring", "registration", "rule", "sale", "score", "secondary",
    "session", "sessions", "settlement", "sku", "sort", "split", "st", "started", "starts", "statute",
    "third", "types", "updated", "values",
})  # fmt: skip
_LONGEST_WORD = 16  # a glued header's pieces are looked up up to this length

_ID_NAMES = frozenset({"id", "uuid", "guid", "key", "code"})
_BOOLEAN_WORDS = frozenset({"yes", "no", "true", "false", "y", "n", "t", "f"})
_GENERIC_TLDS = frozenset(
    {"com", "org", "net", "edu", "gov", "int", "mil", "info", "biz", "io", "app", "dev", "example"}
)
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_PREFIXED_ID = re.compile(r"^[A-Za-z]{1,10}[-_/]?\d[A-Za-z0-9]*(?:[-_/][A-Za-z0-9]+)*$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_SLASHED_DATE = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_EMAIL_SHAPE = re.compile(r"^[^\s@]+@[^\s@]+$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,})(?:/\S*)?$", re.IGNORECASE)
_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-/]{6,}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
_MONEY = re.compile(
    r"^-?\(?(?P<pre>[A-Z]{0,3}[$£€¥₹]|[A-Z]{3}\s)?\s?-?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d{2})?\)?"
    r"\s?(?P<post>[A-Z]{3}|[$£€¥₹])?$"
)
_PERCENT = re.compile(r"^[+-]?\d+(?:\.\d+)?\s?%$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_HTML_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|</[a-zA-Z][a-zA-Z0-9]*\s*>")
_LABEL = re.compile(r"^[^\W\d_][^\W\d_ &'’./+-]*(?:[ &'’./+-]+[^\W\d_]+)*$")
_MULTI_SEPARATORS = (";", ",")


@dataclass(frozen=True)
class ColumnProfile:
    """What one column holds, judged on the sampled rows."""

    name: str
    tokens: tuple[str, ...]  # the name's words, file prefix stripped, glued words split, abbreviations spelled out
    null_rate: float
    distinct_ratio: float  # distinct values / non-empty values
    semantic_type: str  # one of SEMANTIC_TYPES
    dayfirst: bool | None  # dates only: True if some value can only be day-first, None if undecidable
    categorical: bool  # few, short distinct values: a pick-list
    top_values: tuple[tuple[str, int], ...]
    multi_separator: str | None  # ";" or "," for multi_value columns

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FileProfile:
    """One CSV of the export: its size, columns and keys."""

    name: str  # the file as listed in the export, "contacts.csv"
    object_name: str  # its stem, "contacts"
    rows: int  # every row of the file, not only the sampled ones
    malformed_lines: int  # rows the reader quarantined (too many fields)
    prefix: str | None  # a prefix every column name shares, "acct_"
    columns: tuple[ColumnProfile, ...]
    candidate_keys: tuple[str, ...]  # unique, never empty, id-like: best first
    alternate_keys: tuple[str, ...]  # unique and id-like but sometimes empty (an ERP id)

    def column(self, name: str) -> ColumnProfile:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ForeignKey:
    """`file.column` holds keys of `target_file.target_column`."""

    file: str
    column: str
    target_file: str
    target_column: str
    coverage: float  # share of the column's non-empty sampled values found among the target's keys

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExportProfile:
    """A whole export: its files, the links between them, and the date order and phone region
    its values imply (the mapping's `source.dayfirst` and `destination.default_phone_region`)."""

    path: str
    files: tuple[FileProfile, ...]
    foreign_keys: tuple[ForeignKey, ...]
    dayfirst: bool | None  # the export's date order, from every date column; None if undecidable
    phone_region: str  # the region most `+` phone numbers belong to: the default for the others

    def file(self, name: str) -> FileProfile:
        """A file by its name (`contacts.csv`) or object name (`contacts`)."""
        for profile in self.files:
            if name.lower() in (profile.name.lower(), profile.object_name):
                return profile
        raise KeyError(f"the export has no file {name}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Scan:
    name: str
    rows: int
    malformed: int
    sample: pd.DataFrame


def profile_export(archive: ExportArchive, sample_rows: int = 5000) -> ExportProfile:
    """Profile every CSV of the export, reading each once (plus a key file again when its keys
    were not all in the sample)."""
    scans = [_scan(archive, name, sample_rows) for name in csv_files(archive)]
    region = _guess_region(_present(scan.sample[c]) for scan in scans for c in scan.sample.columns)
    files = tuple(_profile_file(scan, region) for scan in scans)
    date_orders = {c.dayfirst for f in files for c in f.columns if c.dayfirst is not None}
    return ExportProfile(
        path=str(archive.path),
        files=files,
        foreign_keys=_foreign_keys(archive, scans, files),
        dayfirst=date_orders.pop() if len(date_orders) == 1 else None,
        phone_region=region,
    )


def csv_files(archive: ExportArchive) -> list[str]:
    """The CSVs at the export's root (inside a wrapping folder if any); `files/` holds documents."""
    if archive.path.is_dir():
        stored = [p.name for p in archive.path.rglob("*") if p.is_file()]
    else:
        stored = [PurePosixPath(n).name for n in _zip_names(archive)]
    names = {n.lower(): n for n in stored if n.lower().endswith(".csv") and archive.find(n) is not None}
    return sorted(names.values(), key=str.lower)


def _zip_names(archive: ExportArchive) -> list[str]:
    with zipfile.ZipFile(archive.path) as handle:
        return [n for n in handle.namelist() if not n.endswith("/")]


def column_tokens(name: str, prefix: str | None = None, object_name: str = "") -> tuple[str, ...]:
    """'AcctOwnerEmail' → ('account', 'owner', 'email');
    'acct_owner_email' with prefix 'acct_' → ('owner', 'email'); 'primarycontactid' → ('primary', 'contact', 'id');
    'mttr_stage' in matter_stage_history → ('stage',)."""
    if prefix and name.lower().startswith(prefix.lower()) and len(name) > len(prefix):
        name = name[len(prefix) :]
    head, _, rest = name.partition("_")
    if rest and abbreviates(head.lower(), object_name, rest.lower()):
        name = rest
    tokens: list[str] = []
    for word in _WORD.findall(name):
        for piece in segment(word.lower()):
            tokens.extend(ABBREVIATIONS.get(piece, (piece,)))
    for i in range(len(tokens) - 1, 0, -1):
        if (tokens[i - 1], tokens[i]) == ("e", "mail"):  # 'E-mail Address'
            tokens[i - 1 : i + 1] = ["email"]
    return tuple(tokens)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """The words `segment` knows: the catalog's CRM lexicon (what destination fields are called), the
    abbreviations and roles above, and `_WORDS`."""
    from migration_pipeline.proposer.catalog import _CONCEPTS  # the catalog's CRM lexicon

    words = {w for phrases in _CONCEPTS.values() for phrase in phrases for w in re.findall(r"[a-z0-9]+", phrase)}
    words |= {*ABBREVIATIONS, *(w for expansion in ABBREVIATIONS.values() for w in expansion)}
    words |= {*ROLES, *(w for roles in ROLES.values() for w in roles)}
    return frozenset(w for w in words | _WORDS if len(w) >= 2)


@lru_cache(maxsize=4096)
def segment(word: str) -> tuple[str, ...]:
    """'clientid' → ('client', 'id'): a lower-case word the vocabulary does not know, split into the
    fewest words it does; kept whole when no split covers it, or when it is short or a number."""
    known = vocabulary()
    if word in known or len(word) < 5 or word.isdigit():
        return (word,)
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_WORD), end):
            piece, before = word[start:end], best[start]
            if before is not None and (piece in known or piece.isdigit()):
                option = (*before, piece)
                if best[end] is None or len(option) < len(best[end]):
                    best[end] = option
    return best[-1] or (word,)


def abbreviates(word: str, object_name: str, rest: str = "") -> bool:
    """'mttr' or 'ma' for matter_stage_history, 'cli' for clients: a short form of the file's own name that
    some exports put before a column; not a word of its own ('case'), nor another word's short form ('co'
    of company) unless the rest names the file's record ('co_contact_id' in contacts)."""
    letters = object_name.lower().replace("_", "")
    if not (2 <= len(word) <= 4) or not letters or word[0] != letters[0] or (word in vocabulary() and word not in ABBREVIATIONS):
        return False
    records = {singular(w) for w in object_name.lower().split("_")}
    if word in ABBREVIATIONS and not set(ABBREVIATIONS[word]) & records and not records & set(rest.split("_")):
        return False
    remaining = iter(letters)
    return all(letter in remaining for letter in word)


def shared_prefix(columns: Sequence[str]) -> str | None:
    """The leading `_` segments every column shares ('acct_'), leaving each at least one of its own.

    Needs three columns or more: two columns starting alike ('client_id', 'client_name') is too
    common to mean a naming convention.
    """
    if len(columns) < 3:
        return None
    parts = [c.split("_") for c in columns]
    common: list[str] = []
    for segments in zip(*parts):
        if len(set(segments)) != 1 or not segments[0]:
            break
        common.append(segments[0])
    common = common[: min(len(p) for p in parts) - 1]
    return "_".join(common) + "_" if common else None


def singular(word: str) -> str:
    """Plural object names to the record they hold: 'activities' → 'activity', 'coaches' → 'coach'."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def profile_column(name: str, series: pd.Series, prefix: str | None = None, region: str = "US",
                   object_name: str = "") -> ColumnProfile:
    """Profile one column's sampled values; `region` reads phones written without `+`; `object_name`
    (the file's) tells a short form of it before the column's own name."""
    values = _present(series)
    counts: dict[str, int] = dict(Counter(values.tolist()))
    present = len(values)
    semantic_type, separator = _semantic_type(counts, _column_region(counts) or region)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ColumnProfile(
        name=name,
        tokens=column_tokens(name, prefix, object_name),
        null_rate=round(1 - present / len(series), 4) if len(series) else 0.0,
        distinct_ratio=round(len(counts) / present, 4) if present else 0.0,
        semantic_type=semantic_type,
        dayfirst=_dayfirst(counts) if semantic_type in ("date", "datetime") else None,
        categorical=_categorical(counts, semantic_type),
        top_values=tuple((_cut(value), count) for value, count in ordered[:TOP_VALUES]),
        multi_separator=separator,
    )


def _cut(value: str) -> str:
    return value if len(value) <= _TOP_VALUE_CHARS else value[: _TOP_VALUE_CHARS - 1] + "…"


def _present(series: pd.Series) -> pd.Series:
    """Non-empty values, trimmed: a cell of spaces is as empty as a blank one."""
    values = series.dropna().astype(str).str.strip()
    return values[values != ""]


def _scan(archive: ExportArchive, name: str, sample_rows: int) -> _Scan:
    rows = malformed = 0
    parts: list[pd.DataFrame] = []
    for chunk in archive.read_chunks(name):
        malformed += len(chunk.malformed)
        if rows < sample_rows:
            parts.append(chunk.frame.head(sample_rows - rows))
        rows += len(chunk.frame)
    if parts:
        sample = pd.concat(parts)
    else:
        sample = pd.DataFrame({column: pd.Series(dtype="str") for column in archive.header(name)})
    # Two headers that fold to one name ('Email', 'email') would make a column ambiguous: keep the first.
    return _Scan(name=name, rows=rows, malformed=malformed, sample=sample.loc[:, ~sample.columns.duplicated()])


def _profile_file(scan: _Scan, region: str) -> FileProfile:
    names = [str(c) for c in scan.sample.columns]
    prefix = shared_prefix(names)
    object_name = PurePosixPath(scan.name).stem.lower()
    columns = tuple(profile_column(c, scan.sample[c], prefix, region, object_name) for c in names)
    sampled = len(scan.sample)
    unique = [c for c in columns if c.distinct_ratio == 1 and _id_like(c)]
    candidates = [c for c in unique if sampled and c.null_rate == 0]
    alternates = [c for c in unique if 0 < c.null_rate < 1 and sampled * (1 - c.null_rate) >= 2]
    identity = _object_tokens(object_name)
    candidates.sort(key=lambda c: not _contains(c.tokens, identity))  # stable: file order otherwise
    return FileProfile(
        name=scan.name,
        object_name=object_name,
        rows=scan.rows,
        malformed_lines=scan.malformed,
        prefix=prefix,
        columns=columns,
        candidate_keys=tuple(c.name for c in candidates),
        alternate_keys=tuple(c.name for c in alternates),
    )


def _id_like(column: ColumnProfile) -> bool:
    return column.semantic_type == "id" or bool(column.tokens and column.tokens[-1] in _ID_NAMES)


# --- semantic types ------------------------------------------------------------------------------


def _semantic_type(counts: dict[str, int], region: str) -> tuple[str, str | None]:
    """The first type in priority order that the values agree on; its multi-value separator."""
    if not counts:
        return "empty", None
    total = sum(counts.values())

    def share(test: Callable[[str], bool]) -> float:
        return sum(n for value, n in counts.items() if test(value)) / total

    if share(lambda v: v.lower() in _BOOLEAN_WORDS or v in ("0", "1")) >= AGREEMENT and (
        any(v.lower() in _BOOLEAN_WORDS for v in counts) or {"0", "1"} <= counts.keys()
    ):
        return "boolean", None
    if len(counts) == total and share(_is_id) >= AGREEMENT:
        return "id", None
    temporal = {v: _temporal(v) for v in counts}
    dated = share(lambda v: temporal[v] is not None)
    if dated >= AGREEMENT:
        timed = share(lambda v: temporal[v] is not None and temporal[v][0])
        return ("datetime" if timed >= dated / 2 else "date"), None
    for semantic_type, test in (("email", _is_email), ("url", _is_url), ("percent", _PERCENT.match)):
        if share(test) >= AGREEMENT:
            return semantic_type, None
    if share(_INTEGER.match) >= AGREEMENT:
        return "integer", None
    if share(_MONEY.match) >= AGREEMENT and share(_is_strict_money) >= 0.1:
        return "money", None
    if share(_NUMBER.match) >= AGREEMENT:
        return "number", None
    if share(lambda v: _is_phone(v, region)) >= AGREEMENT:
        return "phone", None
    if share(lambda v: _HTML_TAG.search(v) is not None) >= 0.1:
        return "html", None  # plain text is valid HTML: a share of tagged values is enough
    separator = _multi_separator(counts, total)
    if separator:
        return "multi_value", separator
    if len(counts) > total / 2 and share(_is_person_name) >= AGREEMENT:  # names vary; pick-lists repeat
        return "person_name", None
    return "text", None


def _is_id(value: str) -> bool:
    return bool(_UUID.match(value) or _PREFIXED_ID.match(value))


def _temporal(value: str) -> tuple[bool, int] | None:
    """(has a time, order) for a date or datetime; order 1 = only day-first reads it, -1 = only
    month-first, 0 = either (ISO, or both parts ≤ 12)."""
    if iso := _ISO_DATE.match(value):
        year, month, day, hour, minute = (int(g) if g else 0 for g in iso.groups()[:5])
        ok = _valid_date(year, month, day) and hour < 24 and minute < 60
        return (iso.group(4) is not None, 0) if ok else None
    if slashed := _SLASHED_DATE.match(value):
        first, second, year = int(slashed.group(1)), int(slashed.group(3)), int(slashed.group(4))
        year += 2000 if year < 100 else 0
        hour = int(slashed.group(5) or 0)
        if hour > (12 if slashed.group(8) else 23) or int(slashed.group(6) or 0) > 59:
            return None
        day_first, month_first = _valid_date(year, second, first), _valid_date(year, first, second)
        if not (day_first or month_first):
            return None
        return slashed.group(5) is not None, (0 if day_first and month_first else 1 if day_first else -1)
    return None


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _dayfirst(counts: dict[str, int]) -> bool | None:
    orders = {parsed[1] for parsed in map(_temporal, counts) if parsed and parsed[1]}
    return orders.pop() == 1 if len(orders) == 1 else None


def _is_email(value: str) -> bool:
    if not _EMAIL_SHAPE.match(value):
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _is_url(value: str) -> bool:
    if _URL.match(value):
        return True
    domain = _DOMAIN.match(value)  # a file name ('report.pdf') has the same shape: check the TLD
    return bool(domain) and (len(domain.group(1)) == 2 or domain.group(1).lower() in _GENERIC_TLDS)


def _is_strict_money(value: str) -> bool:
    money = _MONEY.match(value)
    return bool(money) and bool(money["pre"] or money["post"] or money["dec"] or "," in money["num"])


def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    if not _PHONE_SHAPE.match(value) or not 7 <= sum(ch.isdigit() for ch in value) <= 15:
        return None
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _is_phone(value: str, region: str) -> bool:
    return _parse_phone(value, region) is not None


def _regions(values: Iterable[str]) -> Counter:
    found: Counter = Counter()
    for value in values:
        if value.startswith("+") and (number := _parse_phone(value, None)):
            found[phonenumbers.region_code_for_number(number)] += 1
    found.pop(None, None)
    found.pop("ZZ", None)
    return found


def _column_region(counts: dict[str, int]) -> str | None:
    found = _regions(counts)
    return found.most_common(1)[0][0] if found else None


def _guess_region(columns: Iterable[pd.Series]) -> str:
    found: Counter = Counter()
    for values in columns:
        found.update(_regions(values[values.str.startswith("+")]))
    return found.most_common(1)[0][0] if found else "US"


def _multi_separator(counts: dict[str, int], total: int) -> str | None:
    """`;` or `,` when values are lists of short labels, some with several, the labels recurring."""
    for separator in _MULTI_SEPARATORS:
        agree = several = 0
        labels: Counter = Counter()
        for value, n in counts.items():
            items = [item.strip() for item in value.split(separator) if item.strip()]
            if not items or not all(len(i) <= 40 and len(i.split()) <= 4 and _LABEL.match(i) for i in items):
                continue
            agree += n
            several += n if len(items) > 1 else 0
            labels.update({item.lower() for item in items})  # once per distinct value
        recurring = labels and sum(labels.values()) >= 2 * len(labels)
        if agree >= AGREEMENT * total and several >= 0.1 * total and recurring:
            return separator
    return None


def _is_person_name(value: str) -> bool:
    words = value.split()
    return 2 <= len(words) <= 3 and all(
        w[0].isupper() and w[0].isalpha() and all(ch.isalpha() or ch in "'’-." for ch in w) for w in words
    )


_NOT_CATEGORICAL = frozenset(
    {"empty", "id", "email", "phone", "url", "date", "datetime", "money", "html", "person_name"}
)


def _categorical(counts: dict[str, int], semantic_type: str) -> bool:
    """A pick-list: few short values, none of them record ids (a reference column repeats ids too)."""
    total = sum(counts.values())
    return (
        semantic_type not in _NOT_CATEGORICAL
        and sum(n for v, n in counts.items() if _is_id(v)) < AGREEMENT * total
        and total >= 2
        and len(counts) <= min(50, total / 2)
        and max(len(v) for v in counts) <= 40
    )


# --- foreign keys ----------------------------------------------------------------------------------


def _object_tokens(object_name: str) -> tuple[str, ...]:
    tokens = column_tokens(object_name)
    return (*tokens[:-1], singular(tokens[-1])) if tokens else ()


def _contains(tokens: Sequence[str], part: Sequence[str]) -> bool:
    size = len(part)
    return size > 0 and any(tuple(tokens[i : i + size]) == tuple(part) for i in range(len(tokens) - size + 1))


def _name_signal(column: ColumnProfile, target: FileProfile, key: ColumnProfile) -> int:
    """How strongly the column's name points at `target.key`: one point for naming the key
    ('account_external_id' → external_id), one for naming the target object ('primary_contact_id'
    → contacts, 'owner_id' → users); 0 means no reason to link them, whatever the values."""
    specific_key = len(key.tokens) > 1 or (key.tokens and key.tokens[0] not in _ID_NAMES)
    # The same header in both files ('sess_id') names the key even where the key's own file strips 'sess_'.
    names_key = (specific_key and tuple(column.tokens[-len(key.tokens) :]) == key.tokens) or (
        column.name == key.name and column.name.lower() not in _ID_NAMES)
    record = _object_tokens(target.object_name)
    names_object = (
        _contains(column.tokens, record)
        or _contains(column.tokens, column_tokens(target.object_name))
        or (len(record) == 1 and any(role in column.tokens for role in ROLES.get(record[0], ())))
    )
    return int(names_key) + int(names_object)


def _foreign_keys(
    archive: ExportArchive, scans: list[_Scan], files: tuple[FileProfile, ...]
) -> tuple[ForeignKey, ...]:
    by_name = {scan.name: scan for scan in scans}
    targets = [(f, f.column(k)) for f in files for k in (*f.candidate_keys, *f.alternate_keys)]
    key_values: dict[tuple[str, str], set[str]] = {}
    found: list[ForeignKey] = []
    for profile in files:
        identity = _object_tokens(profile.object_name)
        for column in profile.columns:
            if column.semantic_type == "empty" or (
                column.name in profile.candidate_keys
                and (_contains(column.tokens, identity) or set(column.tokens) <= _ID_NAMES)
            ):
                continue  # a file's own record key names that record, it does not point elsewhere
            values = _present(by_name[profile.name].sample[column.name])
            best: tuple[int, float, ForeignKey] | None = None
            for target, key in targets:
                signal = _name_signal(column, target, key) if target.name != profile.name else 0
                if not signal:
                    continue
                index = (target.name, key.name)
                if index not in key_values:
                    key_values[index] = _key_values(archive, by_name[target.name], key.name)
                coverage = float(values.isin(key_values[index]).mean())
                if coverage >= FK_COVERAGE and (best is None or (signal, coverage) > best[:2]):
                    link = ForeignKey(profile.name, column.name, target.name, key.name, round(coverage, 4))
                    best = (signal, coverage, link)
            if best:
                found.append(best[2])
    return tuple(found)


def _key_values(archive: ExportArchive, scan: _Scan, column: str) -> set[str]:
    """All of a key's values: re-read the file when the sample did not hold every row."""
    if scan.rows <= len(scan.sample):
        return set(_present(scan.sample[column]))
    return {value for chunk in archive.read_chunks(scan.name) for value in _present(chunk.frame[column])}
