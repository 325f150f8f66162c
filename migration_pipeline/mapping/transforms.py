"""Named pure transforms, one registry, all working on whole columns (pandas Series).

Each transform takes the source column(s) and its `args` from the mapping spec and returns a
`Transformed`: the destination values, plus a problem text per row where a value could not be
converted (NA where it could). The engine turns problems into quarantine reasons.

Transforms marked `deferred` cannot fail and are costly per row (HTML → Markdown): they run when
the payload is built for the destination, not in the bulk map/validate pass.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Callable

import email_validator
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


def _problems_where(mask: pd.Series, messages: pd.Series | str) -> pd.Series:
    if isinstance(messages, str):
        messages = pd.Series(messages, index=mask.index, dtype="object")
    return messages.where(mask, None)


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


@transform("upper_snake")
def upper_snake(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values)
    return Transformed(clean.map(upper_snake_value, na_action="ignore"))


@transform("multi_select")
def multi_select(values: pd.Series, separator: str = ";") -> Transformed:
    clean = _blank_to_na(values)

    def split(cell: str) -> list[str]:
        return sorted({upper_snake_value(part) for part in cell.split(separator) if part.strip()})

    return Transformed(clean.map(split, na_action="ignore"))


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
    problems = pd.Series(None, index=clean.index, dtype="object")
    if len(suspects):
        verdicts = {address: _check_email(address) for address in suspects.unique()}
        problems.loc[suspects.index] = suspects.map(verdicts)
    return Transformed(clean.mask(problems.notna(), None), problems)


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


@transform("phone")
def phone(values: pd.Series, region: str = "US") -> Transformed:
    """Any written phone → E.164 ('+442079460958'), which Twenty splits into its sub-fields."""
    clean = _blank_to_na(values)
    compact = clean.str.replace(_PHONE_SEPARATORS, "", regex=True)
    already_e164 = compact.str.fullmatch(_E164).fillna(False).astype(bool)
    result = compact.astype("object").where(already_e164, None)
    problems = pd.Series(None, index=clean.index, dtype="object")
    others = clean[clean.notna() & ~already_e164]
    if len(others):
        parsed = {raw: _parse_phone(raw, region) for raw in others.unique()}
        result.loc[others.index] = others.map(lambda raw: parsed[raw][0])
        problems.loc[others.index] = others.map(lambda raw: parsed[raw][1])
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
    problems = _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not a web address")
    return Transformed(normal.where(~bad, None), problems)


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
    micros = (amount * 1_000_000).round().astype("Int64").astype("object").where(~bad & amount.notna(), None)
    return Transformed(micros, _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not an amount"))


@transform("number")
def number(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values)
    parsed = pd.to_numeric(clean.str.replace(",", "", regex=False), errors="coerce")
    bad = clean.notna() & parsed.isna()
    return Transformed(
        parsed.astype("object").where(parsed.notna(), None),
        _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not a number"),
    )


_TRUE = {"true", "yes", "y", "1", "t", "x", "on"}
_FALSE = {"false", "no", "n", "0", "f", "off"}


@transform("boolean")
def boolean(values: pd.Series) -> Transformed:
    clean = _blank_to_na(values).str.lower()
    mapped = clean.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None), na_action="ignore")
    bad = clean.notna() & mapped.isna()
    return Transformed(mapped, _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not yes/no"))


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


@transform("datetime")
def datetime(values: pd.Series, timezone: str = "UTC", dayfirst: bool = False) -> Transformed:
    """Any date/time text → ISO 8601 UTC ('2024-03-01T09:30:00.000Z'); naive times are in `timezone`."""
    clean = _blank_to_na(values)
    parsed = _parse_datetimes(clean, timezone, dayfirst)
    aware = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC")
    text_values = aware.dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    bad = clean.notna() & text_values.isna()
    return Transformed(
        text_values.astype("object").where(text_values.notna(), None),
        _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not a date/time"),
    )


@transform("date")
def date(values: pd.Series, dayfirst: bool = False) -> Transformed:
    clean = _blank_to_na(values)
    parsed = _parse_datetimes(clean, "UTC", dayfirst)
    text_values = parsed.dt.strftime("%Y-%m-%d")
    bad = clean.notna() & text_values.isna()
    return Transformed(
        text_values.astype("object").where(text_values.notna(), None),
        _problems_where(bad, "'" + clean.astype("object").fillna("") + "' is not a date"),
    )


@transform("value_map")
def value_map(values: pd.Series, map: Any = None, map_name: str = "") -> Transformed:  # noqa: A002
    """Source pick-list value → destination option, through a named value map of the spec."""
    clean = _blank_to_na(values)
    table = {k if map.case_sensitive else k.casefold(): v for k, v in map.values.items()}
    lookup_keys = clean if map.case_sensitive else clean.str.casefold()
    mapped = lookup_keys.map(table)
    if map.default is not None:
        mapped = mapped.where(mapped.notna() | clean.isna(), map.default)
    bad = clean.notna() & mapped.isna()
    problems = _problems_where(
        bad, "'" + clean.astype("object").fillna("") + f"' has no entry in value map '{map_name}'"
    )
    return Transformed(mapped.astype("object").where(mapped.notna(), None), problems)


@transform("join", multi_column=True)
def join(frame: pd.DataFrame, separator: str = " ") -> Transformed:
    parts = [_blank_to_na(frame[column]) for column in frame.columns]
    stacked = pd.concat(parts, axis=1)
    joined = stacked.apply(lambda row: separator.join(v for v in row if isinstance(v, str)), axis=1)
    return Transformed(joined.mask(joined == "", None))


@transform("template", multi_column=True)
def template(frame: pd.DataFrame, format: str = "") -> Transformed:  # noqa: A002
    """Fill a format string with the row's columns: '{activity_type}: {subject}'; blanks fill as ''."""
    filled = frame.astype("object").where(frame.notna(), "")
    result = pd.Series("", index=frame.index, dtype="object")
    for literal, column, _spec, _conversion in string.Formatter().parse(format):
        result = result + literal
        if column:
            result = result + filled[column].astype(str)
    result = result.str.strip(" :-")
    return Transformed(result.mask(result == "", None))


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
    result = definition.function(inputs, **args)
    index = inputs.index
    values = result.values.reindex(index)
    problems = result.problems.reindex(index) if result.problems is not None else None
    return Transformed(values.astype("object").where(values.notna(), None), problems)


__all__ = ["REGISTRY", "Transformed", "apply", "get", "html_body_to_markdown", "upper_snake_value"]
