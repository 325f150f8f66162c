"""The chatter: what create, write and `message_post` leave in mail.message.

As recorded on Odoo 19 (and as `mail.thread` does it):
- Creating a res.partner logs a note "<p>Contact created</p>" (type notification, subtype Note).
- Creating a crm.lead posts "Opportunity Created" (subtype 5) with the Sales team in its body.
- Writing a tracked crm.lead field posts a notification with an empty body and one
  mail.tracking.value per changed field; a stage change uses the subtype "Stage Changed"
  (or "Opportunity Won" when the stage is won).
- Context `tracking_disable` turns all of that off (and `mail_create_nolog` the creation
  message, `mail_notrack` the tracking), which is what bulk imports use.
- `message_post` with a `str` body escapes it (`<p>&lt;p&gt;…</p>`); only `body_is_html=True`
  keeps it as HTML (sanitized). It returns the new message as a list of one id.
"""

from __future__ import annotations

import base64
from html import escape
from typing import TYPE_CHECKING, Any

from . import errors
from .htmltools import plaintext2html, sanitize
from .schema import MODELS, TRACKED

if TYPE_CHECKING:
    from .orm import Env

MESSAGE_TYPES = {"email", "comment", "email_outgoing", "notification", "auto_comment", "out_of_office",
                 "user_notification", "sms", "snailmail"}


def xmlid_to_res_id(env: Env, xmlid: str) -> int:
    module, _, name = xmlid.partition(".")
    rid = env.db.lookup("ir.model.data", "xmlid", (module, name))
    if rid is None:
        raise ValueError(f"External ID not found in the system: {xmlid}")
    return env.db.rows("ir.model.data")[rid]["res_id"]


def _quiet(env: Env, *flags: str) -> bool:
    return any(env.context.get(flag) for flag in ("tracking_disable",) + flags)


def create_message(env: Env, model: str, rid: int, body: str, message_type: str, subtype_id: int | None,
                   author_id: int | None = None, subject: Any = False, tracking: list[dict[str, Any]] = (),
                   **extra: Any) -> int:
    vals = {"model": model, "res_id": rid, "body": body, "message_type": message_type, "subtype_id": subtype_id,
            "author_id": author_id or env.partner_id, "subject": subject or False, "date": env.now,
            "tracking_value_ids": [[0, 0, values] for values in tracking], **extra}
    return env.sudo().create("mail.message", [vals])[0]


def log_creation(env: Env, model: str, ids: list[int]) -> None:
    if _quiet(env, "mail_create_nolog", "mail_notrack"):
        return
    for rid in ids:
        if model == "crm.lead":
            lead = env.db.rows(model)[rid]
            team = env.db.row("crm.team", lead.get("team_id"))
            text = f'A new lead has been created for the team "{escape(team["name"], quote=False)}".' if team \
                else "A new lead has been created."
            create_message(env, model, rid, f'<div summary="o_mail_notification"><p>{text}</p></div>',
                           "notification", xmlid_to_res_id(env, "crm.mt_lead_create"))
        else:
            create_message(env, model, rid, f"<p>{escape(MODELS[model].description)} created</p>", "notification",
                           xmlid_to_res_id(env, "mail.mt_note"))


def track(env: Env, model: str, ids: list[int], before: dict[int, dict[str, Any]]) -> None:
    """After a write: one message per record whose tracked fields changed."""
    tracked = TRACKED.get(model)
    if not tracked or _quiet(env, "mail_notrack"):
        return
    fields = env.fields(model)
    for rid in ids:
        old, new = before[rid], env.db.rows(model)[rid]
        changed = [name for name in tracked if (old.get(name) or False) != (new.get(name) or False)]
        if not changed:
            continue
        values = [_tracking_value(env, model, fields[name], old.get(name), new.get(name)) for name in changed]
        create_message(env, model, rid, "", "notification", _subtype(env, model, changed, new), tracking=values)


def _subtype(env: Env, model: str, changed: list[str], row: dict[str, Any]) -> int:
    """crm.lead's `_track_subtype`: won, lost, stage, restored; anything else is a note."""
    if model == "crm.lead":
        if "stage_id" in changed and (row.get("probability") or 0) >= 100 and row.get("stage_id"):
            return xmlid_to_res_id(env, "crm.mt_lead_won")
        if "lost_reason_id" in changed and row.get("lost_reason_id"):
            return xmlid_to_res_id(env, "crm.mt_lead_lost")
        if "stage_id" in changed:
            return xmlid_to_res_id(env, "crm.mt_lead_stage")
        if "active" in changed:
            return xmlid_to_res_id(env, "crm.mt_lead_restored" if row.get("active") else "crm.mt_lead_lost")
    return xmlid_to_res_id(env, "mail.mt_note")


def _tracking_value(env: Env, model: str, f: Any, old: Any, new: Any) -> dict[str, Any]:
    field_id = env.db.lookup("ir.model.fields", "field", (model, f.name))
    values: dict[str, Any] = {"field_id": field_id}
    kind = f.type
    if kind in ("integer", "float", "char", "text", "datetime"):
        values.update({f"old_value_{kind}": old, f"new_value_{kind}": new})
    elif kind == "monetary":
        values.update(old_value_float=old, new_value_float=new, currency_id=1)
    elif kind == "date":
        values.update(old_value_datetime=f"{old} 00:00:00" if old else False,
                      new_value_datetime=f"{new} 00:00:00" if new else False)
    elif kind == "boolean":
        values.update(old_value_integer=int(bool(old)), new_value_integer=int(bool(new)))
    elif kind == "selection":
        labels = dict(f.selection or [])
        values.update(old_value_char=labels.get(old, old) if old else "", new_value_char=labels.get(new, new) or "")
    elif kind == "many2one":
        values.update(old_value_integer=old or 0, new_value_integer=new or 0,
                      old_value_char=env.display_name(f.relation, old) if old else "",
                      new_value_char=env.display_name(f.relation, new) if new else "")
    return values


def message_post(env: Env, model: str, ids: list[int], *, body: Any = "", subject: Any = None,
                 message_type: str = "notification", email_from: Any = None, author_id: Any = None,
                 parent_id: Any = False, subtype_xmlid: Any = None, subtype_id: Any = False,
                 partner_ids: Any = None, outgoing_email_to: Any = False, attachments: Any = None,
                 attachment_ids: Any = None, body_is_html: bool = False, **kwargs: Any) -> list[int]:
    if len(ids) != 1:
        raise ValueError(f"Expected singleton: {model}{tuple(ids)!r}")
    rid = ids[0]
    env.check(model, "read")
    if not env.exists(model, rid):
        raise errors.missing(model, [rid], env.uid)
    if message_type not in MESSAGE_TYPES or message_type == "user_notification":
        raise ValueError(f"Posting a message with type {message_type!r} is not supported")
    if body and not isinstance(body, str):
        body = str(body)
    html = (sanitize(body) if body_is_html else plaintext2html(body)) if body else ""
    if not subtype_id:
        subtype_id = xmlid_to_res_id(env, subtype_xmlid or "mail.mt_note")
    extra: dict[str, Any] = dict(kwargs)
    if email_from:
        extra["email_from"] = email_from
    if parent_id:
        extra["parent_id"] = parent_id
    if partner_ids:
        extra["partner_ids"] = [[6, 0, list(partner_ids)]]
    if outgoing_email_to:
        extra["outgoing_email_to"] = outgoing_email_to
    linked = list(attachment_ids or [])
    for name, content in attachments or []:
        raw = content.encode() if isinstance(content, str) else bytes(content)
        linked += env.create("ir.attachment", [{"name": name, "datas": base64.b64encode(raw).decode(),
                                                "res_model": model, "res_id": rid}])
    for attachment in linked:  # pending uploads are moved onto the record
        row = env.db.row("ir.attachment", attachment)
        if row is not None and (not row.get("res_id") or row.get("res_model") == "mail.compose.message"):
            env.write("ir.attachment", [attachment], {"res_model": model, "res_id": rid})
    if linked:
        extra["attachment_ids"] = [[6, 0, linked]]
    return [create_message(env, model, rid, html, message_type, subtype_id, author_id=author_id,
                           subject=subject, **extra)]
