"""ir.model, ir.model.data (external ids) and ir.model.fields (custom fields).

- ir.model.data: (module, name) is unique — a duplicate is the ValidationError Odoo makes of
  PostgreSQL's "duplicate key value violates unique constraint ir_model_data_module_name_uniq_index".
- ir.model.fields: a `manual` field's name must start with `x_`; names are unique per model; a
  many2many gets the table `x_<a>_<b>_rel` and columns `<a>_id`/`<b>_id` (tables sorted); options
  come as `selection_ids` commands or as the deprecated `selection` string. Every change bumps the
  schema, so `fields_get`, reads and writes see the field at once; unlinking drops its values.
  Base fields can be neither changed nor removed.
- ir.model: read-only here; the double models a fixed set of models.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from .. import errors
from ..schema import MODELS, custom_relation_names
from .base import Behaviour, Compute, Row

if TYPE_CHECKING:
    from ..orm import Env


class ModelData(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {} if "noupdate" in given else {"noupdate": False}

    def validate(self, env: Env, rid: int | None, row: Row) -> None:
        taken = env.db.lookup("ir.model.data", "xmlid", (row.get("module"), row.get("name")))
        if taken is not None and taken != rid:
            raise errors.constraint(
                'duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"\n'
                f"DETAIL:  Key (module, name)=({row.get('module')}, {row.get('name')}) already exists.\n")


class ModelFields(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in {
            "state": "manual", "store": True, "index": False, "readonly": False, "required": False,
            "copied": given.get("ttype") != "one2many", "selectable": True,
            "on_delete": "set null" if given.get("ttype") == "many2one" else False,
        }.items() if key not in given}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        owner = env.db.row("ir.model", vals.get("model_id")) if vals.get("model_id") else None
        if owner is None and vals.get("model"):
            owner = next((r for r in env.db.rows("ir.model").values() if r.get("model") == vals["model"]), None)
        if owner is not None:
            vals["model_id"], vals["model"] = owner["id"], owner["model"]
        if vals.get("state") == "manual" and not str(vals.get("name") or "").startswith("x_"):
            raise errors.constraint("Custom fields must have a name that starts with 'x_'!")
        if vals.get("ttype") in ("many2one", "one2many", "many2many") and vals.get("relation") not in MODELS:
            raise errors.ValidationError(f"Unknown model name '{vals.get('relation')}' in Related Model")
        if vals.get("ttype") == "many2many" and vals.get("model"):
            table, left, right = custom_relation_names(vals["model"], vals["relation"])
            vals.setdefault("relation_table", table)
            vals.setdefault("column1", left)
            vals.setdefault("column2", right)
        selection = vals.pop("selection", None)
        if selection and not vals.get("selection_ids") and vals.get("ttype") in ("selection", "reference"):
            vals["selection_ids"] = _options(selection)
        return vals

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        if env.db.rows("ir.model.fields")[rid].get("state") != "manual":
            raise errors.UserError("Properties of base fields cannot be altered in this manner! "
                                   "Please modify them through Python code, preferably through a custom addon!")
        vals = dict(vals)
        selection = vals.pop("selection", None)
        if selection:
            vals["selection_ids"] = [[5]] + _options(selection)
        return vals

    def validate(self, env: Env, rid: int | None, row: Row) -> None:
        taken = env.db.lookup("ir.model.fields", "field", (row.get("model"), row.get("name")))
        if taken is not None and taken != rid:
            raise errors.constraint("Field names must be unique per model.")

    def after_create(self, env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        env.db.schema_changed()

    def after_write(self, env: Env, ids: list[int], vals: dict[str, Any], before: dict[int, Row]) -> None:
        env.db.schema_changed()

    def before_unlink(self, env: Env, ids: list[int]) -> None:
        rows = [env.db.rows("ir.model.fields")[rid] for rid in ids]
        if any(row.get("state") != "manual" for row in rows):
            raise errors.UserError("This column contains module data and cannot be removed!")
        for row in rows:  # the column goes: its values go with it
            for record in list(env.db.rows(row["model"]).values()):
                if row["name"] in record:
                    env.db.update(row["model"], record["id"], {row["name"]: None})

    def after_unlink(self, env: Env, ids: list[int]) -> None:
        env.db.schema_changed()


def _options(selection: Any) -> list[list[Any]]:
    """The deprecated `selection` string ("[('a', 'A'), ...]") as selection_ids commands."""
    options = ast.literal_eval(selection) if isinstance(selection, str) else selection
    return [[0, 0, {"value": value, "name": label, "sequence": index}] for index, (value, label) in enumerate(options)]


class SelectionOptions(Behaviour):
    """ir.model.fields.selection: options of custom selection fields; fields_get shows them at once."""

    def after_create(self, env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        env.db.schema_changed()

    def after_write(self, env: Env, ids: list[int], vals: dict[str, Any], before: dict[int, Row]) -> None:
        env.db.schema_changed()

    def after_unlink(self, env: Env, ids: list[int]) -> None:
        env.db.schema_changed()


class Models(Behaviour):
    """ir.model: the double models a fixed set of models; custom models are not supported."""

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        raise errors.UserError("The Odoo test double does not support creating or changing models (ir.model)")

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        return self.prepare_create(env, vals)

    def before_unlink(self, env: Env, ids: list[int]) -> None:
        self.prepare_create(env, {})


def _field_display(env: Env, model: str, row: Row) -> Any:
    """"Stage (Lead)": the field's label and its model's."""
    owner = next((r for r in env.db.rows("ir.model").values() if r.get("model") == row.get("model")), {})
    return f"{row.get('field_description')} ({owner.get('name')})"


def _selection_string(env: Env, model: str, row: Row) -> Any:
    options = sorted((o for o in env.db.rows("ir.model.fields.selection").values() if o.get("field_id") == row["id"]),
                     key=lambda o: (o.get("sequence") or 0, o["id"]))
    return str([(o["value"], o["name"]) for o in options]) if options else False


COMPUTED: dict[str, dict[str, Compute]] = {
    "ir.model.data": {
        "complete_name": lambda env, model, row: f"{row.get('module')}.{row.get('name')}",
        "reference": lambda env, model, row: f"{row.get('model')},{row.get('res_id')}",
    },
    "ir.model.fields": {"display_name": _field_display, "selection": _selection_string},
    "ir.model": {"count": lambda env, model, row: len(env.db.rows(row["model"]))},
}
