"""A fresh CRM database as the recordings found it (Odoo 19 Community, CRM installed, no demo data).

Fixed ids, as on the recorded server: res.partner 1 "My Company" (`base.main_partner`), 2 OdooBot
(archived), 3 Administrator; res.users 1 `__system__` (archived), 2 admin; crm.stage 1-4 New,
Qualified, Proposition, Won (`is_won`); crm.team 1 Sales; res.company 1; mail.message.subtype 2
Note (`mail.mt_note`), 5 Opportunity Created, 6 Stage Changed; ir.model 421 crm.lead. Every
modelled model has its ir.model row and an ir.model.fields row per field, so tracking values
and custom fields can point at them. Extra users from the config follow.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .schema import BASE_FIELDS, MODELS

if TYPE_CHECKING:
    from .config import OdooConfig
    from .state import Database

EPOCH = "2026-11-22 19:00:00"  # when the seeded records claim to have been created


def populate(db: Database, config: OdooConfig) -> None:
    db.add_index("ir.model.data", "xmlid", lambda row: (row.get("module"), row.get("name")))
    db.add_index("ir.model.fields", "field", lambda row: (row.get("model"), row.get("name")))
    db.add_index("res.users", "login", lambda row: row.get("login"))
    meta = {"create_uid": 1, "create_date": EPOCH, "write_uid": 1, "write_date": EPOCH}
    xmlids: list[tuple[str, str, int, bool]] = []

    def insert(model: str, rid: int, values: dict[str, Any], xmlid: str | None = None, noupdate: bool = False) -> int:
        db.insert(model, {**meta, **values}, rid=rid)
        if xmlid:
            xmlids.append((xmlid, model, rid, noupdate))
        return rid

    for info in sorted(MODELS.values(), key=lambda i: i.ir_model_id):
        insert("ir.model", info.ir_model_id, {"name": info.description, "model": info.name, "order": info.order,
                                              "state": "base", "transient": False, "abstract": False,
                                              "modules": info.module},
               f"{info.module}.model_{info.name.replace('.', '_')}")
    field_id = 0
    for model, fields in BASE_FIELDS.items():
        for f in fields.values():
            field_id += 1
            insert("ir.model.fields", field_id, {
                "name": f.name, "model": model, "model_id": MODELS[model].ir_model_id, "field_description": f.string,
                "ttype": f.type, "relation": f.relation, "required": f.required, "readonly": f.readonly,
                "state": "base", "store": True, "index": False, "copied": True, "selectable": True,
                "modules": MODELS[model].module})

    insert("res.currency", 1, {"name": "USD", "symbol": "$", "full_name": "United States dollar", "active": True,
                               "rounding": 0.01, "decimal_places": 2, "position": "before"}, "base.USD")
    insert("res.partner", 1, {"name": "My Company", "is_company": True, "active": True, "type": "contact",
                              "company_id": 1, "lang": "en_US", "color": 0}, "base.main_partner")
    insert("res.partner", 2, {"name": "OdooBot", "is_company": False, "active": False, "type": "contact",
                              "email": "odoobot@example.com", "lang": "en_US", "color": 0}, "base.partner_root")
    insert("res.partner", 3, {"name": "Administrator", "is_company": False, "active": True, "type": "contact",
                              "company_id": 1, "lang": "en_US", "color": 0}, "base.partner_admin")
    insert("res.company", 1, {"name": "My Company", "partner_id": 1, "currency_id": 1, "sequence": 0, "active": True},
           "base.main_company")
    insert("res.users", 1, {"login": "__system__", "partner_id": 2, "active": False, "share": False,
                            "company_id": 1, "company_ids": (1,), "notification_type": "email"}, "base.user_root")
    insert("res.users", 2, {"login": config.login, "partner_id": 3, "active": True, "share": False, "company_id": 1,
                            "company_ids": (1,), "notification_type": "email", "_password": config.password,
                            "_api_key": config.api_key, "_sales": True}, "base.user_admin")
    insert("crm.team", 1, {"name": "Sales", "sequence": 10, "active": True, "company_id": 1, "user_id": 2,
                           "member_ids": (2,), "use_leads": True, "use_opportunities": True, "color": 0},
           "sales_team.team_sales_department", noupdate=True)
    for rid, (name, sequence, won) in enumerate([("New", 1, False), ("Qualified", 2, False),
                                                 ("Proposition", 3, False), ("Won", 70, True)], start=1):
        insert("crm.stage", rid, {"name": name, "sequence": sequence, "is_won": won, "fold": False, "team_ids": (),
                                  "color": 0}, f"crm.stage_lead{rid}", noupdate=True)
    subtypes = [(1, "mail.mt_comment", "Discussions", False, None, 0), (2, "mail.mt_note", "Note", True, None, 100),
                (3, "mail.mt_activities", "Activities", True, None, 90),
                (5, "crm.mt_lead_create", "Opportunity Created", False, "crm.lead", 1),
                (6, "crm.mt_lead_stage", "Stage Changed", False, "crm.lead", 2),
                (7, "crm.mt_lead_won", "Opportunity Won", False, "crm.lead", 3),
                (8, "crm.mt_lead_lost", "Opportunity Lost", False, "crm.lead", 4),
                (9, "crm.mt_lead_restored", "Opportunity Restored", False, "crm.lead", 5)]
    for rid, xmlid, name, internal, res_model, sequence in subtypes:
        insert("mail.message.subtype", rid, {"name": name, "internal": internal, "res_model": res_model,
                                             "default": not internal, "sequence": sequence, "hidden": False},
               xmlid, noupdate=True)

    next_user, next_partner = 6, 7  # after the public and template users a real database has
    for user in config.extra_users():
        insert("res.partner", next_partner, {"name": user.name or name_from_email(user.email), "email": user.email,
                                             "is_company": False, "active": True, "type": "contact",
                                             "company_id": 1, "lang": "en_US", "color": 0})
        insert("res.users", next_user, {"login": user.login or user.email, "partner_id": next_partner, "active": True,
                                        "share": False, "company_id": 1, "company_ids": (1,),
                                        "notification_type": "email", "_password": user.password,
                                        "_sales": user.sales_rights})
        next_user, next_partner = next_user + 1, next_partner + 1
    db.sequences["res.users"] = max(db.sequences["res.users"], 5)
    db.sequences["res.partner"] = max(db.sequences["res.partner"], 6)

    for data_id, (xmlid, model, rid, noupdate) in enumerate(xmlids, start=1):
        module, _, name = xmlid.partition(".")
        db.insert("ir.model.data", {**meta, "module": module, "name": name, "model": model, "res_id": rid,
                                    "noupdate": noupdate}, rid=data_id)


def name_from_email(email: str) -> str:
    """"sarah.murphy@harbourlaw.example" -> "Sarah Murphy"."""
    local = email.split("@")[0]
    return " ".join(part.capitalize() for part in re.split(r"[._\-+]+", local) if part) or email
