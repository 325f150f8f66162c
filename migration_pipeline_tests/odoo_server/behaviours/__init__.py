"""What individual models add to the generic ORM (`orm.py` says when each hook runs).

One module per family: `partner` (res.partner, res.users), `lead` (crm.lead), `attachment`
(ir.attachment), `metadata` (ir.model, ir.model.data, ir.model.fields), `message` (mail.message).
The small models only have defaults.

`COMPUTED` lists, per model, the fields computed at read time instead of stored ("*": every
model); the ORM drops values written to them, as Odoo ignores writes to non-stored computed fields.
"""

from __future__ import annotations

from . import attachment, lead, message, metadata, partner
from .base import Behaviour, Compute, Defaults, display

BEHAVIOURS: dict[str, Behaviour] = {
    "res.partner": partner.Partner(),
    "res.users": partner.Users(),
    "crm.lead": lead.Lead(),
    "crm.stage": Defaults(sequence=1, is_won=False, fold=False, color=0),
    "crm.team": Defaults(active=True, sequence=10, use_leads=True, use_opportunities=True, company_id=1),
    "res.company": Defaults(active=True, sequence=10, currency_id=1),
    "res.currency": Defaults(active=True, rounding=0.01, position="after"),
    "mail.message": message.Message(),
    "mail.message.subtype": Defaults(sequence=1, internal=False, default=True, hidden=False),
    "ir.attachment": attachment.Attachment(),
    "ir.model.data": metadata.ModelData(),
    "ir.model.fields": metadata.ModelFields(),
    "ir.model.fields.selection": metadata.SelectionOptions(),
    "ir.model": metadata.Models(),
}

COMPUTED: dict[str, dict[str, Compute]] = {"*": {"display_name": display}}
for _module in (partner, lead, attachment, metadata, message):
    for _model, _computes in _module.COMPUTED.items():
        COMPUTED.setdefault(_model, {}).update(_computes)

_PLAIN = Behaviour()


def of(model: str) -> Behaviour:
    return BEHAVIOURS.get(model, _PLAIN)
