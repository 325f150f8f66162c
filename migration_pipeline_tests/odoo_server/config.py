"""How an `OdooServer` behaves: which version it claims, its database, credentials and users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class OdooUser:
    """An extra internal user. Only `email` is needed; a user without a password cannot log in.

    `sales_rights=False` gives a user like the recordings' temporary one: internal, but every
    crm.lead operation raises AccessError (fault 4 / HTTP 403).
    """

    email: str
    login: str | None = None  # defaults to the email
    name: str | None = None  # defaults to one derived from the email ("sarah.murphy@x" -> "Sarah Murphy")
    password: str | None = None
    sales_rights: bool = True


@dataclass
class OdooConfig:
    version: Literal["19.0", "18.0", "17.0"] = "19.0"  # JSON-2 (/json/2/...) exists on 19.0 only
    database: str = "migration_test"
    api_key: str = "test-key-not-a-secret"  # bearer on JSON-2, password stand-in on XML-RPC/JSON-RPC
    login: str = "admin"
    password: str = "admin-password"
    # extra internal res.users besides admin (uid 2, partner 3): an email, or an OdooUser for more control
    users: list[str | OdooUser] = field(default_factory=list)
    # (requests, window seconds): beyond it HTTP 429 + Retry-After. Real Odoo has none; this only
    # exercises a client's retry policy.
    rate_limit: tuple[int, float] | None = None
    # A fixed cost per request, as a real server spends on routing, the transaction and its ORM
    # caches whatever the payload (benchmarks only: 0 in tests).
    call_latency_seconds: float = 0.0

    def major(self) -> int:
        return int(self.version.split(".")[0])

    def version_info(self) -> list:
        return [self.major(), 0, 0, "final", 0, ""]

    def extra_users(self) -> list[OdooUser]:
        return [user if isinstance(user, OdooUser) else OdooUser(email=user) for user in self.users]
