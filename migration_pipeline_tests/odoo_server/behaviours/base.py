"""The hooks a model can add to the generic ORM, and the computed fields several models share."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from ..schema import MODELS

if TYPE_CHECKING:
    from ..orm import Env

Row = dict[str, Any]
Compute = Callable[["Env", str, Row], Any]


class Behaviour:
    """Does nothing: the generic ORM alone. Models override the hooks they need."""

    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        """Values for the fields `given` (the caller's values) leaves out."""
        return {}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    def validate(self, env: Env, rid: int | None, row: Row) -> None:
        """Constraints on the row about to be stored (rid None: a new record)."""

    def after_create(self, env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        pass

    def after_write(self, env: Env, ids: list[int], vals: dict[str, Any], before: dict[int, Row]) -> None:
        pass

    def before_unlink(self, env: Env, ids: list[int]) -> None:
        pass

    def after_unlink(self, env: Env, ids: list[int]) -> None:
        pass


class Defaults(Behaviour):
    """A model whose only addition is default values (callables get the Env)."""

    def __init__(self, **values: Any):
        self.values = values

    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {key: value(env) if callable(value) else value for key, value in self.values.items()
                if key not in given}


def display(env: Env, model: str, row: Row) -> Any:
    """Odoo's default display name: the `_rec_name` field, else "<model>,<id>"; empty is False."""
    rec_name = MODELS[model].rec_name
    if rec_name is None:
        return f"{model},{row['id']}"
    value = env.value(model, row, rec_name)
    f = env.fields(model).get(rec_name)
    if f is not None and f.type == "many2one":
        return env.display_name(f.relation, value) if value else False
    return value or False


def record_name(model_field: str, id_field: str) -> Compute:
    """The display name of the record a (model, res_id) pair points at."""
    def compute(env: Env, model: str, row: Row) -> Any:
        target = row.get(model_field)
        if not target or not row.get(id_field):
            return False
        return env.display_name(target, row[id_field]) if target in MODELS else False
    return compute


def email_formatted(env: Env, model: str, row: Row) -> Any:
    email = env.value(model, row, "email")
    if not email:
        return False
    name = env.value(model, row, "name") or ""
    return f'"{name}" <{email}>' if name else email


def normalized_email(field: str) -> Compute:
    def compute(env: Env, model: str, row: Row) -> Any:
        found = re.search(r"[^\s<>\"',;]+@[^\s<>\"',;]+", env.value(model, row, field) or "")
        return found.group(0).lower() if found else False
    return compute


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
