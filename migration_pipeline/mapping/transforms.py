"""Named pure transforms, one registry, all working on whole columns (pandas Series).

Each transform takes the source column(s) and its `args` from the mapping spec and returns a
`Transformed`: the destination values, plus a problem text per row where a value could not be
converted (NA where it could). The engine turns problems into quarantine reasons.

Transforms marked `deferred` cannot fail and are costly per row (HTML → Markdown): they run when
the payload is built for the destination, not in the bulk map/validate pass.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from typing import Any, Callable

import email_validator
import numpy as np
import pandas as pd
import phonenumbers
from markdownify import markdownify

@dataclass(frozen=True)
class Transformed:
    values: pd.Series
    problems: pd.Series | None = None


@dataclass(frozen=True)
class TransformDef:
    function: Callable[..., Transformed]
    deferred: bool = False
    multi_column: bool = False


REGISTRY: dict[str, TransformDef] = {}


def transform(name: str, *, deferred: bool = False, multi_column: bool = False) -> Callable:
    def register(function: Callable[..., Transformed]) -> Callable[..., Transformed]:
        REGISTRY[name] = TransformDef(function, deferred=deferred, multi_column=multi_column)
        return function

    return register


def get(name: str) -> TransformDef:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown transform {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def _blank_to_na(values: pd.Series) -> pd.Series:
    """Trimmed text with blanks as missing, in pandas' string dtype (vectorised, Arrow-backed)."""
    text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("str")
    stripped = text.str.strip()
    return stripped.mask(stripped == "")


def _flag(bad: pd.Series, clean: pd.Series, message: str) -> pd.Series | None:
    """'<value>' <message> where `bad`; None when nothing is bad (the common case, kept cheap)."""
    if not bad.any():
        return None
    problems = pd.Series(None, index=bad.index, dtype="object")
    problems[bad] = [f"{value!r} {message}" for value in clean[bad]]
    return problems


def map_distinct(values: pd.Series, table: dict[str, Any]) -> pd.Series:
    """dict lookup paid once per distinct value, not once per row (pick-lists repeat a lot)."""
    codes, distinct = pd.factorize(values)
    looked_up = np.array([table.get(value) for value in distinct] + [None], dtype="object")
    return pd.Series(looked_up[codes], index=values.index, dtype="object")


@transform("text")
def text(values: pd.Series) -> Transformed:
    return Transformed(_blank_to_na(values))


@transform("lower")
def lower(values: pd.Series) -> Transformed:
    return Transformed(_blank_to_na(values).str.lower())


@transform("constant")
def constant(values: pd.Series, value: Any = None) -> Transformed:
    return Transformed(pd.Series(value, index=values.index, dtype="object"))


def upper_snake_value(label: str) -> str:
    """'Under Review' → 'UNDER_REVIEW': Twenty's option-value convention."""
    cleaned = re.sub(r"[^0-9A-Za-z]+", "_", label).strip("_").upper()
    if not cleaned:
        return "EMPTY"
    return cleaned if cleaned[0].isalpha() else f"OPTION_{cleaned}"


def _upper_snake(clean: pd.Series) -> pd.Series:
    snake = clean.str.replace(r"[^0-9A-Za-z]+", "_", regex=True).str.strip("_").str.upper()
    snake = snake.mask(clean.notna() & (snake == ""), "EMPTY")
    leading_digit = snake.str.match(r"[0-9]").fillna(False).astype(bool)
    return snake.mask(leading_digit, "OPTION_" + snake)


@transform("upper_snake")
def upper_snake(values: pd.Series) -> Transformed:
    return Transformed(_upper_snake(_blank_to_na(values)))


@transform("multi_select")
def multi_select(values: pd.Series, separator: str = ";") -> Transformed:
    clean = _blank_to_na(values)

    def split(cell: str) -> list[str]:
        return sorted({upper_snake_value(part) for part in cell.split(separator) if part.strip()})

    codes, distinct = pd.factorize(clean)
    lists = np.empty(len(distinct) + 1, dtype="object")  # filled one by one: numpy would nest equal-length lists
    for position, cell in enumerate(distinct):
        lists[position] = split(cell)
    return Transformed(pd.Series(lists[codes], index=clean.index, dtype="object"))


# A conservative shape that every valid address of the common kind matches; anything else goes
# to email-validator, which decides and explains. This keeps the library the authority while
# the bulk of clean addresses is checked in one vectorised pass.
_PLAIN_EMAIL = (
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@"
    r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)


def _check_email(address: str) -> str | None:
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        return f"{address!r} is not a valid email address: {error}"
    return None


@transform("email")
def email(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values).str.lower()
    plain = clean.str.fullmatch(_PLAIN_EMAIL).fillna(False).astype(bool)
    suspects = clean[clean.notna() & ~plain]
    if suspects.empty:
        return Transformed(clean)
    verdicts = {address: _check_email(address) for address in suspects.unique()}
    problems = pd.Series(None, index=clean.index, dtype="object")
    problems.loc[suspects.index] = suspects.map(verdicts)
    return Transformed(clean.mask(problems.notna()), problems)


@transform("email_local_part")
def email_local_part(values: pd.Series) -> Transformed:
    local = _blank_to_na(values).str.split("@").str[0]
    return Transformed(local.str.replace(r"[._\-]+", " ", regex=True).str.title())


_PHONE_SEPARATORS = r"[\s\-().\u00a0/]"
_E164 = r"\+[1-9]\d{6,14}"


def _parse_phone(raw: str, region: str) -> tuple[str | None, str | None]:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        return None, f"{raw!r} is not a phone number: {error}"
    if not phonenumbers.is_possible_number(number):
        return None, f"{raw!r} is not a possible phone number for region {region}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def _national_numbers(compact: pd.Series, region: str) -> pd.Series:
    """'0293744000' in AU → '+61293744000', vectorised from phonenumbers' own metadata for the
    region (national prefix, country code, possible lengths); anything else is left missing."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.national_prefix:
        return pd.Series(pd.NA, index=compact.index, dtype="str")
    prefix = metadata.national_prefix
    national = compact.str.match(rf"{re.escape(prefix)}[1-9]\d+$").fillna(False).astype(bool)
    digits = compact.str.slice(len(prefix)).where(national)
    possible = digits.str.len().isin(list(metadata.general_desc.possible_length)).fillna(False).astype(bool)
    return ("+" + str(metadata.country_code) + digits).where(possible)


@transform("phone")
def phone(values: pd.Series, region: str = "US") -> Transformed:
    """Any written phone → E.164 ('+442079460958'), which Twenty splits into its sub-fields.

    Numbers already in international form or in the region's plain national form convert in
    one vectorised pass; the rest go through phonenumbers, which decides and explains."""
    clean = _blank_to_na(values)
    compact = clean.str.replace(_PHONE_SEPARATORS, "", regex=True)
    international = compact.where(compact.str.fullmatch(_E164).fillna(False).astype(bool))
    result = international.fillna(_national_numbers(compact, region))
    others = clean[clean.notna() & result.isna()]
    if others.empty:
        return Transformed(result)
    parsed = {raw: _parse_phone(raw, region) for raw in others.unique()}
    result = result.astype("object")
    result.loc[others.index] = [parsed[raw][0] for raw in others]
    problems = pd.Series(None, index=clean.index, dtype="object")
    problems.loc[others.index] = [parsed[raw][1] for raw in others]
    return Transformed(result, problems)


@transform("url")
def url(values: pd.Series) -> Transformed:
    """'WWW.Acme.com/' → 'https://www.acme.com': the form Twenty stores, so domains dedupe."""
    clean = _blank_to_na(values)
    with_scheme = clean.where(clean.str.contains("://", regex=False).fillna(True), "https://" + clean)
    parts = with_scheme.str.extract(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<host>[^/?#\s]+)(?P<rest>.*)$")
    has_dot = parts["host"].str.contains(".", regex=False).fillna(False).astype(bool)
    bad = clean.notna() & ~has_dot
    normal = parts["scheme"].str.lower() + "://" + parts["host"].str.lower() + parts["rest"].str.rstrip("/")
    return Transformed(normal.mask(bad), _flag(bad, clean, "is not a web address"))


_MONEY_JUNK = r"[^\d,.\-]"


@transform("money_micros")
def money_micros(values: pd.Series, decimal: str = ".") -> Transformed:
    """'$1,234.50' → 1234500000 (Twenty stores currency amounts in micros)."""
    clean = _blank_to_na(values)
    digits = clean.str.replace(_MONEY_JUNK, "", regex=True)
    thousands = "," if decimal == "." else "."
    digits = digits.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    amount = pd.to_numeric(digits, errors="coerce")
    bad = clean.notna() & amount.isna()
    micros = (amount * 1_000_000).round().astype("Int64")
    return Transformed(micros, _flag(bad, clean, "is not an amount"))


@transform("number")
def number(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values)
    parsed = pd.to_numeric(clean.str.replace(",", "", regex=False), errors="coerce")
    bad = clean.notna() & parsed.isna()
    return Transformed(parsed, _flag(bad, clean, "is not a number"))


_BOOLEANS = {**dict.fromkeys(("true", "yes", "y", "1", "t", "x", "on"), True),
             **dict.fromkeys(("false", "no", "n", "0", "f", "off"), False)}


@transform("boolean")
def boolean(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values).str.lower()
    mapped = map_distinct(clean, _BOOLEANS)
    bad = clean.notna() & mapped.isna()
    return Transformed(mapped, _flag(bad, clean, "is not yes/no"))


_ZONED = r"(?:Z|[+-]\d{2}:?\d{2})$"


def _parse_datetimes(clean: pd.Series, timezone: str, dayfirst: bool) -> pd.Series:
    """Naive wall-clock times in `timezone`. ISO strings parse in one vectorised pass; only the
    odd ones pay for format guessing. Zoned values (…Z, …+10:00) are converted, not relabelled."""
    parsed = pd.Series(pd.NaT, index=clean.index, dtype="datetime64[ns]")
    zoned = clean.str.contains(_ZONED, regex=True).fillna(False).astype(bool)
    for subset, utc in ((clean.notna() & ~zoned, False), (zoned, True)):
        if not subset.any():
            continue
        values = clean[subset]
        first = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=utc)
        missed = first.isna()
        if missed.any():
            first = first.astype(first.dtype)
            first.loc[missed] = pd.to_datetime(values[missed], format="mixed", dayfirst=dayfirst, errors="coerce", utc=utc)
        if utc:
            first = first.dt.tz_convert(timezone).dt.tz_localize(None)
        parsed.loc[subset] = first.astype("datetime64[ns]")
    return parsed


def _iso_text(parsed: pd.Series, unit: str) -> pd.Series:
    """Vectorised ISO formatting (numpy's, in C) instead of per-value strftime."""
    present = parsed.notna()
    text = pd.Series(None, index=parsed.index, dtype="object")
    if present.any():
        text[present] = np.datetime_as_string(parsed[present].to_numpy(dtype="datetime64[ms]"), unit=unit)
    return text


@transform("datetime")
def datetime(values: pd.Series, timezone: str = "UTC", dayfirst: bool = False) -> Transformed:
    """Any date/time text → ISO 8601 UTC ('2024-03-01T09:30:00.000Z'); naive times are in `timezone`."""
    clean = _blank_to_na(values)
    parsed = _parse_datetimes(clean, timezone, dayfirst)
    if timezone != "UTC":
        parsed = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC").dt.tz_localize(None)
    text = _iso_text(parsed, "ms")
    text = text.where(text.isna(), text + "Z")
    return Transformed(text, _flag(clean.notna() & text.isna(), clean, "is not a date/time"))


@transform("date")
def date(values: pd.Series, dayfirst: bool = False) -> Transformed:
    clean = _blank_to_na(values)
    text = _iso_text(_parse_datetimes(clean, "UTC", dayfirst), "D")
    return Transformed(text, _flag(clean.notna() & text.isna(), clean, "is not a date"))


@transform("value_map")
def value_map(values: pd.Series, map: Any = None, map_name: str = "") -> Transformed:  # noqa: A002
    """Source pick-list value → destination option, through a named value map of the spec."""
    clean = _blank_to_na(values)
    table = {k if map.case_sensitive else k.lower(): v for k, v in map.values.items()}
    lookup_keys = clean if map.case_sensitive else clean.str.lower()
    mapped = map_distinct(lookup_keys, table)
    if map.default is not None:
        mapped = mapped.where(mapped.notna() | clean.isna(), map.default)
    bad = clean.notna() & mapped.isna()
    return Transformed(mapped, _flag(bad, clean, f"has no entry in value map '{map_name}'"))


@transform("join", multi_column=True)
def join(frame: pd.DataFrame, separator: str = " ") -> Transformed:
    parts = [_blank_to_na(frame[column]) for column in frame.columns]
    stacked = pd.concat(parts, axis=1)
    joined = stacked.apply(lambda row: separator.join(v for v in row if isinstance(v, str)), axis=1)
    return Transformed(joined.mask(joined == "", None))


@transform("template", multi_column=True)
def template(frame: pd.DataFrame, format: str = "") -> Transformed:  # noqa: A002
    """Fill a format string with the row's columns: '{activity_type}: {subject}'; blanks fill as ''."""
    filled = frame.astype("str").fillna("")
    result = pd.Series("", index=frame.index, dtype="str")
    for literal, column, _spec, _conversion in string.Formatter().parse(format):
        result = result + literal
        if column:
            result = result + filled[column]
    result = result.str.strip(" :-")
    return Transformed(result.mask(result == "", None))


@transform("fingerprint", multi_column=True)
def fingerprint(frame: pd.DataFrame, prefix: str = "") -> Transformed:
    """A stable key from several columns, with case, spacing and punctuation folded: the same account
    written 'Acme Pte Ltd, 1 Main St' and 'ACME PTE. LTD,  1 Main St.' gets the same key."""
    parts = [_blank_to_na(frame[column]).str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip().fillna("")
             for column in frame.columns]
    joined = parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0]
    digests = joined.map(lambda text: prefix + hashlib.sha256(text.encode()).hexdigest()[:20])
    return Transformed(digests.mask(joined.str.strip("| ") == "", None))


_DATA_URI_IMAGE = re.compile(r"<img[^>]+src=[\"']data:image/[^\"']+[\"'][^>]*>", re.IGNORECASE)


def html_body_to_markdown(html: str) -> str:
    """HTML → Markdown; inline data-URI images are replaced by a marker (the files step rehosts them)."""
    if "<" not in html:
        return html.strip()
    counter = iter(range(1, 10_000))
    without_images = _DATA_URI_IMAGE.sub(lambda _match: f"<p>[inline image {next(counter)}]</p>", html)
    return markdownify(without_images, heading_style="ATX", bullets="-").strip()


@transform("html_to_markdown", deferred=True)
def html_to_markdown(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values)
    return Transformed(clean.map(html_body_to_markdown, na_action="ignore"))


def apply(name: str, inputs: pd.Series | pd.DataFrame, args: dict[str, Any]) -> Transformed:
    definition = get(name)
    if definition.multi_column and isinstance(inputs, pd.Series):
        inputs = inputs.to_frame()
    if not definition.multi_column and isinstance(inputs, pd.DataFrame):
        inputs = inputs.iloc[:, 0]
    return definition.function(inputs, **args)


__all__ = ["REGISTRY", "Transformed", "apply", "get", "html_body_to_markdown", "upper_snake_value"]
