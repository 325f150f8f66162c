"""mail.message created directly (`mail.message.create`): kept as given.

A past `date`, an `author_id`, a `subtype_id` and a `message_type` are stored exactly; the body is
sanitized HTML, not escaped (only `message_post` escapes a plain-text body). Left out, the author
is the caller's partner, the date now and the type `comment`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..htmltools import to_text
from .base import Behaviour, Compute, email_formatted, record_name

if TYPE_CHECKING:
    from ..orm import Env


class Message(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"message_type": "comment", "date": env.now, "body": "", "is_internal": False}
        if "author_id" not in given and not given.get("email_from"):
            out["author_id"] = env.partner_id
        author = env.db.row("res.partner", given.get("author_id", out.get("author_id")))
        if "email_from" not in given and author is not None:
            out["email_from"] = email_formatted(env, "res.partner", author)
        return {key: value for key, value in out.items() if key not in given}


COMPUTED: dict[str, dict[str, Compute]] = {
    "mail.message": {
        "preview": lambda env, model, row: to_text(row.get("body"))[:190] or False,
        "record_name": record_name("model", "res_id"),
    },
}
