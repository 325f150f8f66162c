"""REST list paging: `order_by=`, `limit=` and the `starting_after`/`ending_before` cursors.

Cursors are base64 of the JSON of the sort key (`{"id": …}` in the default order, id ascending).
Versions differ in `totalCount` on later pages (v1.5: only the rows after the cursor), in the
`limit` cap (v2.4: silently 200) and in `pageInfo` (v2.4 always has `hasPreviousPage`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from .errors import bad_request
from .filters import lookup
from .schema import ObjectDef, Version


_ORDER = re.compile(r"([A-Za-z0-9_.]+)(?:\[(AscNullsFirst|AscNullsLast|DescNullsFirst|DescNullsLast)\])?")


@dataclass
class SortKey:
    path: tuple[str, ...]
    ascending: bool
    nulls_first: bool


def parse_order(text: str | None, obj: ObjectDef) -> list[SortKey]:
    """`name[AscNullsFirst],createdAt[DescNullsLast]`; id ascending always breaks ties."""
    keys = []
    for part in filter(None, (text or "").split(",")):
        match = _ORDER.fullmatch(part)
        if not match or (match.group(1).split(".")[0] not in obj.fields and match.group(1) not in obj.join_columns()):
            raise bad_request(f"'order_by' invalid for '{part}'")
        direction = match.group(2) or "AscNullsFirst"
        keys.append(SortKey(tuple(match.group(1).split(".")), direction.startswith("Asc"), direction.endswith("First")))
    return keys + [SortKey(("id",), True, True)]


def _compare(keys: list[SortKey], a: dict[str, Any], b: dict[str, Any]) -> int:
    for key in keys:
        x, y = lookup(a, key.path), lookup(b, key.path)
        if x == y:
            continue
        if x is None or y is None:
            return (-1 if x is None else 1) * (1 if key.nulls_first else -1)
        try:
            result = -1 if x < y else 1
        except TypeError:
            result = -1 if str(x) < str(y) else 1
        return result if key.ascending else -result
    return 0


def encode_cursor(keys: list[SortKey], row: dict[str, Any]) -> str:
    values = {".".join(k.path): lookup(row, k.path) for k in keys if k.path != ("id",)}
    values["id"] = row["id"]
    return base64.b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str, keys: list[SortKey]) -> dict[str, Any]:
    try:
        values = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise bad_request(f"Invalid cursor '{cursor}'") from None
    if not isinstance(values, dict) or "id" not in values:
        raise bad_request(f"Invalid cursor '{cursor}'")
    row: dict[str, Any] = {"id": values["id"]}
    for key in keys:
        name = ".".join(key.path)
        if name in values and len(key.path) == 2:
            row.setdefault(key.path[0], {})[key.path[1]] = values[name]
        elif name in values:
            row[name] = values[name]
    return row


def parse_limit(raw: str | None, version: Version) -> int:
    if raw is None:
        return 60
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(f"limit '{raw}' is invalid. Should be an integer") from None
    return max(0, min(limit, 200) if version == "v2.4" else limit)


def paginate(rows: list[dict[str, Any]], keys: list[SortKey], limit: int, version: Version,
             starting_after: str | None, ending_before: str | None) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """The page, its pageInfo and totalCount, with each version's quirks."""
    compare = cmp_to_key(lambda a, b: _compare(keys, a, b))
    ordered = sorted(rows, key=compare)
    backward = ending_before is not None
    if backward:
        pivot = _decode_cursor(ending_before or "", keys)
        window = [r for r in ordered if _compare(keys, r, pivot) < 0]
        page = window[-limit:] if limit else []
    else:
        pivot = _decode_cursor(starting_after, keys) if starting_after else None
        window = [r for r in ordered if pivot is None or _compare(keys, r, pivot) > 0]
        page = window[:limit]
    start = encode_cursor(keys, page[0]) if page else None
    end = encode_cursor(keys, page[-1]) if page else None
    if version == "v1.5" and backward:  # v1.5 computes the cursors before reversing the page
        info = {"hasNextPage": False, "startCursor": end, "endCursor": start, "hasPreviousPage": True}
    elif version == "v1.5":
        info = {"hasNextPage": len(window) > limit, "startCursor": start, "endCursor": end}
    else:
        before_or_after = len(window) < len(ordered)
        info = {"startCursor": start, "endCursor": end,
                "hasNextPage": len(window) > limit if not backward else before_or_after,
                "hasPreviousPage": len(window) > limit if backward else before_or_after}
    return page, info, len(window) if version == "v1.5" else len(ordered)
