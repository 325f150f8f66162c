"""Models and fields: the recorded `fields_get` dumps, plus what the dumps cannot say.

`fields/<model>.json` are the real server's `fields_get` answers (attributes string, type,
required, readonly, relation, selection) for the eight models the recordings dumped; `fields_get`
answers from them verbatim. The few other models the double needs (subtypes, tracking values,
ir.model, selection options, the Sales team, the company, its currency) are declared here from
Odoo's source, with the same six attributes.

What a dump cannot tell is declared per model below: the default order, the description
(`ir.model.name`, used in messages), which relational fields cascade or restrict on delete,
which one2many reads which inverse, and which fields the double computes at read time instead
of storing. Custom fields (`ir.model.fields` rows with state `manual`) are merged in by
`Schema.fields`, so they appear in `fields_get` the moment they are created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_DUMPS = Path(__file__).resolve().parent / "fields"
RELATIONAL = {"many2one", "one2many", "many2many"}


@dataclass
class Field:
    name: str
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str | None = None
    selection: list[list[str]] | None = None
    custom: bool = False
    definition: dict[str, Any] = field(default_factory=dict)  # what fields_get answers

    @property
    def relational(self) -> bool:
        return self.type in RELATIONAL


@dataclass
class ModelInfo:
    name: str
    description: str  # ir.model.name: "Contact", "Lead", ...
    order: str  # _order, used when a search gives none
    module: str  # the module that defines it (ir.model.modules, xmlid prefix of model_<x>)
    ir_model_id: int
    thread: bool = False  # inherits mail.thread: has a chatter, message_post, creation notes
    rec_name: str | None = "name"  # the field display_name shows; None: "<model>,<id>"
    sales: bool = False  # needs Sales rights (the no-rights user gets AccessError)


MODELS: dict[str, ModelInfo] = {info.name: info for info in [
    ModelInfo("res.partner", "Contact", "complete_name ASC, id DESC", "base", 78, thread=True, rec_name="complete_name"),
    ModelInfo("res.users", "User", "name, login", "base", 90),
    ModelInfo("res.company", "Companies", "sequence, name", "base", 84),
    ModelInfo("res.currency", "Currency", "active desc, name", "base", 81),
    ModelInfo("crm.lead", "Lead", "priority desc, id desc", "crm", 421, thread=True, sales=True),
    ModelInfo("crm.stage", "CRM Stages", "sequence, name, id", "crm", 418),
    ModelInfo("crm.team", "Sales Team", "sequence ASC, create_date DESC, id DESC", "sales_team", 400),
    ModelInfo("mail.message", "Message", "id desc", "mail", 130, rec_name="subject"),
    ModelInfo("mail.message.subtype", "Message subtypes", "sequence, id", "mail", 131),
    ModelInfo("mail.tracking.value", "Mail Tracking Value", "id DESC", "mail", 132, rec_name="field_id"),
    ModelInfo("ir.attachment", "Attachment", "id desc", "base", 21),
    ModelInfo("ir.model", "Models", "model", "base", 1),
    ModelInfo("ir.model.fields", "Fields", "name", "base", 2, rec_name=None),
    ModelInfo("ir.model.fields.selection", "Fields Selection", "sequence, id", "base", 3),
    ModelInfo("ir.model.data", "Model Data", "module, model, name", "base", 12, rec_name="complete_name"),
]}


def _f(type_: str, string: str, required: bool = False, readonly: bool = False, relation: str | None = None,
       selection: list[list[str]] | None = None) -> dict[str, Any]:
    """A field definition in the dumps' shape (their attributes, alphabetically)."""
    out: dict[str, Any] = {"readonly": readonly}
    if relation:
        out["relation"] = relation
    out["required"] = required
    if selection is not None:
        out["selection"] = selection
    out.update(string=string, type=type_)
    return out


def _base(**fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"id": _f("integer", "ID", readonly=True), "display_name": _f("char", "Display Name", readonly=True),
            **fields,
            "create_uid": _f("many2one", "Created by", readonly=True, relation="res.users"),
            "create_date": _f("datetime", "Created on", readonly=True),
            "write_uid": _f("many2one", "Last Updated by", readonly=True, relation="res.users"),
            "write_date": _f("datetime", "Last Updated on", readonly=True)}


# Models the recordings read but did not dump: declared from Odoo 19's source.
_DECLARED: dict[str, dict[str, dict[str, Any]]] = {
    "mail.message.subtype": _base(
        name=_f("char", "Message Type", required=True), description=_f("text", "Description"),
        internal=_f("boolean", "Internal Only"), parent_id=_f("many2one", "Parent", relation="mail.message.subtype"),
        relation_field=_f("char", "Relation field"), res_model=_f("char", "Model"), default=_f("boolean", "Default"),
        sequence=_f("integer", "Sequence"), hidden=_f("boolean", "Hidden"),
        track_recipients=_f("boolean", "Track Recipients")),
    "mail.tracking.value": _base(
        field_id=_f("many2one", "Field", readonly=True, relation="ir.model.fields"),
        field_info=_f("json", "Removed field information"),
        **{f"{age}_value_{kind}": _f(type_, f"{age.title()} Value {label}", readonly=True)
           for age in ("old", "new") for kind, type_, label in (
               ("integer", "integer", "Integer"), ("float", "float", "Float"), ("char", "char", "Char"),
               ("text", "text", "Text"), ("datetime", "datetime", "DateTime" if age == "old" else "Datetime"))},
        currency_id=_f("many2one", "Currency", readonly=True, relation="res.currency"),
        mail_message_id=_f("many2one", "Message ID", required=True, relation="mail.message")),
    "ir.model": _base(
        name=_f("char", "Model Description", required=True), model=_f("char", "Model", required=True),
        order=_f("char", "Order", required=True), info=_f("text", "Information"),
        field_id=_f("one2many", "Fields", required=True, relation="ir.model.fields"),
        state=_f("selection", "Type", readonly=True, selection=[["manual", "Custom Object"], ["base", "Base Object"]]),
        transient=_f("boolean", "Transient Model"), abstract=_f("boolean", "Abstract Model", readonly=True),
        modules=_f("char", "In Apps", readonly=True), count=_f("integer", "Count (Incl. Archived)", readonly=True)),
    "ir.model.fields.selection": _base(
        field_id=_f("many2one", "Field", required=True, relation="ir.model.fields"),
        value=_f("char", "Value", required=True), name=_f("char", "Name", required=True),
        sequence=_f("integer", "Sequence")),
    "crm.team": _base(
        name=_f("char", "Sales Team", required=True), sequence=_f("integer", "Sequence"),
        active=_f("boolean", "Active"), company_id=_f("many2one", "Company", relation="res.company"),
        currency_id=_f("many2one", "Currency", readonly=True, relation="res.currency"),
        user_id=_f("many2one", "Team Leader", relation="res.users"),
        member_ids=_f("many2many", "Salespersons", relation="res.users"),
        use_leads=_f("boolean", "Leads"), use_opportunities=_f("boolean", "Pipeline"), color=_f("integer", "Color Index")),
    "res.company": _base(
        name=_f("char", "Company Name", required=True), partner_id=_f("many2one", "Partner", required=True,
                                                                     relation="res.partner"),
        currency_id=_f("many2one", "Currency", required=True, relation="res.currency"),
        sequence=_f("integer", "Sequence"), email=_f("char", "Email"), phone=_f("char", "Phone"),
        website=_f("char", "Company Website"), street=_f("char", "Street"), city=_f("char", "City"),
        zip=_f("char", "Zip"), country_id=_f("many2one", "Country", relation="res.country"),
        active=_f("boolean", "Active")),
    "res.currency": _base(
        name=_f("char", "Currency", required=True), symbol=_f("char", "Symbol", required=True),
        full_name=_f("char", "Name"), active=_f("boolean", "Active"), rounding=_f("float", "Rounding Factor"),
        decimal_places=_f("integer", "Decimal Places", readonly=True),
        position=_f("selection", "Symbol Position", selection=[["after", "After Amount"], ["before", "Before Amount"]])),
}

# one2many fields and the many2one of the comodel they list. MESSAGES: mail.message by model/res_id.
MESSAGES = "<model,res_id>"
INVERSES: dict[tuple[str, str], str] = {
    ("res.partner", "child_ids"): "parent_id",
    ("res.partner", "user_ids"): "partner_id",
    ("res.partner", "opportunity_ids"): "partner_id",
    ("res.partner", "message_ids"): MESSAGES,
    ("res.partner", "website_message_ids"): MESSAGES,
    ("crm.lead", "message_ids"): MESSAGES,
    ("crm.lead", "website_message_ids"): MESSAGES,
    ("mail.message", "child_ids"): "parent_id",
    ("mail.message", "tracking_value_ids"): "mail_message_id",
    ("ir.model", "field_id"): "model_id",
    ("ir.model.fields", "selection_ids"): "field_id",
}

# Many2one fields whose target cannot be deleted while referenced, or that disappear with it.
# Every other many2one is `set null`.
ON_DELETE: dict[tuple[str, str], str] = {
    ("crm.lead", "stage_id"): "restrict",
    ("res.users", "partner_id"): "restrict",
    ("res.company", "partner_id"): "restrict",
    ("mail.tracking.value", "mail_message_id"): "cascade",
    ("ir.model.fields.selection", "field_id"): "cascade",
    ("ir.model.fields", "model_id"): "cascade",
}

# res.users `_inherits` res.partner: these are the user's own columns, every other partner
# field read or written on a user is its partner's.
USER_OWN = {
    "id", "display_name", "partner_id", "login", "password", "new_password", "api_key_ids", "signature", "active",
    "active_partner", "action_id", "log_ids", "device_ids", "login_date", "share", "companies_count", "tz_offset",
    "res_users_settings_ids", "res_users_settings_id", "company_id", "company_ids", "email_domain_placeholder",
    "group_ids", "all_group_ids", "accesses_count", "rules_count", "groups_count", "view_group_hierarchy", "role",
    "create_uid", "create_date", "write_uid", "write_date", "totp_enabled", "totp_trusted_device_ids",
    "resource_ids", "resource_calendar_id", "tour_enabled", "auth_passkey_key_ids", "role_ids", "can_edit_role",
    "notification_type", "presence_ids", "out_of_office_from", "out_of_office_to", "out_of_office_message",
    "is_out_of_office", "im_status", "manual_im_status", "outgoing_mail_server_id", "outgoing_mail_server_type",
    "has_external_mail_server", "state", "calendar_default_privacy", "odoobot_state", "odoobot_failed",
    "crm_team_ids", "crm_team_member_ids", "sale_team_id",
}

# HTML fields Odoo sanitizes on write (`<script>` and friends removed).
SANITIZED = {("crm.lead", "description"), ("mail.message", "body"), ("res.partner", "comment"),
             ("res.users", "signature")}

# crm.lead fields with `tracking=`: a change posts a message with mail.tracking.value rows.
TRACKED = {"crm.lead": ["partner_id", "type", "partner_name", "contact_name", "email_from", "phone", "user_id",
                        "team_id", "stage_id", "expected_revenue", "recurring_revenue", "active",
                        "lost_reason_id"]}


def _field(name: str, definition: dict[str, Any], custom: bool = False) -> Field:
    return Field(name=name, type=definition["type"], string=definition["string"],
                 required=definition.get("required", False), readonly=definition.get("readonly", False),
                 relation=definition.get("relation"), selection=definition.get("selection"), custom=custom,
                 definition=definition)


def _load_base() -> dict[str, dict[str, Field]]:
    base: dict[str, dict[str, Field]] = {}
    for model in MODELS:
        path = _DUMPS / f"{model}.json"
        definitions = json.loads(path.read_text()) if path.exists() else _DECLARED[model]
        base[model] = {name: _field(name, definition) for name, definition in definitions.items()}
    return base


BASE_FIELDS = _load_base()


def custom_field(row: dict[str, Any], options: list[list[str]]) -> Field:
    """The Field of a manual ir.model.fields row (options: its selection rows, in order)."""
    definition = _f(row["ttype"], row["field_description"] or row["name"], required=bool(row.get("required")),
                    readonly=bool(row.get("readonly")), relation=row.get("relation") or None,
                    selection=options if row["ttype"] == "selection" else None)
    return _field(row["name"], definition, custom=True)


def custom_relation_names(model: str, comodel: str) -> tuple[str, str, str]:
    """Table and columns Odoo gives a custom many2many when none are given."""
    left, right = model.replace(".", "_"), comodel.replace(".", "_")
    table = "x_" + "_".join(sorted([left, right]) + ["rel"])
    return (table, "id1", "id2") if left == right else (table, f"{left}_id", f"{right}_id")
