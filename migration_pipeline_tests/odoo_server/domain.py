"""Search domains and `order` clauses, evaluated in Python the way PostgreSQL would answer them.

Domains are Polish notation: `'&'`, `'|'` (two operands) and `'!'` (one) prefix the leaves, and
consecutive leaves are implicitly ANDed. A leaf is `(path, operator, value)`; a path may follow
relations (`parent_id.email`). Operators: = != <> < > <= >= in, not in, like, not like, ilike,
not ilike, =like, =ilike, =?, child_of, parent_of, any, not any.

Where SQL NULL semantics matter they are kept: comparisons with an empty value are false, while
the negative operators (`!=`, `not in`, `not ilike`) also match empty values, as Odoo adds
`OR col IS NULL`. `(field, '=', False)` matches empty. A field the model does not have is a
ValueError naming the condition, exactly as the real server words it. Models with an `active`
field only return active records unless the domain mentions `active` or the context says
`active_test: False`.

Ordering follows PostgreSQL defaults: ascending puts empty values last, descending first; text
compares case-insensitively (as the database collation mostly does); a many2one orders by the
comodel's own default order; ties keep id order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from .schema import MODELS, Field

if TYPE_CHECKING:
    from .orm import Env

OPERATORS = {"=", "!=", "<>", "<", ">", "<=", ">=", "in", "not in", "like", "not like", "ilike", "not ilike",
             "=like", "=ilike", "=?", "child_of", "parent_of", "any", "not any"}
_NEGATIVE = {"!=", "<>", "not in", "not like", "not ilike", "not any"}
Matcher = Callable[[dict[str, Any]], bool]


def matcher(env: Env, model: str, domain: Any, active_test: bool = True) -> Matcher:
    """A predicate over the rows of `model`; raises ValueError on an invalid domain."""
    if domain is None or domain is False:
        domain = []
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Invalid domain: {domain!r}")
    predicate = _parse(env, model, list(domain))
    if active_test and "active" in env.fields(model) and env.context.get("active_test", True) \
            and not _mentions_active(domain):
        inner = predicate
        predicate = lambda row: bool(env.value(model, row, "active")) and inner(row)  # noqa: E731
    return predicate


def _mentions_active(domain: Any) -> bool:
    return any(isinstance(term, (list, tuple)) and len(term) == 3 and isinstance(term[0], str)
               and term[0].split(".")[0] == "active" for term in domain)


def _parse(env: Env, model: str, items: list[Any]) -> Matcher:
    stack: list[Matcher] = []
    for item in reversed(items):
        if item == "&" or item == "|":
            if len(stack) < 2:
                raise ValueError(f"Invalid domain: {items!r}")
            left, right = stack.pop(), stack.pop()
            stack.append((lambda a, b: lambda row: a(row) and b(row))(left, right) if item == "&"
                         else (lambda a, b: lambda row: a(row) or b(row))(left, right))
        elif item == "!":
            if not stack:
                raise ValueError(f"Invalid domain: {items!r}")
            stack.append((lambda a: lambda row: not a(row))(stack.pop()))
        else:
            stack.append(_leaf(env, model, item))
    result = stack.pop() if stack else (lambda row: True)
    while stack:
        result = (lambda a, b: lambda row: a(row) and b(row))(result, stack.pop())
    return result


def _leaf(env: Env, model: str, term: Any) -> Matcher:
    if not isinstance(term, (list, tuple)) or len(term) != 3:
        raise ValueError(f"Invalid leaf {term!r}")
    path, operator, value = term
    if path in (0, 1) and operator == "=" and value == 1:  # Odoo's TRUE_LEAF / FALSE_LEAF
        return lambda row: bool(path)
    if not isinstance(path, str):
        raise ValueError(f"Invalid leaf {term!r}")
    condition = f"({path!r}, {operator!r}, {value!r})"
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise ValueError(f"Invalid operator {operator!r} in condition {condition}")
    operator = operator.lower()
    names = path.split(".")
    current, fields = model, []
    for depth, name in enumerate(names):
        f = env.fields(current).get(name)
        if f is None:
            raise ValueError(f"Invalid field {current}.{name} in condition {condition}")
        fields.append(f)
        if depth < len(names) - 1:
            if not f.relational:
                raise ValueError(f"Invalid field {current}.{names[depth + 1]} in condition {condition}")
            if not env.has_model(f.relation):
                raise NotImplementedError(f"The Odoo test double does not model {f.relation}: "
                                          f"cannot follow {path!r} in condition {condition}")
            current = f.relation
    if operator in ("any", "not any"):
        sub = matcher(env, fields[-1].relation, value, active_test=False)
        test = lambda raw: any(sub(r) for r in _targets(env, fields[-1], raw))  # noqa: E731
        return _along(env, model, fields, test if operator == "any" else (lambda raw: not test(raw)))
    return _along(env, model, fields, _test(env, current, fields[-1], operator, value))


def _along(env: Env, model: str, fields: list[Field], test: Callable[[Any], bool]) -> Matcher:
    """Apply `test` to the value at the end of the path (any of them, through x2many)."""
    def follow(current: str, row: dict[str, Any], depth: int) -> bool:
        f = fields[depth]
        raw = env.value(current, row, f.name)
        if depth == len(fields) - 1:
            return test(raw)
        return any(follow(f.relation, target, depth + 1) for target in _targets(env, f, raw))
    return lambda row: follow(model, row, 0)


def _targets(env: Env, f: Field, raw: Any) -> list[dict[str, Any]]:
    ids = [raw] if f.type == "many2one" else list(raw or ())
    rows = [env.db.row(f.relation, rid) for rid in ids if rid]
    return [row for row in rows if row is not None]


def _empty(raw: Any) -> bool:
    return raw is None or raw is False or raw == "" or raw == ()


def _test(env: Env, model: str, f: Field, operator: str, value: Any) -> Callable[[Any], bool]:
    if operator == "=?":
        if value is None or value is False:
            return lambda raw: True
        operator = "="
    if operator in ("child_of", "parent_of"):
        return _hierarchy(env, model, f, operator, value)
    if f.type in ("one2many", "many2many"):
        return _x2many(env, f, operator, value)
    if f.type == "many2one" and _is_text(value):  # a name: matched against the target's display name
        names = _scalar(operator, value)
        return lambda raw: names(env.display_name(f.relation, raw) if raw else None)
    return _scalar(operator, value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, (list, tuple)) and bool(value)
                                      and all(isinstance(v, str) for v in value))


def _scalar(operator: str, value: Any) -> Callable[[Any], bool]:
    if operator in ("=", "!=", "<>"):
        if value is False or value is None:
            equal = _empty
        else:
            equal = lambda raw: not _empty(raw) and _same(raw, value)  # noqa: E731
        return equal if operator == "=" else (lambda raw: not equal(raw))
    if operator in ("in", "not in"):
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        with_empty = any(v is False or v is None for v in values)
        inside = lambda raw: (_empty(raw) and with_empty) or (  # noqa: E731
            not _empty(raw) and any(_same(raw, v) for v in values if v is not False and v is not None))
        return inside if operator == "in" else (lambda raw: not inside(raw))
    if operator in ("<", ">", "<=", ">="):
        compare = {"<": lambda a, b: a < b, ">": lambda a, b: a > b,
                   "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}[operator]

        def ordered(raw: Any) -> bool:
            if _empty(raw) or value is None or value is False:
                return False
            try:
                return bool(compare(raw, value))
            except TypeError:
                return False
        return ordered
    # like family
    if value is False or value is None:
        positive = _empty
    else:
        pattern = str(value)
        base = operator[4:] if operator.startswith("not ") else operator
        if not base.startswith("="):  # like/ilike look for the value anywhere; =like/=ilike take a pattern
            pattern = f"%{pattern}%"
        regex = _like_regex(pattern, "ilike" in operator)
        positive = lambda raw: not _empty(raw) and regex.fullmatch(str(raw)) is not None  # noqa: E731
    return (lambda raw: not positive(raw)) if operator.startswith("not ") else positive


def text_test(operator: str, value: Any) -> Callable[[Any], bool]:
    """How `operator` matches `value` against a text (name_search uses it on display names)."""
    return _scalar(operator, value)


def _same(raw: Any, value: Any) -> bool:
    if isinstance(raw, bool) or isinstance(value, bool):
        return bool(raw) == bool(value) if isinstance(raw, bool) else False
    if isinstance(raw, (int, float)) and isinstance(value, (int, float)):
        return raw == value
    if isinstance(raw, str) and isinstance(value, str):
        return raw == value
    if isinstance(raw, (int, float)) and isinstance(value, str):
        try:
            return raw == type(raw)(value)
        except ValueError:
            return False
    return raw == value


def _like_regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if insensitive else 0))


def _x2many(env: Env, f: Field, operator: str, value: Any) -> Callable[[Any], bool]:
    if _is_text(value):
        names = _scalar(operator[4:] if operator.startswith("not ") else operator, value)
        hit = lambda raw: any(names(env.display_name(f.relation, rid)) for rid in raw or ())  # noqa: E731
        return (lambda raw: not hit(raw)) if operator in _NEGATIVE else hit
    if operator in ("=", "in", "!=", "<>", "not in"):
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if values in ([False], [None]):
            empty = lambda raw: not raw  # noqa: E731
            return empty if operator in ("=", "in") else (lambda raw: bool(raw))
        wanted = {v for v in values if v is not False and v is not None}
        hit = lambda raw: bool(wanted & set(raw or ()))  # noqa: E731
        return hit if operator in ("=", "in") else (lambda raw: not hit(raw))
    return lambda raw: False


def _hierarchy(env: Env, model: str, f: Field, operator: str, value: Any) -> Callable[[Any], bool]:
    target = model if f.name == "id" else f.relation
    roots = set(value if isinstance(value, (list, tuple)) else [value])
    parent = "parent_id" if "parent_id" in env.fields(target) else None

    def ancestors(rid: int) -> set[int]:
        seen: set[int] = set()
        while rid and rid not in seen and parent:
            seen.add(rid)
            row = env.db.row(target, rid)
            rid = row.get(parent) if row else None
        return seen | ({rid} if rid else set())

    def descendant(rid: Any) -> bool:
        return bool(rid) and bool(ancestors(rid) & roots)

    def ancestor(rid: Any) -> bool:
        return bool(rid) and any(rid in ancestors(root) for root in roots)

    test = descendant if operator == "child_of" else ancestor
    if f.type in ("one2many", "many2many"):
        return lambda raw: any(test(rid) for rid in raw or ())
    return test


# ---- order ----------------------------------------------------------------------------------------

_TERM = re.compile(r"^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE)


def parse_order(env: Env, model: str, order: str | None) -> list[tuple[str, bool, str | None]]:
    spec = order if order else MODELS[model].order
    terms = []
    for part in spec.split(","):
        match = _TERM.match(part)
        if not match:
            raise ValueError(f'Invalid "order" specified ({spec}). A valid "order" specification is a '
                             "comma-separated list of valid field names (optionally followed by asc/desc "
                             "for the direction)")
        name, direction, nulls = match.groups()
        if name not in env.fields(model):
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
        terms.append((name, (direction or "asc").lower() == "desc", nulls.lower() if nulls else None))
    return terms


def sort_rows(env: Env, model: str, rows: list[dict[str, Any]], order: str | None,
              depth: int = 0) -> list[dict[str, Any]]:
    rows = sorted(rows, key=lambda row: row["id"])
    for name, descending, nulls in reversed(parse_order(env, model, order)):
        f = env.fields(model)[name]
        key = _sort_key(env, model, f, depth)
        nulls_first = (nulls == "first") if nulls else descending
        present = [row for row in rows if key(row) is not None]
        empty = [row for row in rows if key(row) is None]
        present.sort(key=key, reverse=descending)
        rows = empty + present if nulls_first else present + empty
    return rows


def _sort_key(env: Env, model: str, f: Field, depth: int) -> Callable[[dict[str, Any]], Any]:
    if f.type == "many2one" and env.has_model(f.relation) and depth < 2:
        targets = sort_rows(env, f.relation, list(env.db.rows(f.relation).values()), None, depth + 1)
        rank = {row["id"]: index for index, row in enumerate(targets)}
        return lambda row: (lambda raw: None if not raw else rank.get(raw, raw))(env.value(model, row, f.name))

    def key(row: dict[str, Any]) -> Any:
        raw = env.value(model, row, f.name)
        if f.type == "boolean":
            return bool(raw)
        if raw is None or raw is False or isinstance(raw, (list, tuple)):
            return None if not isinstance(raw, (list, tuple)) else len(raw)
        return raw.casefold() if isinstance(raw, str) else raw
    return key
