"""Seeded, streaming generator of OplaCRM exports (format: docs/oplacrm_export.md).

Why it exists: the reader, the mapping and the loaders must be exercised on exports of any size
that look like a real Singapore distributor's OplaCRM data and carry the mess real exports carry,
without touching client data. Rows go to the `csv` module as soon as they are made. Every
cross-reference is computed from row numbers instead of being remembered: record ids are keyed
hashes of (object, row number), a contact is written right after its account, and the facts
other files need about an opportunity (stage, amount, dates) are a keyed hash of its row number
too, so invoices can find won deals without a table. Memory therefore stays flat whatever
`records` is. Every value comes from one `random.Random(seed)` drawn in a fixed order (the hash
key is its first draw), so a seed reproduces an export byte for byte.
"""

from __future__ import annotations

import hashlib
import uuid
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import gcd
from pathlib import Path
from typing import NamedTuple

from migration_pipeline.generator.common import (
    Dirt, Layout, Row, SeededDraws, Sinks, ascii_slug, coprime_step, export_folder, share_of, write_files,
)
from migration_pipeline.generator.tanjong_supply_data import (
    ACCOUNT_TAGS,
    BAD_EMAILS,
    BAD_PHONES,
    CITIES,
    COMPANY_KINDS,
    COMPANY_STEMS,
    CONTACT_TAGS,
    COUNTRIES,
    CUSTOM_FIELD_KEYS,
    DEAL_THEMES,
    DELETED_OWNER_IDS,
    FIRM_DOMAIN,
    FIRST_NAMES,
    FORMER_REP,
    FORMER_REP_EMAIL,
    INTERESTS,
    INVOICE_STATUSES,
    JOB_ROLES,
    LAST_NAMES,
    LEAD_SOURCES,
    LOST_REASONS,
    OFF_LIST_STAGE,
    OPPORTUNITY_TAGS,
    PERSONAL_DOMAINS,
    PREFERRED_CHANNELS,
    PRODUCT_BRANDS,
    PRODUCTS,
    REGIONAL_ADDRESSES,
    SINGAPORE_STREETS,
    STAFF,
    STAGE_SHARES,
    STAGES,
    UNIT_NUMBERS,
    UNPARSABLE,
    WON_REASONS,
)

__all__ = ["generate_export"]

# --- the export's shape ----------------------------------------------------------------------

USER_COLUMNS = ("user_id", "email", "full_name", "role", "active")
ACCOUNT_COLUMNS = ("account_id", "external_id", "name", "street", "city", "state", "postal_code",
                   "country", "website", "industry", "phone", "healthscore", "locked", "owner_id",
                   "tags", "created_at", "updated_at")
CONTACT_COLUMNS = ("contact_id", "account_id", "account_external_id", "first_name", "last_name",
                   "email", "phone", "role", "owner_id", "locked", "tags", "created_at", "updated_at")
STAGE_COLUMNS = ("stage_code", "display_label", "probability", "sort_order", "is_closed")
OPPORTUNITY_COLUMNS = ("opportunity_id", "name", "account_id", "primary_contact_id", "amount",
                       "currency", "sale_process_stage", "close_date", "close_reason", "status",
                       "opportunities_joint_id", "locked", "owner_id", "tags", "created_at",
                       "updated_at")
PRODUCT_COLUMNS = ("product_id", "name", "sku", "list_price", "currency", "unit", "description",
                   "active", "created_at", "updated_at")
INVOICE_COLUMNS = ("invoice_id", "invoice_number", "opportunity_id", "amount", "currency", "status",
                   "issued_on", "due_on", "created_at", "updated_at")
CUSTOM_VALUE_COLUMNS = ("value_id", "record_type", "record_id", "field_key", "field_type", "value")
# One UTF-8, comma-separated file per object: the firm flattens its API DTOs itself.
LAYOUTS: dict[str, Layout] = {
    name: (header, {}) for name, header in (
        ("users.csv", USER_COLUMNS), ("accounts.csv", ACCOUNT_COLUMNS), ("contacts.csv", CONTACT_COLUMNS),
        ("sale_process_stages.csv", STAGE_COLUMNS), ("opportunities.csv", OPPORTUNITY_COLUMNS),
        ("products.csv", PRODUCT_COLUMNS), ("invoices.csv", INVOICE_COLUMNS),
        ("custom_field_values.csv", CUSTOM_VALUE_COLUMNS))
}

ACCOUNT_CASES = ("duplicate_external_id", "duplicate_without_external_id", "unknown_owner",
                 "inactive_owner", "messy_tags")
CONTACT_CASES = ("duplicate_email", "unknown_account", "unknown_owner", "inactive_owner",
                 "messy_tags", "bad_email", "bad_phone")
OPPORTUNITY_CASES = ("unknown_owner", "inactive_owner", "missing_joint", "messy_tags")
# The stages an off-list ON_HOLD may replace: deals this early are never invoiced, so no invoice
# lands on a deal on hold.
EARLY_STAGES = ("NEW_LEAD", "QUALIFIED", "DEMO", "PROPOSAL")

START = date(2021, 1, 1)
DAYS = tuple((START + timedelta(days=n)).isoformat() for n in range((date(2025, 12, 31) - START).days + 1))
# Local Singapore wall-clock times, as OplaCRM's DTOs print them (no zone).
TIMES = tuple(f"T{hour:02d}:{minute:02d}:00" for hour in range(8, 19) for minute in range(0, 60, 5))
DAY_INDEX = {day: n for n, day in enumerate(DAYS)}
LAST_DAY = len(DAYS) - 1
LAST_OPENING = LAST_DAY - 300  # room for a deal's close (≤ 164 days), invoice (≤ 30) and due date (≤ 60)
STAGE_CODES = tuple(stage[0] for stage in STAGES)
CLOSED_STATUS = {"CLOSE_WON": "won", "CLOSE_LOST": "lost"}


class Identity(NamedTuple):
    """What makes an account recognisable: what a re-export or a second entry copies."""

    external_id: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    website: str
    industry: str
    phone: str


@dataclass(frozen=True)
class Deal:
    """The facts about one opportunity that invoices need too (a keyed hash of its row number)."""

    stage: str
    amount_cents: int
    currency: str
    created_day: int
    close_day: int


# --- sizes and output --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How many rows each object gets for a requested total, in the proportions of a real
    distributor's export: accounts 12 %, contacts 22 %, opportunities 16 %, products 5 %,
    invoices 7 %, custom field values 38 %; 5–7 active users plus one who left; the 7 stages."""

    accounts: int
    contacts: int
    opportunities: int
    products: int
    invoices: int
    custom_values: int
    active_users: int

    @classmethod
    def for_records(cls, records: int) -> Sizes:
        accounts = share_of(records, 0.12)
        contacts, opportunities = max(accounts, share_of(records, 0.22)), share_of(records, 0.16)
        slots = _custom_value_slots(accounts, contacts, opportunities)
        return cls(accounts=accounts, contacts=contacts, opportunities=opportunities,
                   products=share_of(records, 0.05), invoices=share_of(records, 0.07),
                   custom_values=min(slots, share_of(records, 0.38)),
                   active_users=min(len(STAFF), 5 + records // 50_000))

    def records_with_custom_values(self) -> tuple[tuple[str, int], ...]:
        return (("account", self.accounts), ("contact", self.contacts), ("opportunity", self.opportunities))


def _scatter_step(slots: int) -> int:
    """A step near slots × 0.618 that shares no factor with `slots`: its multiples visit every slot
    once, each landing far from the last (a golden-ratio walk), so record types and keys mix."""
    step = max(1, round(slots * 0.6180339887))
    while gcd(step, slots) != 1:
        step += 1
    return step


def _custom_value_slots(accounts: int, contacts: int, opportunities: int) -> int:
    """How many (record, key) pairs could carry a custom field value."""
    return (accounts * len(CUSTOM_FIELD_KEYS["account"]) + contacts * len(CUSTOM_FIELD_KEYS["contact"])
            + opportunities * len(CUSTOM_FIELD_KEYS["opportunity"]))


# --- the generator -----------------------------------------------------------------------------


class OplaCrmExport(SeededDraws):
    """One generation run: the seeded RNG, the hash key and the sizes, shared by every object."""

    def __init__(self, sizes: Sizes, seed: int, dirty_rate: float):
        super().__init__(seed, DAYS, TIMES, latest_creation=LAST_OPENING)
        self.sizes = sizes
        self.dirty_rate = dirty_rate
        self.hash_key = self.bits(128).to_bytes(16, "big")
        self.former_rep_id = f"U-{sizes.active_users + 1:03d}"
        self.sellers = tuple(f"U-{n + 1:03d}" for n in range(1, sizes.active_users))  # not the admin
        self.opportunity_step = coprime_step(sizes.accounts)
        self.custom_value_makers: dict[str, Callable[[], str]] = {
            "Credit Limit": lambda: str(self.between(5, 250) * 1000),
            "Contract Renewal": lambda: DAYS[self.between(0, LAST_DAY)],
            "Employees": lambda: str(self.between(5, 1500)),
            "Interests": lambda: ",".join(self.rng.sample(INTERESTS, self.between(1, 3))),
            "Preferred Channel": lambda: self.pick(PREFERRED_CHANNELS),
            "Newsletter Opt In": lambda: self.pick(("true", "false")),
            "City": lambda: self.pick(CITIES),
            "Lead Source": lambda: self.pick(LEAD_SOURCES),
        }

    # small draws (the shared ones come from SeededDraws) ------------------------------------

    def flag(self, share: float) -> str:
        return "true" if self.r() < share else "false"

    def money(self, cents: int, currency: str) -> str:
        """'12500.00' mostly; sometimes 'S$12,500.00' / 'US$12,500.00', or '12500' when whole."""
        whole, part = divmod(cents, 100)
        draw = self.r()
        if draw < 0.25:
            return f"{'S$' if currency == 'SGD' else 'US$'}{whole:,}.{part:02d}"
        if draw < 0.4 and part == 0:
            return str(whole)
        return f"{whole}.{part:02d}"

    def phone(self, country: str) -> str:
        """A valid number in the form the country writes it; Singapore's sometimes without +65.
        Leading digits stay inside ranges the numbering plans assign, so only the dirty phones
        fail validation."""
        last = f"{self.between(0, 9999):04d}"
        if country == "Singapore":
            if self.r() < 0.4:
                head = f"{self.pick('89')}{self.between(100, 899)}"  # mobile
            else:
                head = f"6{self.pick('1234578')}{self.between(0, 99):02d}"
            return f"{head} {last}" if self.r() < 0.2 else f"+65 {head} {last}"
        return {"Malaysia": f"+60 3-{self.between(7600, 9599)} {last}",
                "Indonesia": f"+62 21 {self.between(1000, 9999)} {last}",
                "Thailand": f"+66 2 {self.between(100, 999)} {last}",
                "Vietnam": f"+84 28 {self.between(2000, 9999)} {last}"}[country]

    def tags(self, labels: Sequence[str], case: str | None) -> str:
        """Comma-separated labels; for 'messy_tags' the same label twice in other case or
        spacing, stray spaces and empty items, as typed by hand."""
        if case == "messy_tags":
            first, second = self.rng.sample(labels, 2)
            return self.pick((f"{first}, {first.lower()} ,{second},,",
                              f" {second},,{first.upper()},{first} "))
        return ",".join(self.rng.sample(labels, self.pick((0, 0, 0, 1, 1, 2))))

    def owner(self, case: str | None, usual: str = "") -> str:
        """A seller (often `usual`, the account's owner); for the owner cases someone deleted
        from OplaCRM or the rep who left."""
        if case == "unknown_owner":
            return self.pick(DELETED_OWNER_IDS)
        if case == "inactive_owner":
            return self.former_rep_id
        if usual in self.sellers and self.r() < 0.7:
            return usual
        return self.pick(self.sellers)

    # ids and facts computed from row numbers ----------------------------------------------------

    def digest(self, kind: str, n: int, size: int) -> bytes:
        return hashlib.blake2b(f"{kind}:{n}".encode(), digest_size=size, key=self.hash_key).digest()

    def record_id(self, kind: str, n: int) -> str:
        """The UUID of row `n` of `kind`; other kinds ('missing account' …) give ids in no file."""
        return str(uuid.UUID(bytes=self.digest(kind, n, 16), version=4))

    def deal(self, n: int) -> Deal:
        digest = self.digest("deal", n, 40)
        unit = [int.from_bytes(digest[i : i + 8], "big") / 2**64 for i in range(0, 40, 8)]
        created = int(unit[3] * (LAST_OPENING + 1))
        return Deal(stage=STAGE_CODES[bisect_right(STAGE_SHARES, unit[0])],
                    amount_cents=int(round(2000 * 125 ** unit[1], -2)) * 100,  # S$2,000 – S$250,000
                    currency="USD" if unit[2] < 0.15 else "SGD",
                    created_day=created, close_day=created + 14 + int(unit[4] * 150))

    def first_contact(self, account: int) -> int:
        """Contacts are laid out account by account: account k owns first_contact(k) … (k+1) - 1."""
        return -(-account * self.sizes.contacts // self.sizes.accounts)

    def account_of_opportunity(self, opportunity: int) -> int:
        return opportunity * self.opportunity_step % self.sizes.accounts

    # users and the sale process ---------------------------------------------------------------

    def write_users(self, sinks: Sinks) -> None:
        sink = sinks["users.csv"]
        for n, (first, last, role) in enumerate(STAFF[: self.sizes.active_users]):
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@{FIRM_DOMAIN}"
            sink.write([f"U-{n + 1:03d}", email, f"{first} {last}", role, "true"])
        first, last, role = FORMER_REP
        sink.write([self.former_rep_id, FORMER_REP_EMAIL, f"{first} {last}", role, "false"])

    @staticmethod
    def write_stages(sinks: Sinks) -> None:
        sink = sinks["sale_process_stages.csv"]
        for order, (code, label, probability, closed) in enumerate(STAGES, start=1):
            sink.write([code, label, str(probability), str(order), "true" if closed else "false"])

    # accounts, each followed by its contacts ----------------------------------------------------

    def new_identity(self, n: int, has_external_id: bool) -> Identity:
        stem, (kind, industry) = self.pick(COMPANY_STEMS), self.pick(COMPANY_KINDS)
        draw = self.r()
        country, _, suffixes, web_ending = next(c for c in COUNTRIES if draw < c[1])
        suffix = self.pick(suffixes)
        name = f"PT {stem} {kind} {suffix}".rstrip() if country == "Indonesia" else f"{stem} {kind} {suffix}"
        website = f"www.{ascii_slug(stem)}{ascii_slug(kind.split()[0])}{web_ending}" if self.r() < 0.9 else ""
        if country == "Singapore":
            street, prefix = self.pick(SINGAPORE_STREETS)
            street = f"{self.between(1, 120)} {street} {self.pick(UNIT_NUMBERS)}".rstrip()
            city, state, postal_code = "Singapore", "", f"{prefix}{self.between(0, 9999):04d}"
        else:
            street, city, state, postal_code = self.pick(REGIONAL_ADDRESSES[country])
            number = self.between(1, 80)
            street = f"{number}, {street}" if country == "Malaysia" else f"{street} No. {number}"
        return Identity(f"ERP-{10001 + n}" if has_external_id else "", name, street, city, state,
                        postal_code, country, website, industry, self.phone(country))

    def retype(self, text: str) -> str:
        """The same text typed again: other case or extra spaces, equal once case and runs of
        spaces are folded."""
        variant = self.between(0, 3)
        if variant == 0:
            return text.upper()
        if variant == 1:
            return text.lower()
        if variant == 2:
            return text.replace(" ", "  ", 1) if " " in text else f"{text} "
        return f" {text.title()} "

    def account_identity(self, n: int, case: str | None, originals: dict[bool, deque[Identity]]) -> Identity:
        # The first two accounts are one with and one without an ERP id, so a duplicate of either
        # kind always has something to copy.
        has_external_id = self.r() >= 0.3 if n > 1 else n == 0
        if case in ("duplicate_external_id", "duplicate_without_external_id"):
            pool = originals[case == "duplicate_external_id"]
            if pool:
                original = self.pick(pool)
                pool.remove(original)  # each duplicate copies a different account
                if case == "duplicate_external_id":  # the ERP re-sent it: same id, name retyped
                    return original._replace(name=self.retype(original.name))
                return original._replace(name=self.retype(original.name), street=self.retype(original.street))
        identity = self.new_identity(n, has_external_id)
        originals[has_external_id].append(identity)
        return identity

    def account_row(self, n: int, case: str | None, originals: dict[bool, deque[Identity]]) -> Row:
        identity = self.account_identity(n, case, originals)
        created, updated = self.created_and_changed()
        healthscore = f"{self.between(0, 1000) / 10:.1f}" if self.r() < 0.92 else ""
        return [self.record_id("account", n), *identity, healthscore, self.flag(0.06), self.owner(case),
                self.tags(ACCOUNT_TAGS, case), created, updated]

    def contact_row(self, n: int, case: str | None, account: Row, people: deque[tuple[str, str, str]]) -> Row:
        account_id, external_id, country, website = account[0], account[1], account[7], account[8]
        if case == "unknown_account":
            account_id = self.record_id("missing account", n)
            external_id = f"ERP-{10001 + self.sizes.accounts + self.between(0, 998)}"
        elif self.r() < 0.04:  # a buyer the firm knows personally, filed under no company
            account_id = external_id = ""
        first, last = self.pick(FIRST_NAMES), self.pick(LAST_NAMES)
        domain = website.removeprefix("www.") if website and self.r() < 0.75 else self.pick(PERSONAL_DOMAINS)
        email = self.email(first, last, domain)
        if case == "duplicate_email" and people:
            first, last, email = self.copy_of_recent(people)
        elif case == "bad_email":
            email = self.pick(BAD_EMAILS)
        else:
            people.append((first, last, email))
        phone = self.pick(BAD_PHONES) if case == "bad_phone" else self.phone(country)
        created, updated = self.created_and_changed(low=DAY_INDEX[account[15][:10]])
        return [self.record_id("contact", n), account_id, external_id, first, last, email, phone,
                self.pick(JOB_ROLES), self.owner(case, usual=account[13]), self.flag(0.06),
                self.tags(CONTACT_TAGS, case), created, updated]

    def email(self, first: str, last: str, domain: str) -> str:
        first_slug, last_slug = ascii_slug(first), ascii_slug(last)
        style = self.between(0, 3)
        if style == 0:
            return f"{first_slug}.{last_slug}@{domain}"
        if style == 1:
            return f"{first_slug[0]}{last_slug}@{domain}"
        if style == 2:
            return f"{last_slug}.{first_slug}@{domain}"
        return f"{first_slug}{last_slug}{self.between(1, 99)}@{domain}"

    def write_accounts_and_contacts(self, sinks: Sinks) -> None:
        accounts, contacts = sinks["accounts.csv"], sinks["contacts.csv"]
        # Forced cases start a few rows in, so a forced duplicate always has someone to copy.
        account_dirt = Dirt(self.rng, self.sizes.accounts, ACCOUNT_CASES, self.dirty_rate, first=8)
        contact_dirt = Dirt(self.rng, self.sizes.contacts, CONTACT_CASES, self.dirty_rate, first=8)
        originals: dict[bool, deque[Identity]] = {True: deque(maxlen=64), False: deque(maxlen=64)}
        people: deque[tuple[str, str, str]] = deque(maxlen=64)
        for n in range(self.sizes.accounts):
            account = self.account_row(n, account_dirt.case(n), originals)
            accounts.write(account)
            for contact in range(self.first_contact(n), self.first_contact(n + 1)):
                contacts.write(self.contact_row(contact, contact_dirt.case(contact), account, people))

    # opportunities, products, invoices ------------------------------------------------------------

    def opportunity_row(self, n: int, deal: Deal, case: str | None, joint_id: str, on_hold: bool) -> Row:
        stage = OFF_LIST_STAGE if on_hold else deal.stage
        status = CLOSED_STATUS.get(stage, "open")
        reason = {"won": WON_REASONS, "lost": LOST_REASONS}.get(status)
        account = self.account_of_opportunity(n)
        first, following = self.first_contact(account), self.first_contact(account + 1)
        contact = self.record_id("contact", self.between(first, following - 1)) if self.r() < 0.9 else ""
        created = self.stamp(deal.created_day)
        last_change = deal.close_day if status != "open" else deal.created_day
        updated_day = min(LAST_DAY, last_change + int(self.r() ** 3 * 90))
        updated = created if updated_day == deal.created_day else self.stamp(updated_day)
        return [self.record_id("opportunity", n), f"{self.pick(DEAL_THEMES)} {DAYS[deal.created_day][:4]}",
                self.record_id("account", account), contact, self.money(deal.amount_cents, deal.currency),
                deal.currency, stage, DAYS[deal.close_day], self.pick(reason) if reason else "", status,
                joint_id, self.flag(0.06), self.owner(case), self.tags(OPPORTUNITY_TAGS, case), created,
                updated]

    def write_opportunities(self, sinks: Sinks) -> None:
        sink = sinks["opportunities.csv"]
        count = self.sizes.opportunities
        dirt = Dirt(self.rng, count, OPPORTUNITY_CASES, self.dirty_rate)
        # Cases are drawn one row ahead, so a joint pair (n ↔ n+1) is never opened onto a row
        # whose own joint id must point outside the export. A pair opens every 20–45 rows (~6 %
        # of opportunities are joint), the first within 20 rows so small exports have one too.
        cases = map(dirt.case, range(count))
        # The off-list stage has its own rows among the early-stage deals (counted first: a pass
        # of hashing only).
        early = sum(1 for n in range(count) if self.deal(n).stage in EARLY_STAGES)
        held = Dirt(self.rng, early, ("odd_stage",), self.dirty_rate)
        early_row = 0
        case, partner_id, next_pair = next(cases), "", self.between(1, 20)
        for n in range(count):
            following = next(cases, None)
            joint_id, partner_id = partner_id, ""
            if case == "missing_joint":
                joint_id = self.record_id("missing joint opportunity", n)
            elif n >= next_pair and n + 1 < count and following != "missing_joint":
                joint_id, partner_id = self.record_id("opportunity", n + 1), self.record_id("opportunity", n)
                next_pair = n + self.between(20, 45)
            deal, on_hold = self.deal(n), False
            if deal.stage in EARLY_STAGES:
                on_hold, early_row = held.case(early_row) is not None, early_row + 1
            sink.write(self.opportunity_row(n, deal, case, joint_id, on_hold))
            case = following

    def write_products(self, sinks: Sinks) -> None:
        sink = sinks["products.csv"]
        for n in range(self.sizes.products):
            prefix, name, unit, low, high, description = PRODUCTS[n % len(PRODUCTS)]
            currency = "USD" if self.r() < 0.1 else "SGD"
            created, updated = self.created_and_changed()
            sink.write([self.record_id("product", n), f"{self.pick(PRODUCT_BRANDS)} {name}",
                        f"{prefix}-{n + 1:05d}", self.money(self.between(low * 20, high * 20) * 5, currency),
                        currency, unit, description, self.flag(0.92), created, updated])

    def invoiced_deal(self) -> tuple[int, Deal]:
        """Mostly a won opportunity; now and then a deposit invoice on one still in negotiation."""
        wanted = "CLOSE_WON" if self.r() < 0.9 else "NEGOTIATION"
        for _ in range(60):
            n = int(self.r() * self.sizes.opportunities)
            deal = self.deal(n)
            if deal.stage == wanted:
                break
        return n, deal

    def write_invoices(self, sinks: Sinks) -> None:
        sink = sinks["invoices.csv"]
        dirt = Dirt(self.rng, self.sizes.invoices, ("missing_opportunity",), self.dirty_rate)
        for n in range(self.sizes.invoices):
            case = dirt.case(n)
            opportunity, deal = self.invoiced_deal()
            if deal.stage == "CLOSE_WON":
                issued = deal.close_day + self.between(0, 30)
                percent, status = self.pick((100, 100, 100, 50, 30)), self.pick(INVOICE_STATUSES)
            else:  # a deposit before the deal closes
                issued = deal.created_day + self.between(1, 13)
                percent, status = 30, self.pick(("draft", "sent"))
            created, updated = self.created_and_changed(low=issued, high=issued)
            opportunity_id = (self.record_id("missing invoiced opportunity", n) if case
                              else self.record_id("opportunity", opportunity))
            sink.write([self.record_id("invoice", n), f"INV/{DAYS[issued][:4]}/{n + 1:05d}", opportunity_id,
                        self.money(deal.amount_cents * percent // 100, deal.currency), deal.currency, status,
                        DAYS[issued], DAYS[issued + self.pick((30, 30, 60))], created, updated])

    # key-value custom fields ------------------------------------------------------------------

    def slot_field(self, slot: int) -> tuple[str, int, tuple[str, str]]:
        """(record_type, record row, (field_key, field_type)) of one of the possible values:
        every account × its keys, then every contact × its keys, then every opportunity."""
        for record_type, rows in self.sizes.records_with_custom_values():
            keys = CUSTOM_FIELD_KEYS[record_type]
            if slot < rows * len(keys):
                return record_type, slot // len(keys), keys[slot % len(keys)]
            slot -= rows * len(keys)
        raise IndexError(slot)

    def write_custom_values(self, sinks: Sinks) -> None:
        """Distinct (record, key) slots visited in a scattered order, as the API pages values by
        their id: exact count, at most one value per (record, key), nothing remembered."""
        sink = sinks["custom_field_values.csv"]
        count = self.sizes.custom_values
        slots = _custom_value_slots(self.sizes.accounts, self.sizes.contacts, self.sizes.opportunities)
        step, offset = _scatter_step(slots), int(self.r() * slots)

        def field(k: int) -> tuple[str, int, tuple[str, str]]:
            return self.slot_field((offset + k * step) % slots)

        # Only NUMBER and DATE values can fail to parse, and only values of other types are
        # orphaned, so each case has its own rows (counted first: a pass of arithmetic only).
        typed = sum(1 for k in range(count) if field(k)[2][1] in UNPARSABLE)
        unparsable = Dirt(self.rng, typed, ("unparsable_value",), self.dirty_rate)
        orphaned = Dirt(self.rng, count - typed, ("unknown_record",), self.dirty_rate)
        typed_row = other_row = 0
        for k in range(count):
            record_type, record, (key, field_type) = field(k)
            if field_type in UNPARSABLE:
                case, typed_row = unparsable.case(typed_row), typed_row + 1
            else:
                case, other_row = orphaned.case(other_row), other_row + 1
            if case == "unknown_record":
                record_id = self.record_id(f"missing {record_type} with values", k)
            else:
                record_id = self.record_id(record_type, record)
            if case == "unparsable_value":
                value = self.pick(UNPARSABLE[field_type])
            else:
                value = self.custom_value_makers[key]()
            sink.write([self.record_id("custom value", k), record_type, record_id, key, field_type, value])


def generate_export(out_dir: str | Path, records: int, seed: int = 7, dirty_rate: float = 0.05,
                    with_files: bool = True) -> dict[str, int]:
    """Write an OplaCRM export into `out_dir` (arguments: see `common.export_folder`) and return the
    number of data rows written per CSV file. `with_files` is accepted for the same call as the
    other generators: OplaCRM exports carry no documents."""
    out = export_folder(out_dir, records, dirty_rate, with_files=False)
    run = OplaCrmExport(Sizes.for_records(records), seed, dirty_rate)
    return write_files(out, LAYOUTS, [run.write_users, run.write_stages, run.write_accounts_and_contacts,
                                      run.write_opportunities, run.write_products, run.write_invoices,
                                      run.write_custom_values])
