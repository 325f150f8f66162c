"""REST list filters: `filter=field[op]:value`, as Twenty parses and applies them.

Composite sub-fields use dots (`emails.primaryEmail[eq]:"a@b.c"`) and conditions combine with
`and(…)`, `or(…)` and `not(…)`. `[eq]` is case-sensitive; `like`/`ilike` take `%` and `_`.
GraphQL filters are converted to the same tree (`graphql.to_node`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import bad_request
from .schema import ObjectDef
from .values import parse_datetime

OPERATORS = {"eq", "neq", "in", "containsAny", "is", "gt", "gte", "lt", "lte", "startsWith", "like", "ilike"}
_COMPARISON = re.compile(r"([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)\[([A-Za-z]+)\]:")


@dataclass
class Condition:
    path: tuple[str, ...]
    op: str
    value: Any


@dataclass
class Group:
    kind: str  # and | or | not
    items: list[Condition | Group]


Node = Condition | Group


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self) -> Exception:
        return bad_request(f"'filter' invalid for '{self.text}'. eg: price[gte]:10")

    def parse(self) -> Node:
        node = self.expression()
        if self.pos != len(self.text):
            raise self.fail()
        return node

    def expression(self) -> Node:
        for kind in ("and", "or", "not"):
            if self.text.startswith(kind + "(", self.pos):
                self.pos += len(kind) + 1
                items = [self.expression()]
                while self.text.startswith(",", self.pos):
                    self.pos += 1
                    items.append(self.expression())
                if not self.text.startswith(")", self.pos):
                    raise self.fail()
                self.pos += 1
                return Group(kind, items)
        match = _COMPARISON.match(self.text, self.pos)
        if not match or match.group(2) not in OPERATORS:
            raise self.fail()
        self.pos = match.end()
        return Condition(tuple(match.group(1).split(".")), match.group(2), self.value())

    def value(self) -> Any:
        text, start = self.text, self.pos
        if text.startswith('"', start):
            end = start + 1
            while end < len(text) and (text[end] != '"' or text[end - 1] == "\\"):
                end += 1
            self.pos = end + 1
            return text[start + 1:end].replace('\\"', '"')
        if text.startswith("[", start):
            end = text.find("]", start)
            if end < 0:
                raise self.fail()
            self.pos = end + 1
            return [item.strip().strip('"') for item in text[start + 1:end].split(",") if item.strip()]
        end = start
        while end < len(text) and text[end] not in ",)":
            end += 1
        self.pos = end
        return text[start:end]


def parse_filter(text: str, obj: ObjectDef) -> Node:
    node = _Parser(text).parse()
    _validate(node, obj)
    return node


def _validate(node: Node, obj: ObjectDef) -> None:
    if isinstance(node, Group):
        for item in node.items:
            _validate(item, obj)
        return
    name = node.path[0]
    f = obj.fields.get(name)
    if (f is None or not f.active or not f.stored) and name not in obj.join_columns():
        raise bad_request(f"field '{name}' does not exist in '{obj.singular}' object")
    if f is not None and f.type == "SELECT" and node.op in ("eq", "neq", "in"):
        allowed = f.option_values()
        for value in node.value if isinstance(node.value, list) else [node.value]:
            if value not in allowed:
                raise bad_request(f"'filter' enum value '{value}' not available in '{name}' enum. "
                                  f"Available enum values are {allowed}")


def mentions(node: Node | None, name: str) -> bool:
    if node is None:
        return False
    if isinstance(node, Group):
        return any(mentions(item, name) for item in node.items)
    return node.path[0] == name


def lookup(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    value = row.get(path[0])
    return value.get(path[1]) if len(path) > 1 and isinstance(value, dict) else value


def _coerce(obj: ObjectDef, path: tuple[str, ...], raw: Any) -> Any:
    f = obj.fields.get(path[0])
    if f is None or isinstance(raw, list):
        return raw
    if f.type in ("NUMBER", "NUMERIC", "POSITION") or path[-1] == "amountMicros":
        try:
            return float(raw)
        except (TypeError, ValueError):
            return raw
    if f.type == "BOOLEAN":
        return str(raw).lower() == "true"
    if f.type in ("DATE_TIME", "DATE"):
        return parse_datetime(raw) or raw
    return raw


def _like(pattern: str, value: Any, flags: int = 0) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return isinstance(value, str) and re.fullmatch(regex, value, flags | re.DOTALL) is not None


def matches(node: Node, row: dict[str, Any], obj: ObjectDef) -> bool:
    if isinstance(node, Group):
        results = (matches(item, row, obj) for item in node.items)
        return all(results) if node.kind == "and" else any(results) if node.kind == "or" else not any(results)
    actual = lookup(row, node.path)
    if isinstance(actual, dict) and obj.fields.get(node.path[0]) is not None:
        return False  # a composite needs a sub-field
    wanted = _coerce(obj, node.path, node.value)
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and isinstance(wanted, float):
        actual = float(actual)
    op = node.op
    if op == "is":
        return (actual is None) == (str(node.value).upper() == "NULL")
    if actual is None:
        return False
    if op == "eq":
        return actual == wanted
    if op == "neq":
        return actual != wanted
    if op == "in":
        return actual in [_coerce(obj, node.path, v) for v in (wanted if isinstance(wanted, list) else [wanted])]
    if op == "containsAny":
        return isinstance(actual, list) and bool(set(actual) & set(wanted if isinstance(wanted, list) else [wanted]))
    if op == "startsWith":
        return isinstance(actual, str) and actual.startswith(str(wanted))
    if op in ("like", "ilike"):
        return _like(str(wanted), actual, re.IGNORECASE if op == "ilike" else 0)
    try:
        return {"gt": actual > wanted, "gte": actual >= wanted, "lt": actual < wanted, "lte": actual <= wanted}[op]
    except TypeError:
        return False
