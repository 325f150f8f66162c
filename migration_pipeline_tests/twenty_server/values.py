"""Field values: defaults of new records and the input transforms Twenty applies before storing.

Each transform reproduces what the recordings show, including the version differences: emails
lower-cased (validated on v2.4 only), link origins lower-cased without a trailing slash, E.164
phones split, SELECT values checked against the options, markdown turned into BlockNote JSON.
A value transform returns the stored value or raises the `TwentyError` the version answers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import phonenumbers

from .errors import TwentyError, bad_request
from .schema import ARRAY_SUBFIELDS, COMPOSITES, UNSET, Field, Version
from .text import markdown_to_blocknote

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def now_iso() -> str:
    return iso(datetime.now(timezone.utc))


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def unquote(default: Any) -> Any:
    """Metadata stores text defaults SQL-quoted ("'NEW'"); records hold the bare value."""
    if isinstance(default, str) and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return default


def initial_value(f: Field, version: Version) -> Any:
    """The value a new record gets for a field the request did not set."""
    if f.initial is not UNSET:
        return f.initial
    if f.type == "RICH_TEXT_V2":
        return {"blocknote": None, "markdown": None}
    if f.type in COMPOSITES and f.type != "ACTOR":
        defaults = f.default if isinstance(f.default, dict) else {}
        value = {sub: unquote(defaults.get(sub)) for sub in COMPOSITES[f.type]}
        for sub in ARRAY_SUBFIELDS.intersection(value):
            value[sub] = [] if version == "v2.4" else None
        if f.type == "CURRENCY" and version == "v2.4":
            value["currencyCode"] = None
        return value
    if f.default in ("now", "uuid"):
        return None  # filled by the record factory
    return unquote(f.default)


def transform(f: Field, value: Any, version: Version, current: Any, creating: bool) -> Any:
    """Validate and normalise one input value; composites merge into `current`."""
    if f.type in COMPOSITES:
        return _composite(f, value, version, current, creating)
    if value is None:
        return None
    handler = _SCALARS.get(f.type)
    return handler(f, value, version) if handler else value


def _text(f: Field, value: Any, version: Version) -> str:
    if isinstance(value, str):
        return value
    if version == "v2.4":
        raise bad_request(f'Invalid string value {json.dumps(value)} for text field "{f.name}"')
    return json.dumps(value)  # v1.5 lets Postgres cast it


def _number(f: Field, value: Any, version: Version) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_request(f'invalid input syntax for type double precision: "{value}"')
    if not isinstance(value, str):
        return value
    try:
        number = float(value)
    except ValueError:
        raise bad_request(f'invalid input syntax for type double precision: "{value}"') from None
    return int(number) if number.is_integer() else number


def _boolean(f: Field, value: Any, version: Version) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f'invalid input syntax for type boolean: "{value}"')
    return value


def parse_datetime(value: Any) -> str | None:
    """ISO 8601 (or a plain date) → Twenty's `YYYY-MM-DDTHH:MM:SS.mmmZ`; None when unparseable."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment)


def _date_time(f: Field, value: Any, version: Version) -> str:
    parsed = parse_datetime(value)
    if parsed is None:
        raise bad_request(f'invalid input syntax for type timestamp with time zone: "{value}"')
    return parsed


def _date(f: Field, value: Any, version: Version) -> str:
    parsed = parse_datetime(value)
    if parsed is None:
        raise bad_request(f'invalid input syntax for type date: "{value}"')
    return parsed[:10]


def enum_error(f: Field, value: Any, version: Version, schema: str, owner: str) -> TwentyError:
    """The raw Postgres enum error (v1.5) or the input validator's message (v2.4)."""
    if version == "v2.4":
        return bad_request(f"Invalid value '{value}' for field \"{f.name}\"")
    enum = f"{owner}_{f.name}_enum"
    quoted = f'"{enum}"' if enum != enum.lower() else enum
    return bad_request(f'invalid input value for enum {schema}.{quoted}: "{value}"')


def _select(f: Field, value: Any, version: Version) -> str:
    if value not in f.option_values():
        raise EnumValueError(value)
    return value


def _multi_select(f: Field, value: Any, version: Version) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise EnumValueError(value)
    for item in values:
        if item not in f.option_values():
            raise EnumValueError(item)
    return values


def _uuid(f: Field, value: Any, version: Version) -> str:
    if not is_uuid(value):
        raise bad_request(f"'{value}' is not a valid UUID")
    return value


class EnumValueError(Exception):
    """A SELECT value outside the options; the caller knows the schema name for the message."""

    def __init__(self, value: Any):
        super().__init__(value)
        self.value = value


_SCALARS = {"TEXT": _text, "NUMBER": _number, "NUMERIC": _number, "POSITION": _number, "RATING": _select,
            "BOOLEAN": _boolean, "DATE_TIME": _date_time, "DATE": _date, "SELECT": _select,
            "MULTI_SELECT": _multi_select, "UUID": _uuid}


def _composite(f: Field, value: Any, version: Version, current: Any, creating: bool) -> Any:
    if value is None:
        return initial_value(f, version)
    if not isinstance(value, dict):
        raise bad_request(f"Invalid value {json.dumps(value)} for composite field \"{f.name}\"")
    merged = dict(current) if isinstance(current, dict) else initial_value(f, version)
    if creating and f.type == "LINKS" and version == "v1.5":
        merged = {sub: None for sub in COMPOSITES["LINKS"]}  # v1.5 leaves unsent link parts null
    for sub, item in value.items():
        if sub in merged:
            merged[sub] = item
    return _normalise(f, merged, version)


def _normalise(f: Field, value: dict[str, Any], version: Version) -> dict[str, Any]:
    if f.type == "LINKS":
        value["primaryLinkUrl"] = normalise_url(value["primaryLinkUrl"])
        if isinstance(value.get("secondaryLinks"), list):
            value["secondaryLinks"] = [{**link, "url": normalise_url(link.get("url"))} if isinstance(link, dict)
                                       else link for link in value["secondaryLinks"]]
    elif f.type == "EMAILS":
        _emails(f, value, version)
    elif f.type == "PHONES":
        _phones(value, version)
    elif f.type == "CURRENCY":
        micros = value.get("amountMicros")
        if micros is not None:
            try:
                value["amountMicros"] = int(float(micros)) if isinstance(micros, str) else micros
            except ValueError:
                raise bad_request(f'invalid input syntax for type numeric: "{micros}"') from None
    elif f.type == "RICH_TEXT_V2" and value.get("markdown") is not None:
        value["blocknote"] = markdown_to_blocknote(value["markdown"])
    return value


def normalise_url(url: Any) -> Any:
    """Lower-case the origin and drop a trailing slash; a URL without a scheme stays as sent."""
    if not isinstance(url, str) or not url:
        return url
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#]*)(.*)$", url)
    if match:
        url = match.group(1).lower() + match.group(2).lower() + match.group(3)
    return url[:-1] if url.endswith("/") else url


def _emails(f: Field, value: dict[str, Any], version: Version) -> None:
    if isinstance(value.get("primaryEmail"), str):
        value["primaryEmail"] = value["primaryEmail"].strip().lower()
    if isinstance(value.get("additionalEmails"), list):
        value["additionalEmails"] = [e.strip().lower() if isinstance(e, str) else e for e in value["additionalEmails"]]
    if version != "v2.4":
        return
    checks = [("primaryEmail", value.get("primaryEmail"))]
    checks += [("additionalEmails", e) for e in value.get("additionalEmails") or []]
    for sub, email in checks:
        if email not in (None, "") and not (isinstance(email, str) and _EMAIL_RE.match(email)):
            raise bad_request(f"Invalid string value '{email}' for email field \"{f.name}.{sub}\"")


def _phones(value: dict[str, Any], version: Version) -> None:
    """Twenty's phone transformer, approximated with libphonenumber's country tables."""
    error = "Error" if version == "v1.5" else "BadRequestException"
    number = value.get("primaryPhoneNumber") or ""
    country = value.get("primaryPhoneCountryCode") or ""
    calling = value.get("primaryPhoneCallingCode") or ""
    if country and phonenumbers.country_code_for_region(country) == 0:
        raise TwentyError(400, error, f"Invalid country code {country}")
    if country and calling and calling != f"+{phonenumbers.country_code_for_region(country)}":
        raise TwentyError(400, error, "Provided country code and calling code are conflicting")
    if isinstance(number, str) and number.startswith("+"):
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            raise TwentyError(400, error, f"Invalid phone number {number}") from None
        value["primaryPhoneNumber"] = str(parsed.national_number)
        value["primaryPhoneCallingCode"] = f"+{parsed.country_code}"
        value["primaryPhoneCountryCode"] = phonenumbers.region_code_for_number(parsed) or country
    elif country and not calling:
        value["primaryPhoneCallingCode"] = f"+{phonenumbers.country_code_for_region(country)}"
