"""crm.lead (and crm.stage's computed team count).

- Defaults: type opportunity, salesperson = the caller, Sales team (the first team using
  opportunities), the team's company, the first unfolded stage, `date_open` when there is a
  salesperson, `date_last_stage_update` now, probability 0 (no won/lost history to score from).
- From the customer (`partner_id`): partner_name (its company), contact_name (if a person),
  email_from, phone, function, website, address — unless given. An email/phone given on the lead
  that differs from the customer's is written back to the customer (Odoo's inverse fields).
- A stage change stamps `date_last_stage_update`; a won stage forces probability 100 and
  `date_closed`.
- Creation posts "Opportunity Created"; changes of tracked fields post tracking messages
  (`mail.py`), both unless the context disables tracking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import mail
from .base import Behaviour, Compute, Row, is_id, normalized_email
from .partner import ADDRESS, commercial_partner

if TYPE_CHECKING:
    from ..orm import Env


class Lead(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "opportunity", "priority": "0", "active": True, "color": 0}
        user = given["user_id"] if "user_id" in given else env.uid
        out["user_id"] = user
        team = given.get("team_id") if "team_id" in given else (default_team(env) if user else False)
        out["team_id"] = team
        if "company_id" not in given:
            team_row = env.db.row("crm.team", team)
            out["company_id"] = (team_row or {}).get("company_id") or (1 if user else False)
        if "stage_id" not in given:
            out["stage_id"] = first_stage(env, team)
        return {key: value for key, value in out.items() if key not in given}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        partner = env.db.row("res.partner", vals.get("partner_id")) if is_id(vals.get("partner_id")) else None
        if partner is not None:
            for key, value in _from_partner(env, partner).items():
                if not vals.get(key) and value:
                    vals[key] = value
            if not vals.get("name") and partner.get("name"):
                vals["name"] = f"{partner['name']}'s opportunity"
        stage = env.db.row("crm.stage", vals.get("stage_id")) if is_id(vals.get("stage_id")) else None
        if stage is not None and stage.get("is_won"):
            vals["probability"] = 100.0
        vals.setdefault("probability", 0.0)
        vals.setdefault("automated_probability", vals["probability"])
        vals["date_open"] = env.now if vals.get("user_id") else False
        vals["date_last_stage_update"] = env.now
        if float(vals.get("probability") or 0) >= 100:
            vals["date_closed"] = env.now
        return vals

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        current = env.db.rows("crm.lead")[rid]
        if "partner_id" in vals and vals["partner_id"] != current.get("partner_id"):
            partner = env.db.row("res.partner", vals["partner_id"]) if is_id(vals["partner_id"]) else None
            for key, value in _from_partner(env, partner).items() if partner else ():
                if key not in vals and value:
                    vals[key] = value
        if "stage_id" in vals and vals["stage_id"] != current.get("stage_id"):
            vals["date_last_stage_update"] = env.now
            stage = env.db.row("crm.stage", vals["stage_id"]) if is_id(vals["stage_id"]) else None
            if stage is not None and stage.get("is_won"):
                vals.update(probability=100.0, automated_probability=100.0, date_closed=env.now)
            elif "probability" not in vals:
                vals["date_closed"] = False
        if "user_id" in vals and vals["user_id"] != current.get("user_id"):
            vals.setdefault("date_open", env.now if vals["user_id"] else False)
            if vals["user_id"] and not current.get("team_id") and "team_id" not in vals:
                vals["team_id"] = default_team(env)
        return vals

    def after_create(self, env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        for rid, given in zip(ids, vals_list):
            _write_back_to_partner(env, rid, given)
        mail.log_creation(env, "crm.lead", ids)

    def after_write(self, env: Env, ids: list[int], vals: dict[str, Any], before: dict[int, Row]) -> None:
        for rid in ids:
            _write_back_to_partner(env, rid, vals)
        mail.track(env, "crm.lead", ids, before)


def _from_partner(env: Env, partner: Row) -> dict[str, Any]:
    """The lead values Odoo computes from its customer."""
    parent = env.db.row("res.partner", partner.get("parent_id"))
    company = (parent or {}).get("name") or (partner.get("name") if partner.get("is_company") else None) \
        or partner.get("company_name")
    out = {"partner_name": company, "contact_name": None if partner.get("is_company") else partner.get("name"),
           "email_from": partner.get("email"), "phone": partner.get("phone"), "function": partner.get("function"),
           "website": partner.get("website")}
    if any(partner.get(key) for key in ADDRESS):
        out.update({key: partner.get(key) for key in ADDRESS})
    return out


def _write_back_to_partner(env: Env, rid: int, given: dict[str, Any]) -> None:
    """An email/phone given on a lead that differs from its customer's updates the customer."""
    lead = env.db.rows("crm.lead")[rid]
    partner = env.db.row("res.partner", lead.get("partner_id"))
    if partner is None:
        return
    changes = {}
    for lead_field, partner_field in (("email_from", "email"), ("phone", "phone")):
        if lead_field in given and lead.get(lead_field) and lead.get(lead_field) != partner.get(partner_field):
            changes[partner_field] = lead[lead_field]
    if changes:
        env.sudo().write("res.partner", [partner["id"]], changes)


def default_team(env: Env) -> int | None:
    teams = sorted((t for t in env.db.rows("crm.team").values() if t.get("active") and t.get("use_opportunities")),
                   key=lambda t: (t.get("sequence") or 0, t["id"]))
    return teams[0]["id"] if teams else None


def first_stage(env: Env, team: Any) -> int | None:
    stages = [s for s in env.db.rows("crm.stage").values()
              if not s.get("fold") and (not s.get("team_ids") or team in s.get("team_ids"))]
    stages.sort(key=lambda s: (s.get("sequence") or 0, (s.get("name") or "").casefold(), s["id"]))
    return stages[0]["id"] if stages else None


def _won_status(env: Env, model: str, row: Row) -> str:
    stage = env.db.row("crm.stage", row.get("stage_id")) or {}
    if stage.get("is_won") or (row.get("probability") or 0) >= 100:
        return "won"
    return "lost" if not row.get("active") and not row.get("probability") else "pending"


def _customer_company(env: Env, model: str, row: Row) -> Any:
    partner = env.db.row("res.partner", row.get("partner_id"))
    return commercial_partner(env, partner) if partner else None


COMPUTED: dict[str, dict[str, Compute]] = {
    "crm.lead": {
        "commercial_partner_id": _customer_company,
        "company_currency": lambda env, model, row: (env.db.row("res.company", row.get("company_id")) or {}).get(
            "currency_id"),
        "prorated_revenue": lambda env, model, row: round((row.get("expected_revenue") or 0.0)
                                                          * (row.get("probability") or 0.0) / 100.0, 2),
        "won_status": _won_status,
        "email_normalized": normalized_email("email_from"),
        "is_automated_probability": lambda env, model, row: row.get("probability") == row.get("automated_probability"),
        "is_partner_visible": lambda env, model, row: True,
    },
    "crm.stage": {"team_count": lambda env, model, row: len(env.db.rows("crm.team"))},
}
