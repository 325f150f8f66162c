"""The field-level diff: for each record and mapped field, the source value, the value the mapping
meant to write, the value the destination holds after the round trip, and whether they agree.

Agreement is judged on meaning, not spelling: the destination may hand back a timestamp with
milliseconds, a phone split into calling code and national number, or a link with its scheme.
A record the destination does not hold (quarantined, refused) disagrees on every count.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from migration_pipeline.destinations.base import Destination
from migration_pipeline.mapping.engine import CustomField
from migration_pipeline.mapping.spec import Load, MappingSpec
from migration_pipeline.pipeline.load import Observed

UNCOMPARED = ("id", "fullPath")  # the id is how records are found; a file reference is the destination's own
COLUMNS = ["load", "source_key", "field", "source", "expected", "actual", "agree", "note"]


@dataclass(frozen=True)
class FieldDiff:
    load: str
    source_key: str
    field: str
    source: Any
    expected: Any
    actual: Any
    agree: bool
    note: str = ""

    def row(self) -> dict[str, Any]:
        return asdict(self)


def leaves(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Composite fields flattened to dotted paths: {'emails': {'primaryEmail': x}} → {'emails.primaryEmail': x}."""
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            flat.update(leaves(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_HTML = re.compile(r"<[a-zA-Z/][^>]*>")
_TRUE = {"true", "1", "yes", "y", "t"}


def _truth(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _text_of(value: Any) -> str:
    """An HTML value's text, so that a destination's sanitizing (wrapping, escaping) does not count."""
    text = _HTML.sub(" ", html.unescape(str(value)))
    return re.sub(r"\s+", " ", text).strip()


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def _instant(value: Any) -> pd.Timestamp | None:
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        return None
    stamp = pd.Timestamp(value.strip())
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _link(value: str) -> str:
    return re.sub(r"^https?://", "", value.strip().lower()).removeprefix("www.").rstrip("/")


def same(path: str, expected: Any, actual: Any, siblings: dict[str, Any]) -> bool:
    """Whether the destination's value means what the mapping sent."""
    if _blank(expected) or _blank(actual):
        return _blank(expected) and _blank(actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return _truth(expected) == _truth(actual)
    if _HTML.search(str(expected)) or _HTML.search(str(actual)):
        return _text_of(expected) == _text_of(actual)
    if path.endswith("PhoneNumber") and isinstance(expected, str):
        calling = siblings.get(path.rsplit(".", 1)[0] + ".primaryPhoneCallingCode") or ""
        digits = re.sub(r"\D", "", str(actual))
        return re.sub(r"\D", "", expected) in (digits, re.sub(r"\D", "", calling) + digits)
    if path.endswith("LinkUrl"):
        return _link(str(expected)) == _link(str(actual))
    left, right = _instant(expected), _instant(actual)
    if left is not None and right is not None:
        return left == right or (len(str(expected)) == 10 and str(actual).startswith(str(expected)))
    left_number, right_number = _number(expected), _number(actual)
    if left_number is not None and right_number is not None:
        return math.isclose(left_number, right_number)
    if isinstance(expected, list) or isinstance(actual, list):
        return sorted(map(str, expected if isinstance(expected, list) else [expected])) == sorted(
            map(str, actual if isinstance(actual, list) else [actual]))
    return str(expected).strip() == str(actual).strip()


def source_columns(spec: MappingSpec, load: Load, custom: dict[str, list[CustomField]]) -> dict[str, tuple[str, ...]]:
    """Each diffed field's export columns: the mapping's, its fan-out links, and its custom fields."""
    columns = {name: rule.columns for name, rule in load.fields.items()}
    columns.update({link.field: (link.source_column,) for link in load.explode})
    if load.custom_fields:
        source_object = spec.source.objects[load.source]
        columns.update({c.target_path: (c.column,) for c in custom.get(source_object.custom_fields_for or load.source, [])})
    return columns


def diff_load(load: Load, observed: Iterable[Observed], held: dict[str, dict[str, Any]], destination: Destination,
              columns: dict[str, tuple[str, ...]]) -> list[FieldDiff]:
    """Diff every observed record of one load against the records the destination holds, by id.
    Fields the destination does not store (it leaves them out when sent) are not compared."""
    diffs = []
    for record in observed:
        actual_record = held.get(record.payload.get("id", ""))
        if actual_record is None:
            diffs.append(FieldDiff(load.name, record.key, "(record)", "", "present", "absent", False,
                                   "the destination does not hold the record"))
            continue
        actual = leaves(actual_record)
        stored = destination.as_sent(load.target, record.payload)
        sent = leaves(stored)
        merged = record.outcome == "merged"
        for path in leaves(record.payload):
            top, _, rest = path.partition(".")
            name = destination.field_name(load.target, top)
            if path in UNCOMPARED or name not in stored:
                continue
            target_path = f"{name}.{rest}" if rest else name
            expected, value = sent.get(target_path), actual.get(target_path)
            source = " | ".join("" if _blank(record.source.get(c)) else str(record.source.get(c)) for c in columns.get(path, ()))
            # A merged duplicate is shown, but the survivor's values are the ones the destination keeps.
            diffs.append(FieldDiff(load.name, record.key, path, source, expected, value,
                                   merged or same(path, expected, value, actual),
                                   "merged into a duplicate: the survivor's value is kept" if merged else ""))
    return diffs


def quarantined_rows(load: str, reasons: Iterable[dict[str, Any]]) -> list[FieldDiff]:
    """Sampled rows that never reached the destination: one disagreeing line each, with the reason."""
    return [FieldDiff(load, r.get("source_key") or f"row {r.get('row_number')}", r.get("field") or "(record)", "",
                      "(quarantined)", "absent", False, r["reason"]) for r in reasons]
