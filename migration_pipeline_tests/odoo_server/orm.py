"""The ORM the public methods run on: an environment (user, context) and generic CRUD.

`Env` is what one RPC call sees: the database, the schema with its custom fields, the calling
user and the call's context. Its `create`/`read`/`write`/`unlink`/`search` implement what
every Odoo model shares; what a particular model adds (defaults, derived values, chatter,
constraints) lives in `behaviours/` and is called from here at fixed points:

    create: defaults -> prepare_create -> convert values -> validate -> insert -> after_create
    write:  prepare_write -> convert -> update -> validate -> after_write
    unlink: before_unlink -> references (restrict / cascade / set null) -> delete

Rules shared by all models, as on the real server: an unknown field name is a ValueError; a
missing id in `write`/`unlink` is a MissingError, while `read` silently drops it; deleting a
record also deletes its attachments, its external ids and (chatter models) its messages.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import behaviours, domain, errors
from .schema import BASE_FIELDS, INVERSES, MESSAGES, MODELS, ON_DELETE, USER_OWN, Field, ModelInfo, custom_field
from .values import convert, render

if TYPE_CHECKING:
    from .state import Database

_META = ("create_uid", "create_date", "write_uid", "write_date")


class Schema:
    """Fields per model: the recorded ones plus the custom (`manual`) ir.model.fields rows."""

    def __init__(self, db: Database):
        self.db = db
        self._generation = -1
        self._fields: dict[str, dict[str, Field]] = {}

    def fields(self, model: str) -> dict[str, Field]:
        if self._generation != self.db.generation:
            self._rebuild()
        return self._fields[model]

    def _rebuild(self) -> None:
        merged = {model: dict(fields) for model, fields in BASE_FIELDS.items()}
        options: dict[int, list[dict[str, Any]]] = {}
        for row in self.db.rows("ir.model.fields.selection").values():
            options.setdefault(row["field_id"], []).append(row)
        for row in sorted(self.db.rows("ir.model.fields").values(), key=lambda r: r["id"]):
            if row.get("state") == "manual" and row.get("model") in merged:
                choices = sorted(options.get(row["id"], []), key=lambda o: (o.get("sequence") or 0, o["id"]))
                merged[row["model"]][row["name"]] = custom_field(row, [[o["value"], o["name"]] for o in choices])
        self._fields = merged
        self._generation = self.db.generation


class Env:
    def __init__(self, odoo: Any, uid: int, context: dict[str, Any] | None = None, su: bool = False,
                 now: str | None = None):
        self.odoo = odoo
        self.db: Database = odoo.db
        self.schema: Schema = odoo.schema
        self.uid = uid
        self.context = dict(context or {})
        self.su = su
        self.now = now or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    def with_context(self, **values: Any) -> Env:
        return Env(self.odoo, self.uid, {**self.context, **values}, self.su, self.now)

    def sudo(self) -> Env:
        return Env(self.odoo, self.uid, self.context, True, self.now)

    # ---- schema and users -----------------------------------------------------------------------
    def fields(self, model: str) -> dict[str, Field]:
        return self.schema.fields(model)

    def has_model(self, model: str | None) -> bool:
        return model in MODELS

    def info(self, model: str) -> ModelInfo:
        return MODELS[model]

    @property
    def user(self) -> dict[str, Any]:
        return self.db.row("res.users", self.uid) or {}

    @property
    def partner_id(self) -> int | None:
        return self.user.get("partner_id")

    def check(self, model: str, operation: str) -> None:
        """Access rights: only the Sales models are refused, to users created without Sales rights."""
        if not self.su and MODELS[model].sales and not self.user.get("_sales", True):
            raise errors.no_rights(operation, MODELS[model].description, model)

    # ---- values ---------------------------------------------------------------------------------
    def exists(self, model: str, rid: Any) -> bool:
        return self.db.row(model, rid) is not None

    def value(self, model: str, row: dict[str, Any], name: str) -> Any:
        """The raw value of a field on a row: stored, computed by the model, or related."""
        compute = behaviours.COMPUTED.get(model, {}).get(name) or behaviours.COMPUTED["*"].get(name)
        if compute is not None:
            return compute(self, model, row)
        if name in row:
            return row[name]
        f = self.fields(model).get(name)
        if f is None:
            return None
        if model == "res.users" and name not in USER_OWN and name in BASE_FIELDS["res.partner"]:
            partner = self.db.row("res.partner", row.get("partner_id"))
            return self.value("res.partner", partner, name) if partner else None
        if f.type == "one2many":
            return self._inverse_ids(model, row["id"], f)
        return () if f.type == "many2many" else None

    def _inverse_ids(self, model: str, rid: int, f: Field) -> tuple[int, ...]:
        inverse = INVERSES.get((model, f.name))
        if inverse is None and f.custom:
            inverse = next((r.get("relation_field") for r in self.db.rows("ir.model.fields").values()
                            if r.get("model") == model and r.get("name") == f.name), None)
        if inverse is None or not self.has_model(f.relation):
            return ()
        rows = self.db.rows(f.relation).values()
        if inverse == MESSAGES:
            return tuple(r["id"] for r in rows if r.get("model") == model and r.get("res_id") == rid)
        return tuple(r["id"] for r in rows if r.get(inverse) == rid)

    def display_name(self, model: str, rid: Any) -> Any:
        if not self.has_model(model):
            return f"{model},{rid}"
        row = self.db.row(model, rid)
        if row is None:
            return False
        return self.value(model, row, "display_name")

    def ordered(self, model: str, ids: list[int]) -> list[int]:
        """Ids in the model's default order (how x2many values are read)."""
        if len(ids) < 2 or not self.has_model(model):
            return ids
        rows = [self.db.row(model, rid) for rid in ids]
        if any(row is None for row in rows):
            return ids
        return [row["id"] for row in domain.sort_rows(self, model, rows, None)]  # type: ignore[arg-type]

    # ---- CRUD -----------------------------------------------------------------------------------
    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        self.check(model, "create")
        behaviour = behaviours.of(model)
        fields = self.fields(model)
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise ValueError(f"Invalid values for {model}.create: {vals!r}")
            for name in vals:
                if name not in fields:
                    raise ValueError(f"Invalid field {name!r} in {model!r}")
        ids = []
        for given in vals_list:
            vals = {**behaviour.defaults(self, given), **given}
            vals = behaviour.prepare_create(self, vals)
            row, later, delegated = self._convert(model, vals, None)
            row.update(create_uid=self.uid, create_date=self.now, write_uid=self.uid, write_date=self.now)
            if delegated:  # res.users: the partner's fields go to the partner
                self.write("res.partner", [row["partner_id"]], delegated)
            self._check_required(model, row)
            behaviour.validate(self, None, row)
            rid = self.db.insert(model, row)
            self._one2many(model, rid, later)
            ids.append(rid)
        behaviour.after_create(self, ids, vals_list)
        return ids

    def read(self, model: str, ids: list[int], fields: list[str] | None = None, load: Any = "_classic_read"
             ) -> list[dict[str, Any]]:
        self.check(model, "read")
        known = self.fields(model)
        names = list(fields) if fields else [name for name in known if name != "id"]
        for name in names:
            if name not in known:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
        out, seen = [], set()
        for rid in ids:
            row = self.db.row(model, rid)
            if row is None or rid in seen:
                continue
            seen.add(rid)
            record: dict[str, Any] = {"id": rid}
            for name in names:
                if name != "id":
                    record[name] = render(self, known[name], self.value(model, row, name), load == "_classic_read")
            out.append(record)
        return out

    def write(self, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
        self.check(model, "write")
        if not isinstance(vals, dict):
            raise ValueError(f"Invalid values for {model}.write: {vals!r}")
        fields = self.fields(model)
        for name in vals:
            if name not in fields:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
        ids = list(dict.fromkeys(ids))
        ghosts = [rid for rid in ids if not self.exists(model, rid)]
        if ghosts:
            raise errors.missing(model, ghosts, self.uid)
        behaviour = behaviours.of(model)
        before = {rid: dict(self.db.rows(model)[rid]) for rid in ids}
        for rid in ids:
            own = behaviour.prepare_write(self, rid, dict(vals))
            row, later, delegated = self._convert(model, own, self.db.rows(model)[rid])
            row.update(write_uid=self.uid, write_date=self.now)
            self.db.update(model, rid, row)
            if delegated:
                self.write("res.partner", [self.db.rows(model)[rid]["partner_id"]], delegated)
            self._one2many(model, rid, later)
            current = self.db.rows(model)[rid]
            self._check_required(model, current)
            behaviour.validate(self, rid, current)
        behaviour.after_write(self, ids, vals, before)
        return True

    def unlink(self, model: str, ids: list[int]) -> bool:
        self.check(model, "unlink")
        ids = list(dict.fromkeys(ids))
        ghosts = [rid for rid in ids if not self.exists(model, rid)]
        if ghosts:
            raise errors.missing(model, ghosts, self.uid)
        if not ids:
            return True
        behaviour = behaviours.of(model)
        behaviour.before_unlink(self, ids)
        doomed = set(ids)
        for other in MODELS:
            for f in self.fields(other).values():
                if f.relation != model or f.type not in ("many2one", "many2many") or f.name in _META:
                    continue
                self._release(other, f, doomed, model)
        sudo = self.sudo()
        for rid in [r["id"] for r in self.db.rows("ir.attachment").values()
                    if r.get("res_model") == model and r.get("res_id") in doomed]:
            self.db.delete("ir.attachment", rid)
        if MODELS[model].thread:
            messages = [r["id"] for r in self.db.rows("mail.message").values()
                        if r.get("model") == model and r.get("res_id") in doomed]
            if messages:
                sudo.unlink("mail.message", messages)
        for rid in [r["id"] for r in self.db.rows("ir.model.data").values()
                    if r.get("model") == model and r.get("res_id") in doomed]:
            self.db.delete("ir.model.data", rid)
        for rid in ids:
            self.db.delete(model, rid)
        behaviour.after_unlink(self, ids)
        return True

    def _release(self, other: str, f: Field, doomed: set[int], model: str) -> None:
        """What happens to the rows of `other` that point at records being deleted."""
        rows = [row for row in self.db.rows(other).values() if not (other == model and row["id"] in doomed)]
        if f.type == "many2many":
            for row in rows:
                kept = tuple(rid for rid in row.get(f.name) or () if rid not in doomed)
                if len(kept) != len(row.get(f.name) or ()):
                    self.db.update(other, row["id"], {f.name: kept})
            return
        pointing = [row["id"] for row in rows if row.get(f.name) in doomed]
        if not pointing:
            return
        rule = ON_DELETE.get((other, f.name), "set null")
        if rule == "restrict":
            raise errors.foreign_key(MODELS[other].description, other, f"{other.replace('.', '_')}_{f.name}_fkey")
        if rule == "cascade":
            self.sudo().unlink(other, pointing)
        else:
            for rid in pointing:
                self.db.update(other, rid, {f.name: None})

    def search(self, model: str, domain_: Any, offset: Any = 0, limit: Any = None, order: Any = None,
               active_test: bool = True) -> list[int]:
        self.check(model, "read")
        test = domain.matcher(self, model, domain_, active_test)
        rows = [row for row in self.db.rows(model).values() if test(row)]
        rows = domain.sort_rows(self, model, rows, order or None)
        start = int(offset or 0)
        ids = [row["id"] for row in rows][start:]
        return ids[:int(limit)] if limit else ids

    def fields_get(self, model: str, allfields: list[str] | None = None, attributes: list[str] | None = None
                   ) -> dict[str, dict[str, Any]]:
        out = {}
        for name, f in self.fields(model).items():
            if allfields and name not in allfields:
                continue
            definition = dict(f.definition)
            out[name] = {key: value for key, value in definition.items() if key in attributes} if attributes \
                else definition
        return out

    # ---- helpers --------------------------------------------------------------------------------
    def _convert(self, model: str, vals: dict[str, Any], current: dict[str, Any] | None
                 ) -> tuple[dict[str, Any], list[tuple[Field, Any]], dict[str, Any]]:
        fields = self.fields(model)
        computed = set(behaviours.COMPUTED.get(model, {})) | set(behaviours.COMPUTED["*"])
        row: dict[str, Any] = {}
        later: list[tuple[Field, Any]] = []
        delegated: dict[str, Any] = {}
        for name, value in vals.items():
            f = fields[name]
            if name == "id" or name in computed or name in _META:
                continue  # computed on read, or set by the ORM: what the caller sent is dropped
            if model == "res.users" and name not in USER_OWN and name in BASE_FIELDS["res.partner"]:
                delegated[name] = value
            elif f.type == "one2many":
                later.append((f, value))
            else:
                row[name] = convert(self, model, f, value, current.get(name) if current else None)
        return row, later, delegated

    def _check_required(self, model: str, row: dict[str, Any]) -> None:
        computed = set(behaviours.COMPUTED.get(model, {}))
        for name, f in self.fields(model).items():
            if f.required and not f.readonly and f.type not in ("one2many", "many2many") and name not in computed \
                    and not (model == "res.users" and name not in USER_OWN) and row.get(name) is None:
                raise errors.not_null(MODELS[model].description, model, f.string, name)

    def _one2many(self, model: str, rid: int, later: list[tuple[Field, Any]]) -> None:
        for f, commands in later:
            inverse = INVERSES.get((model, f.name))
            if inverse is None and f.custom:
                inverse = next((r.get("relation_field") for r in self.db.rows("ir.model.fields").values()
                                if r.get("model") == model and r.get("name") == f.name), None)
            if not inverse or inverse == MESSAGES or not self.has_model(f.relation) or not commands:
                continue
            if all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
                commands = [[6, 0, list(commands)]]
            for command in commands:
                self._one2many_command(f, inverse, rid, command)

    def _one2many_command(self, f: Field, inverse: str, rid: int, command: Any) -> None:
        if not isinstance(command, (list, tuple)) or not command:
            raise ValueError(f"Wrong value for {f.name}: {command!r}")
        code, comodel = command[0], f.relation
        linked = [r["id"] for r in self.db.rows(comodel).values() if r.get(inverse) == rid]
        if code == 0:
            self.create(comodel, [{**(command[2] or {}), inverse: rid}])
        elif code == 1:
            self.write(comodel, [command[1]], dict(command[2] or {}))
        elif code in (2, 3):
            self.unlink(comodel, [command[1]])
        elif code == 4:
            self.write(comodel, [command[1]], {inverse: rid})
        elif code in (5, 6):
            keep = set(command[2] or []) if code == 6 else set()
            gone = [other for other in linked if other not in keep]
            if gone:
                self.unlink(comodel, gone)
            if keep:
                self.write(comodel, sorted(keep), {inverse: rid})
        else:
            raise ValueError(f"Wrong value for {f.name}: {command!r}")
