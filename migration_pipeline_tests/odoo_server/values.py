"""Field values in and out: what `create`/`write` accept, and what `read` answers.

In (Odoo's `convert_to_cache`, then PostgreSQL's column types):
- many2one: an id or `False`; an id that does not exist is a MissingError; a string reaches
  PostgreSQL and fails there (`psycopg2.errors.InvalidTextRepresentation`); a `[id, name]` pair
  (a value read back) is a ValueError, since JSON and XML-RPC have no tuples.
- x2many: command lists (`[6, 0, ids]`, `[4, id]`, `[0, 0, vals]`, ...) or a plain list of ids.
- selection: one of the options, else `ValueError: Wrong value for <model>.<field>: <value>`.
- dates `YYYY-MM-DD`, datetimes `YYYY-MM-DD HH:MM:SS` (UTC, no timezone, no `T`).
- integers/floats are coerced like Python's `int()`/`float()`; HTML is sanitized where Odoo does.

Out (`read`): empty is `false`, never `null`; integers and floats read 0; many2one is
`[id, display name]`; x2many a list of ids in the comodel's order; datetimes stay strings, in
every protocol (XML-RPC included, never `dateTime.iso8601`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import errors
from .htmltools import sanitize
from .schema import SANITIZED, Field, custom_relation_names

if TYPE_CHECKING:
    from .orm import Env

DATE_FORMAT, DATETIME_FORMAT = "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"


def convert(env: Env, model: str, f: Field, value: Any, current: Any = None) -> Any:
    """The stored form of `value` for field `f` (`current`: the x2many ids it replaces)."""
    kind = f.type
    if kind == "many2one":
        return _many2one(env, model, f, value)
    if kind == "many2many":
        return _many2many(env, model, f, value, current)
    if kind in ("char", "text"):
        return None if value is None or value is False else str(value)
    if kind == "html":
        if value is None or value is False:
            return None
        return sanitize(str(value)) if (model, f.name) in SANITIZED or f.custom else str(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "many2one_reference"):
        return int(value or 0)
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    if kind == "selection":
        if value is None or value is False:
            return None
        options = [option[0] for option in f.selection or []]
        if value not in options:
            raise ValueError(f"Wrong value for {model}.{f.name}: {value!r}")
        return value
    if kind == "date":
        return None if not value else parse_date(value)
    if kind == "datetime":
        return None if not value else parse_datetime(value)
    if kind == "binary":
        return None if not value else value
    return value if value is not False else None  # json, properties, reference


def parse_date(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"strptime() argument 1 must be str, not {type(value).__name__}")
    return datetime.strptime(value[:10], DATE_FORMAT).strftime(DATE_FORMAT)


def parse_datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"strptime() argument 1 must be str, not {type(value).__name__}")
    text = value[:19]
    if len(text) == 10:
        text += " 00:00:00"
    return datetime.strptime(text, DATETIME_FORMAT).strftime(DATETIME_FORMAT)


def _many2one(env: Env, model: str, f: Field, value: Any) -> int | None:
    if value is None or value is False or value == 0:
        return None
    if isinstance(value, str):  # Odoo passes it on; PostgreSQL refuses it
        raise errors.InvalidTextRepresentation(
            f'invalid input syntax for type integer: "{value}"\nLINE 1: ...VALUES (..., \'{value}\'...\n'
            "                           ^\n")
    if not isinstance(value, (int, float)):  # e.g. a `[id, name]` pair echoed back from a read
        raise ValueError(f"Wrong value for {model}.{f.name}: {value!r}")
    rid = int(value)
    if env.has_model(f.relation) and not env.exists(f.relation, rid):
        raise errors.missing(f.relation, [rid], env.uid)
    return rid


def _many2many(env: Env, model: str, f: Field, value: Any, current: Any) -> tuple[int, ...]:
    ids = list(current or ())
    if value is None or value is False:
        return ()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"Wrong value for {model}.{f.name}: {value!r}")
    if not value:  # no command: the value stays as it is
        return tuple(ids)
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        ids = list(value)  # a plain list of ids replaces the value
    else:
        for command in value:
            ids = _apply_command(env, model, f, command, ids)
    unique = list(dict.fromkeys(ids))
    if env.has_model(f.relation):
        ghosts = [rid for rid in unique if not env.exists(f.relation, rid)]
        if ghosts:
            table, _, right = custom_relation_names(model, f.relation)
            raise errors.foreign_key("Unknown", "unknown", f"{table}_{right}_fkey")
    return tuple(unique)


def _apply_command(env: Env, model: str, f: Field, command: Any, ids: list[int]) -> list[int]:
    if not isinstance(command, (list, tuple)) or not command:
        raise ValueError(f"Wrong value for {model}.{f.name}: {command!r}")
    code = command[0]
    if code == 0:
        return ids + env.create(f.relation, [dict(command[2] or {})])
    if code == 1:
        env.write(f.relation, [command[1]], dict(command[2] or {}))
        return ids
    if code == 2:
        env.unlink(f.relation, [command[1]])
        return [rid for rid in ids if rid != command[1]]
    if code == 3:
        return [rid for rid in ids if rid != command[1]]
    if code == 4:
        return ids + [command[1]]
    if code == 5:
        return []
    if code == 6:
        return list(command[2] or [])
    raise ValueError(f"Wrong value for {model}.{f.name}: {command!r}")


def render(env: Env, f: Field, raw: Any, load: bool = True) -> Any:
    """The read format of a raw (stored or computed) value."""
    kind = f.type
    if kind == "many2one":
        if not raw:
            return False
        return [raw, env.display_name(f.relation, raw)] if load else raw
    if kind in ("one2many", "many2many"):
        return env.ordered(f.relation, list(raw or ()))
    if kind in ("integer", "many2one_reference"):
        return raw or 0
    if kind in ("float", "monetary"):
        return float(raw or 0.0)
    if kind == "boolean":
        return bool(raw)
    if kind == "properties":
        return raw or []
    return False if raw is None or raw is False else raw
