"""A small GraphQL reader: one operation, fields with arguments, aliases and sub-selections.

Enough for what clients send Twenty (record queries and mutations, uploads); fragments and
directives are not supported. Variables are substituted while parsing, and each field and
variable type keeps its line/column so validation errors can point at it like Apollo does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r'(?P<skip>[\s,]+|#[^\n]*)|(?P<string>"(?:[^"\\]|\\.)*")'
                    r'|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<name>[_A-Za-z][_0-9A-Za-z]*)'
                    r'|(?P<punct>\.\.\.|[{}()\[\]:!=$@|&])')


class GraphQLSyntaxError(Exception):
    pass


@dataclass
class Location:
    line: int
    column: int

    def as_json(self) -> dict[str, int]:
        return {"line": self.line, "column": self.column}


@dataclass
class Selection:
    name: str
    alias: str | None
    args: dict[str, Any]
    children: list[Selection] | None
    location: Location

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Operation:
    kind: str  # query | mutation
    selections: list[Selection]
    variable_types: list[tuple[str, Location]] = field(default_factory=list)


class _Reader:
    def __init__(self, text: str, variables: dict[str, Any]):
        self.text, self.variables = text, variables
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match:
                raise GraphQLSyntaxError(f"Syntax Error: Unexpected character {text[position]!r}.")
            if match.lastgroup != "skip":
                self.tokens.append((match.lastgroup or "", match.group(), position))
            position = match.end()
        self.index = 0

    def location(self) -> Location:
        offset = self.tokens[self.index][2] if self.index < len(self.tokens) else len(self.text)
        line = self.text.count("\n", 0, offset) + 1
        return Location(line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise GraphQLSyntaxError("Syntax Error: Unexpected <EOF>.")
        kind, value, _ = self.tokens[self.index]
        if expected is not None and value != expected:
            raise GraphQLSyntaxError(f'Syntax Error: Expected "{expected}", found "{value}".')
        self.index += 1
        return kind, value

    def name(self) -> str:
        kind, value = self.take()
        if kind != "name":
            raise GraphQLSyntaxError(f'Syntax Error: Expected Name, found "{value}".')
        return value

    def operation(self) -> Operation:
        kind = "query"
        if self.peek() in ("query", "mutation", "subscription"):
            kind = self.take()[1]
            if self.tokens[self.index][0] == "name":
                self.take()
        types: list[tuple[str, Location]] = []
        if self.peek() == "(":
            self.take("(")
            while self.peek() != ")":
                self.take("$")
                self.name()
                self.take(":")
                while self.peek() == "[":
                    self.take("[")
                types.append((self.peek() or "", self.location()))
                self.name()
                while self.peek() in ("!", "]"):
                    self.take()
                if self.peek() == "=":
                    self.take("=")
                    self.value()
            self.take(")")
        operation = Operation(kind, self.selection_set(), types)
        if self.index != len(self.tokens):
            raise GraphQLSyntaxError(f'Syntax Error: Unexpected "{self.peek()}".')
        return operation

    def selection_set(self) -> list[Selection]:
        self.take("{")
        selections = []
        while self.peek() != "}":
            location = self.location()
            name, alias = self.name(), None
            if self.peek() == ":":
                self.take(":")
                alias, name = name, self.name()
            args: dict[str, Any] = {}
            if self.peek() == "(":
                self.take("(")
                while self.peek() != ")":
                    key = self.name()
                    self.take(":")
                    args[key] = self.value()
                self.take(")")
            children = self.selection_set() if self.peek() == "{" else None
            selections.append(Selection(name, alias, args, children, location))
        self.take("}")
        return selections

    def value(self) -> Any:
        kind, token = self.take()
        if token == "$":
            return self.variables.get(self.name())
        if kind == "string":
            return json.loads(token)
        if kind == "number":
            return float(token) if any(c in token for c in ".eE") else int(token)
        if token == "[":
            items = []
            while self.peek() != "]":
                items.append(self.value())
            self.take("]")
            return items
        if token == "{":
            entries = {}
            while self.peek() != "}":
                key = self.name()
                self.take(":")
                entries[key] = self.value()
            self.take("}")
            return entries
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(token, token)
        raise GraphQLSyntaxError(f'Syntax Error: Unexpected "{token}".')


def parse(text: str, variables: dict[str, Any] | None = None) -> Operation:
    return _Reader(text, variables or {}).operation()
