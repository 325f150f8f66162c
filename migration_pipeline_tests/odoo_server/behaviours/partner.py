"""res.partner and res.users.

- A contact needs a name ("Contacts require a name", even for a company with `name=False`).
- A child contact's display name is "Company, Person"; its commercial partner is the company.
- A contact (type 'contact') of a company takes the company's address when created or moved under
  it, and follows the company's later address changes, as Odoo's `_fields_sync` does.
- Creating a partner logs "Contact created" in its chatter (see `mail.log_creation`).
- res.users `_inherits` res.partner: the partner's fields (name, email, phone, ...) read and
  written on a user are its partner's; creating a user creates the partner; logins are unique.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors, mail
from ..schema import BASE_FIELDS, USER_OWN
from .base import Behaviour, Compute, Row, email_formatted, normalized_email

if TYPE_CHECKING:
    from ..orm import Env

ADDRESS = ("street", "street2", "zip", "city", "state_id", "country_id")
COMMERCIAL = ("vat", "company_registry", "industry_id")


class Partner(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in {
            "active": True, "type": "contact", "is_company": False, "color": 0, "employee": False,
            "lang": env.context.get("lang") or "en_US", "tz": env.context.get("tz") or False,
        }.items() if key not in given}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        vals = _company_type(vals)
        return {**vals, **_from_parent(env, vals)}

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        vals = _company_type(vals)
        if "parent_id" in vals or vals.get("type") == "contact":
            current = env.db.rows("res.partner")[rid]
            vals = {**vals, **_from_parent(env, {"parent_id": current.get("parent_id"),
                                                 "type": current.get("type"), **vals})}
        return vals

    def validate(self, env: Env, rid: int | None, row: Row) -> None:
        # SQL check: type = 'contact' requires a name (NULL type passes, as in PostgreSQL)
        if row.get("type", "contact") == "contact" and row.get("name") is None:
            raise errors.constraint("Contacts require a name")

    def after_create(self, env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        mail.log_creation(env, "res.partner", ids)

    def after_write(self, env: Env, ids: list[int], vals: dict[str, Any], before: dict[int, Row]) -> None:
        if not any(key in vals for key in ADDRESS):
            return
        for rid in ids:  # a company's address flows down to its contacts
            row = env.db.rows("res.partner")[rid]
            children = [child["id"] for child in env.db.rows("res.partner").values()
                        if child.get("parent_id") == rid and child.get("type") == "contact"]
            if children:
                env.sudo().write("res.partner", children, {key: row.get(key) or False for key in ADDRESS})


def _company_type(vals: dict[str, Any]) -> dict[str, Any]:
    """`company_type` is the UI's face of `is_company`."""
    if "company_type" in vals:
        vals = dict(vals)
        vals["is_company"] = vals.pop("company_type") == "company"
    return vals


def _from_parent(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """What a contact takes from its company: the address (if the company has one), commercial fields."""
    parent = env.db.row("res.partner", vals.get("parent_id"))
    if parent is None or (vals.get("type") or "contact") != "contact":
        return {}
    taken: dict[str, Any] = {}
    if any(parent.get(key) for key in ADDRESS):
        taken.update({key: parent.get(key) or False for key in ADDRESS})
    commercial = env.db.row("res.partner", commercial_partner(env, parent)) or parent
    taken.update({key: commercial[key] for key in COMMERCIAL if commercial.get(key)})
    return taken


def commercial_partner(env: Env, row: Row) -> int:
    """The company a contact belongs to (itself if it is a company or has no parent)."""
    seen = set()
    while row.get("parent_id") and not row.get("is_company") and row["id"] not in seen:
        seen.add(row["id"])
        parent = env.db.row("res.partner", row["parent_id"])
        if parent is None:
            break
        row = parent
    return row["id"]


def _complete_name(env: Env, model: str, row: Row) -> str:
    name = row.get("name") or ""
    if row.get("company_name") or row.get("parent_id"):
        if not name and row.get("type") and row.get("type") != "contact":
            name = dict(env.fields("res.partner")["type"].selection or []).get(row["type"], "")
        if not row.get("is_company"):
            company = _commercial_company_name(env, model, row)
            if not company:
                parent = env.db.row("res.partner", row.get("parent_id"))
                company = parent.get("name") if parent else ""
            name = f"{company}, {name}"
    return name.strip()


def _commercial_company_name(env: Env, model: str, row: Row) -> Any:
    commercial = env.db.row("res.partner", commercial_partner(env, row)) or row
    return commercial.get("name") if commercial.get("is_company") else row.get("company_name")


def _users_of(env: Env, row: Row) -> list[Row]:
    return [user for user in env.db.rows("res.users").values() if user.get("partner_id") == row["id"]]


class Users(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in {
            "active": True, "share": False, "company_id": 1, "company_ids": [1], "notification_type": "email",
        }.items() if key not in given}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        password = vals.pop("password", None)
        if not vals.get("partner_id"):
            delegated = [key for key in vals if key not in USER_OWN and key in BASE_FIELDS["res.partner"]]
            partner = {key: vals.pop(key) for key in delegated}
            partner.setdefault("name", vals.get("login"))
            partner.setdefault("email", vals.get("login") if "@" in str(vals.get("login") or "") else False)
            vals["partner_id"] = env.sudo().with_context(mail_create_nolog=True).create("res.partner", [partner])[0]
        if password:
            vals["_password"] = password  # kept out of every field: `password` reads as ""
        return vals

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        password = vals.pop("password", None)
        if password:
            env.db.update("res.users", rid, {"_password": password})
        return vals

    def validate(self, env: Env, rid: int | None, row: Row) -> None:
        taken = env.db.lookup("res.users", "login", row.get("login"))
        if taken is not None and taken != rid:
            raise errors.constraint("You can not have two users with the same login!")

    def before_unlink(self, env: Env, ids: list[int]) -> None:
        if 1 in ids or 2 in ids:
            raise errors.UserError("You can not remove the admin user as it is used internally for resources "
                                   "created by Odoo (updates, module installation, ...)")


COMPUTED: dict[str, dict[str, Compute]] = {
    "res.partner": {
        "complete_name": _complete_name,
        "commercial_partner_id": lambda env, model, row: commercial_partner(env, row),
        "commercial_company_name": _commercial_company_name,
        "parent_name": lambda env, model, row: env.display_name("res.partner", row["parent_id"])
        if row.get("parent_id") else False,
        "company_type": lambda env, model, row: "company" if row.get("is_company") else "person",
        "email_normalized": normalized_email("email"),
        "email_formatted": email_formatted,
        "partner_share": lambda env, model, row: not any(not u.get("share") for u in _users_of(env, row)),
        "main_user_id": lambda env, model, row: next((u["id"] for u in _users_of(env, row)), None),
        "self": lambda env, model, row: row["id"],
        "opportunity_count": lambda env, model, row: sum(1 for lead in env.db.rows("crm.lead").values()
                                                         if lead.get("partner_id") == row["id"]),
        "active_lang_count": lambda env, model, row: 1,
        "tz_offset": lambda env, model, row: "+0000",
    },
    "res.users": {
        "display_name": lambda env, model, row: env.value("res.users", row, "name") or False,
        "companies_count": lambda env, model, row: len(row.get("company_ids") or ()),
        "password": lambda env, model, row: "",
        "new_password": lambda env, model, row: "",
        "email_normalized": normalized_email("email"),
        "email_formatted": email_formatted,
        "tz_offset": lambda env, model, row: "+0000",
    },
}
