"""Seeded, streaming generator of Perfect Portal CRM exports (format: docs/perfect_portal_export.md).

Why it exists: the reader, the mapping and the loaders must be exercised on exports of any size
that look like a real Sydney law firm's and carry the mess real exports carry, without touching
client data. Rows go to the `csv` module as soon as they are made, and every cross-reference
(contact → client, matter → client, activity → matter …) is computed from row numbers instead of
being remembered, so memory stays flat whatever `records` is. Every value comes from one
`random.Random(seed)` drawn in a fixed order, so a seed reproduces an export byte for byte.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from migration_pipeline.generator.common import (
    Dirt,
    Layout,
    MailboxStyle,
    Row,
    SeededDraws,
    Sink,
    Sinks,
    ascii_slug,
    coprime_step,
    cp1252_cell,
    export_folder,
    share_of,
    tiny_png,
    title_header,
    unique_address,
    write_files,
)
from migration_pipeline.generator.harbour_law import (
    FIRM_DOMAIN,
    FIRM_PHONE,
    UNKNOWN_STAFF,
    ROLES,
    FIRST_NAMES,
    LAST_NAMES,
    STAFF_FIRST_NAMES,
    STAFF_LAST_NAMES,
    ACCENTED_FIRST,
    ACCENTED_LAST,
    AREA_CODES,
    PERSONAL_DOMAINS,
    COMPANY_STEMS,
    COMPANY_KINDS,
    COMPANY_SUFFIXES,
    JOB_TITLES,
    LANGUAGES,
    BAD_EMAILS,
    BAD_PHONES,
    SOURCE_CHANNELS,
    LENDERS,
    PRACTICE_AREAS,
    STREETS,
    STREET_TYPES,
    SUBURBS,
    SENTENCES,
    BOLD_PHRASES,
    CHECKLIST,
    EMAIL_SUBJECTS,
    CALLS,
    NOTE_SUBJECTS,
    TASK_TITLES,
    TASK_STATUSES,
    PRIORITIES,
    DOCUMENT_KINDS,
    THIRD_PARTY_ORGS,
    SMS_TEMPLATES,
    INBOUND_SMS,
    AUTOMATION_RULES,
    CUSTOM_FIELDS,
    CLOSED_STAGES,
    LOST_SHARE,
    ADVANCE_OLDEST,
    ADVANCE_NEWEST,
    MatterKind,
    PURCHASE,
    MATTER_KINDS,
)

__all__ = ["generate_export"]

# --- the export's shape ----------------------------------------------------------------------

CLIENT_COLUMNS = ("client_id", "client_name", "client_type", "email", "phone", "website",
                  "address_line1", "address_line2", "city", "state", "postcode", "country",
                  "owner_email", "created_at", "modified_at")
CONTACT_COLUMNS = ("contact_id", "client_id", "first_name", "last_name", "full_name", "email",
                   "phone", "mobile", "job_title", "contact_type", "created_at", "modified_at",
                   "billing_flag", "source_channel", "preferred_language")
MATTER_COLUMNS = ("matter_id", "client_id", "primary_contact_id", "matter_name", "matter_type",
                  "stage", "amount", "currency", "opened_at", "expected_close", "closed_at",
                  "owner_email", "created_at", "modified_at", "property_address",
                  "settlement_date", "purchase_price", "lender", "practice_areas")
HISTORY_COLUMNS = ("history_id", "matter_id", "stage", "entered_at", "changed_by_email")
ACTIVITY_COLUMNS = ("activity_id", "activity_type", "subject", "body", "occurred_at",
                    "author_email", "client_id", "contact_id", "matter_id", "modified_at")
TASK_COLUMNS = ("task_id", "title", "description", "status", "priority", "due_date",
                "assignee_email", "client_id", "contact_id", "matter_id", "created_at", "modified_at")
DOCUMENT_COLUMNS = ("document_id", "file_name", "file_path", "mime_type", "size_bytes",
                    "uploaded_at", "uploaded_by_email", "client_id", "contact_id", "matter_id",
                    "modified_at")
USER_COLUMNS = ("user_id", "email", "first_name", "last_name", "role", "active")
THIRD_PARTY_COLUMNS = ("party_id", "matter_id", "party_type", "first_name", "last_name", "email",
                       "phone", "organisation", "access_level", "granted_at", "modified_at")
PORTAL_COLUMNS = ("portal_user_id", "client_id", "contact_id", "login_email", "status",
                  "last_login_at", "created_at")
SMS_COLUMNS = ("sms_id", "matter_id", "contact_id", "direction", "to_number", "template_name",
               "body", "sent_at", "status", "trigger")
RULE_COLUMNS = ("rule_id", "name", "trigger", "action", "enabled")
CUSTOM_FIELD_COLUMNS = ("object", "column", "label", "type", "options")

# clients.csv (cp1252, ';', Title Case headers), contacts.csv (stray cp1252 cells) and matters.csv
# (BOM) get the awkward layouts real exports have, so the reader's tolerance is exercised.
LAYOUTS: dict[str, Layout] = {
    "clients.csv": ([title_header(c) for c in CLIENT_COLUMNS], {"encoding": "cp1252", "delimiter": ";"}),
    "contacts.csv": (CONTACT_COLUMNS, {"errors": "surrogateescape"}),
    "matters.csv": (MATTER_COLUMNS, {"encoding": "utf-8-sig"}),
    "matter_stage_history.csv": (HISTORY_COLUMNS, {}), "activities.csv": (ACTIVITY_COLUMNS, {}),
    "tasks.csv": (TASK_COLUMNS, {}), "documents.csv": (DOCUMENT_COLUMNS, {}),
    "users.csv": (USER_COLUMNS, {}), "third_party_access.csv": (THIRD_PARTY_COLUMNS, {}),
    "portal_access.csv": (PORTAL_COLUMNS, {}), "sms_log.csv": (SMS_COLUMNS, {}),
    "automation_rules.csv": (RULE_COLUMNS, {}), "custom_field_definitions.csv": (CUSTOM_FIELD_COLUMNS, {}),
}

START = date(2021, 1, 1)
DAYS = tuple((START + timedelta(days=n)).isoformat() for n in range((date(2026, 12, 31) - START).days + 1))
TIMES = tuple(f"T{hour:02d}:{minute:02d}:00" for hour in range(8, 19) for minute in range(0, 60, 5))
DAY_INDEX = {day: n for n, day in enumerate(DAYS)}
LAST_DAY = len(DAYS) - 1
LAST_OPENING = LAST_DAY - 420  # leaves room for a whole stage path (≤ 7 steps of ≤ 45 days)


SLUGS = {name: ascii_slug(name) for name in FIRST_NAMES + LAST_NAMES + ACCENTED_FIRST + ACCENTED_LAST
         + COMPANY_STEMS + COMPANY_KINDS}
MAILBOXES = MailboxStyle(PERSONAL_DOMAINS, separator=".", numbers=range(1, 98))
ORGANISATION_DOMAINS = {organisation: f"{ascii_slug(organisation.split()[0])}.com.au"
                        for organisations in THIRD_PARTY_ORGS.values() for organisation in organisations}


INLINE_IMAGE = f'<img src="data:image/png;base64,{tiny_png()}" alt="Harbour Law" width="120">'


def _readable(cell: str) -> str:
    """A contact cell as the vendor's SMS system would print it, even if it was stored as cp1252."""
    try:
        cell.encode("utf-8")
        return cell
    except UnicodeEncodeError:
        return cell.encode("utf-8", "surrogateescape").decode("cp1252")


# --- sizes, dirt and output ------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How many rows each object gets for a requested total, in the proportions of a real firm's
    export: clients 6 %, contacts 16 %, matters 10 % (plus their stage history), activities 30 %,
    tasks 10 %, documents 6 %, third parties 4 %; portal logins and text messages ~3 % each."""

    clients: int
    contacts: int
    matters: int
    activities: int
    tasks: int
    documents: int
    third_parties: int
    users: int
    portal_per_contact: float
    sms_per_contact: float

    @classmethod
    def for_records(cls, records: int) -> Sizes:
        clients, contacts = share_of(records, 0.06), share_of(records, 0.16)
        return cls(
            clients=clients, contacts=contacts, matters=share_of(records, 0.10),
            activities=share_of(records, 0.30), tasks=share_of(records, 0.10),
            documents=share_of(records, 0.06), third_parties=share_of(records, 0.04),
            users=min(200, max(5, round(clients / 150))),
            portal_per_contact=min(1.0, records * 0.03 / contacts),
            sms_per_contact=min(1.0, records * 0.03 / contacts),
        )


# --- the generator -----------------------------------------------------------------------------


class PerfectPortalExport(SeededDraws):
    """One generation run: the seeded RNG, the sizes and the firm's staff, shared by every object."""

    def __init__(self, out_dir: Path, sizes: Sizes, seed: int, dirty_rate: float, with_files: bool):
        super().__init__(seed, DAYS, TIMES, latest_creation=LAST_OPENING)
        self.out = out_dir
        self.sizes = sizes
        self.dirty_rate = dirty_rate
        self.with_files = with_files
        self.staff: list[tuple[str, str, str]] = []  # (email, first, last); at most 200
        self.rules = 0  # automation rules written: an SMS's trigger names one of them
        self.matter_step = coprime_step(sizes.clients)
        self.matter_of_client = pow(self.matter_step, -1, sizes.clients)
        self.bad_client_ref = f"C-{max(999_999, sizes.clients + 1):06d}"

    # small draws (the shared ones come from SeededDraws) ------------------------------------

    def person(self) -> tuple[str, str]:
        return self.pick(FIRST_NAMES), self.pick(LAST_NAMES)

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        return MAILBOXES.address(self.bits(16), SLUGS[first], SLUGS[last], domain)

    def landline(self) -> str:
        """An Australian landline, international or national format ('+61 2 9374 4000', '(02) 9374 4000')."""
        draw = self.bits(32)  # one draw, sliced into the number's parts: this runs per contact
        tail, head = draw % 10_000, 8000 + draw // 10_000 % 2000
        area = AREA_CODES[draw // 20_000_000 % len(AREA_CODES)]
        if draw & 1 << 31:
            return f"+61 {area} {head} {tail:04d}"
        return f"(0{area}) {head} {tail:04d}"

    def mobile(self) -> str:
        """An Australian mobile, mostly national format ('0412 345 678', '+61 412 345 678')."""
        draw = self.bits(32)
        digits = f"4{draw % 100:02d} {draw // 100 % 1000:03d} {draw // 100_000 % 1000:03d}"
        return f"+61 {digits}" if draw >> 30 == 0 else f"0{digits}"

    def phone(self) -> str:
        draw = self.r()
        if draw < 0.06:
            return f"+1 ({self.pick((212, 415, 310, 646))}) 555-01{self.between(0, 99):02d}"
        return self.landline() if draw < 0.6 else self.mobile()

    def address(self) -> tuple[str, str, str, str]:
        number = str(self.between(1, 240))
        if self.r() < 0.3:
            number = f"{self.between(1, 40)}/{number}"
        suburb, state, postcode = self.pick(SUBURBS)
        return f"{number} {self.pick(STREETS)} {self.pick(STREET_TYPES)}", suburb, state, postcode

    def staff_email(self, case: str | None = None) -> str:
        """A member of staff; for the 'unknown_owner' case someone who has left (not in users.csv)."""
        if case == "unknown_owner":
            return self.pick(UNKNOWN_STAFF)
        return self.pick(self.staff)[0]

    # cross-references, computed rather than remembered ---------------------------------------

    def client_of_contact(self, contact: int) -> int:
        return contact * self.sizes.clients // self.sizes.contacts

    def contact_of_client(self, client: int) -> int:
        """One of the client's contacts (contacts are laid out client by client)."""
        clients, contacts = self.sizes.clients, self.sizes.contacts
        first = -(-client * contacts // clients)
        following = -(-(client + 1) * contacts // clients)
        return min(contacts - 1, first + int(self.r() * max(1, following - first)))

    def client_of_matter(self, matter: int) -> int:
        return matter * self.matter_step % self.sizes.clients

    def first_matter_of_client(self, client: int) -> int:
        return min(self.sizes.matters - 1, client * self.matter_of_client % self.sizes.clients)

    # users, rules, custom fields ----------------------------------------------------------------

    def write_users(self, sinks: Sinks) -> None:
        taken: set[str] = set()
        for n in range(self.sizes.users):
            first, last = self.pick(STAFF_FIRST_NAMES), self.pick(STAFF_LAST_NAMES)
            email = unique_address(SLUGS[first], SLUGS[last], FIRM_DOMAIN, taken)
            self.staff.append((email, first, last))
            role = ROLES[0] if n < 2 else self.pick(ROLES[1:])
            active = "no" if self.r() < 0.1 else "yes"
            sinks["users.csv"].write([f"U-{n + 1:06d}", email, first, last, role, active])

    def write_reference(self, sinks: Sinks) -> None:
        """The fixed tables: the firm's first automation rules and the custom field definitions."""
        self.rules = self.between(6, len(AUTOMATION_RULES))
        for n, rule in enumerate(AUTOMATION_RULES[: self.rules]):
            sinks["automation_rules.csv"].write([f"R-{n + 1:06d}", *rule])
        sinks["custom_field_definitions.csv"].write_all(CUSTOM_FIELDS)

    # clients ----------------------------------------------------------------------------------

    def client_row(self, n: int, case: str | None) -> Row:
        line1, city, state, postcode = self.address()
        created, modified = self.created_and_changed()
        if self.r() < 0.35:
            stem, kind = self.pick(COMPANY_STEMS), self.pick(COMPANY_KINDS)
            name, client_type = f"{stem} {kind} {self.pick(COMPANY_SUFFIXES)}", "company"
            site = f"{SLUGS[stem]}{SLUGS[kind]}.com.au"
            email, website = f"{self.pick(('info', 'accounts', 'admin'))}@{site}", f"www.{site}"
        else:
            first, last = self.person()
            partner = f" & {self.pick(FIRST_NAMES)}" if self.r() < 0.2 else ""
            name, client_type = f"{first}{partner} {last}", "individual"
            email, website = self.email(first, last), ""
        line2 = self.pick(("", "", "", "", "Level 3", "Suite 12", "PO Box 451"))
        country = "Australia" if self.r() < 0.97 else ""
        return [f"C-{n + 1:06d}", name, client_type, email, self.phone(), website, line1, line2,
                city, state, postcode, country, self.staff_email(case), created, modified]

    def write_clients(self, sinks: Sinks) -> None:
        dirt = Dirt(self.rng, self.sizes.clients, ("unknown_owner",), self.dirty_rate)
        for n in range(self.sizes.clients):
            sinks["clients.csv"].write(self.client_row(n, dirt.case(n)))

    # contacts, with their portal logins and text messages --------------------------------------

    def contact_names(self, case: str | None, recent: deque[tuple[str, str, str]]) -> tuple[str, str, str, str]:
        """(first, last, full, email) for one contact, shaped by its dirty case."""
        if case == "duplicate" and recent:
            first, last, email = self.copy_of_recent(recent)
            return first, last, f"{first} {last}", email
        if case == "cp1252_name":
            first, last = self.pick(ACCENTED_FIRST), self.pick(ACCENTED_LAST)
            email = self.email(first, last)
            recent.append((first, last, email))
            return cp1252_cell(first), cp1252_cell(last), cp1252_cell(f"{first} {last}"), email
        first, last = self.person()
        if case == "bad_email":
            return first, last, f"{first} {last}", self.pick(BAD_EMAILS)
        email = self.email(first, last)
        recent.append((first, last, email))
        if case == "no_name":
            return "", "", "", email
        if case == "full_name_only":
            return "", "", f"{first} {last}", email
        return first, last, f"{first} {last}", email

    def contact_row(self, n: int, case: str | None, recent: deque[tuple[str, str, str]]) -> Row:
        client = self.client_of_contact(n)
        first, last, full, email = self.contact_names(case, recent)
        phone, mobile = self.landline() if self.r() < 0.5 else "", self.mobile()
        if case == "bad_phone":
            phone, mobile = self.pick(BAD_PHONES), self.pick(("", *BAD_PHONES))
        is_first = n == 0 or self.client_of_contact(n - 1) != client
        contact_type = "primary" if is_first else self.pick(("billing", "other", "other"))
        created, modified = self.created_and_changed()
        return [f"P-{n + 1:06d}", f"C-{client + 1:06d}", first, last, full, email, phone, mobile,
                self.pick(JOB_TITLES), contact_type, created, modified,
                "yes" if contact_type == "billing" or self.r() < 0.1 else "no",
                self.pick(SOURCE_CHANNELS), self.pick(LANGUAGES)]

    def portal_row(self, n: int, contact: Row) -> Row:
        status = self.pick(("active", "active", "active", "invited", "disabled"))
        created = contact[10]
        day = min(LAST_DAY, DAY_INDEX[created[:10]] + self.between(1, 60))
        last_login = "" if status == "invited" else self.stamp(day)
        return [f"PU-{n + 1:06d}", contact[1], contact[0], contact[5].strip().lower(), status,
                last_login, created]

    def sms_row(self, n: int, contact: Row, client: int) -> Row:
        sent = self.stamp(self.between(0, LAST_DAY))
        matter = f"M-{self.first_matter_of_client(client) + 1:06d}"
        if self.r() < 0.15:
            return [f"S-{n + 1:06d}", matter, contact[0], "inbound", FIRM_PHONE, "",
                    self.pick(INBOUND_SMS), sent, "received", ""]
        template = self.pick(tuple(SMS_TEMPLATES))
        body = SMS_TEMPLATES[template].format(name=_readable(contact[2]) or "there")
        status = self.pick(("delivered", "delivered", "delivered", "delivered", "failed", "undelivered"))
        trigger = f"R-{self.between(1, self.rules):06d}" if self.r() < 0.7 else "manual"
        return [f"S-{n + 1:06d}", matter, contact[0], "outbound", contact[7], template, body, sent,
                status, trigger]

    def write_contacts(self, sinks: Sinks) -> None:
        contacts, portal, sms = sinks["contacts.csv"], sinks["portal_access.csv"], sinks["sms_log.csv"]
        cases = ("duplicate", "no_name", "full_name_only", "bad_email", "bad_phone", "cp1252_name")
        # Forced cases start a few rows in, so a forced duplicate always has someone to copy.
        dirt = Dirt(self.rng, self.sizes.contacts, cases, self.dirty_rate, first=8)
        recent: deque[tuple[str, str, str]] = deque(maxlen=64)
        for n in range(self.sizes.contacts):
            row = self.contact_row(n, dirt.case(n), recent)
            contacts.write(row)
            if "@" in row[5] and self.r() < self.sizes.portal_per_contact:
                portal.write(self.portal_row(portal.rows, row))
            if self.r() < self.sizes.sms_per_contact:
                sms.write(self.sms_row(sms.rows, row, self.client_of_contact(n)))

    # matters and their stage history --------------------------------------------------------

    def stage_path(self, kind: MatterKind, case: str | None, opened_day: int) -> list[str]:
        """The stages a matter went through, ending at its current stage."""
        pipeline = kind.pipeline
        if case == "odd_stage":
            odd = "Settlement Pending" if self.r() < 0.5 else "On Hold - Client"
            return [*pipeline[: self.between(1, len(pipeline) - 2)], odd]
        if case == "incomplete_history":
            return list(pipeline[: self.between(2, len(pipeline))])
        if self.r() < LOST_SHARE:
            return [*pipeline[: 1 if self.r() < 0.8 else 2], "Closed Lost"]
        advance = ADVANCE_OLDEST + (ADVANCE_NEWEST - ADVANCE_OLDEST) * opened_day / LAST_OPENING
        reach = 1
        while reach < len(pipeline) and self.r() < advance:
            reach += 1
        return list(pipeline[:reach])

    def matter_name(self, kind: MatterKind, address: str) -> str:
        first, last = self.person()
        if kind.is_property:
            return f"{'Purchase' if kind is PURCHASE else 'Sale'} of {address}"
        if kind.practice_area == "Litigation":
            return f"{last} v. {self.pick(LAST_NAMES)}"
        if kind.practice_area == "Wills & Estates":
            return f"Estate of {first} {last}" if self.r() < 0.6 else f"Will and POA – {first} {last}"
        if kind.practice_area == "Family":
            return f"{last} – {self.pick(('Property Settlement', 'Parenting Orders', 'Divorce'))}"
        work = self.pick(("Lease review", "Shareholders agreement", "Sale of business"))
        return f"{work} – {self.pick(COMPANY_STEMS)} {self.pick(COMPANY_KINDS)}"

    def property_fields(self, kind: MatterKind, line1: str, city: str, state: str, postcode: str,
                        opened: int) -> list[str]:
        """property_address, settlement_date, purchase_price, lender, practice_areas."""
        areas = kind.practice_area
        extra = self.pick(PRACTICE_AREAS)
        if extra != areas and self.r() < 0.15:
            areas = f"{areas};{extra}"
        if not kind.is_property:
            return ["", "", "", "", areas]
        settles = DAYS[min(LAST_DAY, opened + self.between(42, 120))]
        price = str(self.between(18, 120) * 25_000)
        lender = self.pick(LENDERS) if kind is PURCHASE or self.r() < 0.3 else ""
        return [f"{line1}, {city} {state} {postcode}", settles, price, lender, areas]

    def history(self, path: list[str], day: int) -> list[tuple[str, int, str]]:
        """(stage, day, stamp) per step from the opening day, strictly later each time."""
        steps = []
        for stage in path:
            steps.append((stage, day, self.stamp(day)))
            day += self.between(1, 45)
        return steps

    def matter_row(self, n: int, case: str | None, history: Sink) -> Row:
        kind = self.pick(MATTER_KINDS)
        client = self.client_of_matter(n)
        owner = self.staff_email(case)
        opened_day = self.between(0, LAST_OPENING)
        path = self.stage_path(kind, case, opened_day)
        steps = self.history(path, opened_day)
        recorded = steps[:-1] if case == "incomplete_history" else steps
        matter_id = f"M-{n + 1:06d}"
        for stage, _, entered in recorded:
            changed_by = owner if self.r() < 0.7 else self.staff_email()
            history.write([f"H-{history.rows + 1:06d}", matter_id, stage, entered, changed_by])
        opened = steps[0][2]
        last_day, last_stamp = steps[-1][1], steps[-1][2]
        modified_day = min(LAST_DAY, last_day + int(self.r() ** 2 * 60))
        modified = last_stamp if modified_day == last_day else self.stamp(modified_day)
        line1, city, state, postcode = self.address()
        low, high = kind.fee
        return [matter_id, self.matter_client_ref(client, case), f"P-{self.contact_of_client(client) + 1:06d}",
                self.matter_name(kind, line1), kind.matter_type, path[-1],
                f"{self.between(low // 10, high // 10) * 10}.00", "AUD", opened,
                DAYS[min(LAST_DAY, opened_day + self.between(30, 270))],
                last_stamp if path[-1] in CLOSED_STAGES else "", owner, opened, modified,
                *self.property_fields(kind, line1, city, state, postcode, opened_day)]

    def matter_client_ref(self, client: int, case: str | None) -> str:
        if case == "no_client":
            return ""
        if case == "missing_client":
            return self.bad_client_ref
        return f"C-{client + 1:06d}"

    def write_matters(self, sinks: Sinks) -> None:
        cases = ("no_client", "missing_client", "incomplete_history", "odd_stage", "unknown_owner")
        dirt = Dirt(self.rng, self.sizes.matters, cases, self.dirty_rate)
        matters, history = sinks["matters.csv"], sinks["matter_stage_history.csv"]
        for n in range(self.sizes.matters):
            matters.write(self.matter_row(n, dirt.case(n), history))

    def write_third_parties(self, sinks: Sinks) -> None:
        sink = sinks["third_party_access.csv"]
        for n in range(self.sizes.third_parties):
            party_type = self.pick(("real_estate_agent", "real_estate_agent", "mortgage_broker",
                                    "referral_partner", "other"))
            organisation = self.pick(THIRD_PARTY_ORGS[party_type])
            first, last = self.person()
            domain = ORGANISATION_DOMAINS[organisation]
            granted, modified = self.created_and_changed()
            sink.write([f"TP-{n + 1:06d}", f"M-{self.between(1, self.sizes.matters):06d}", party_type,
                        first, last, self.email(first, last, domain), self.phone(), organisation,
                        self.pick(("view", "view", "upload", "full")), granted, modified])

    # activities, tasks, documents -----------------------------------------------------------

    def refs(self) -> tuple[str, str, str]:
        """client_id, contact_id, matter_id of a record hanging off a random matter (or client)."""
        matter = int(self.r() * self.sizes.matters)
        client = self.client_of_matter(matter)
        contact = f"P-{self.contact_of_client(client) + 1:06d}" if self.r() < 0.8 else ""
        matter_id = f"M-{matter + 1:06d}" if self.r() < 0.85 else ""
        return f"C-{client + 1:06d}", contact, matter_id

    def plain_email(self, name: str, author: tuple[str, str, str]) -> str:
        body = " ".join(self.rng.sample(SENTENCES, self.between(1, 3)))
        return f"Hi {name},\n\n{body}\n\nKind regards,\n{author[1]} {author[2]}\nHarbour Law"

    def html_email(self, name: str, author: tuple[str, str, str], matter_id: str, image: bool) -> str:
        parts = [f"<p>Hi {name},</p>", f"<p>{self.pick(SENTENCES)}</p>"]
        if self.r() < 0.5:
            items = "".join(f"<li>{item}</li>" for item in self.rng.sample(CHECKLIST, self.between(2, 4)))
            parts.append(f"<p>Please send us:</p><ul>{items}</ul>")
        parts.append(f"<p>Please note: <b>{self.pick(BOLD_PHRASES)}</b>.</p>")
        if self.r() < 0.5:
            link = f"https://portal.{FIRM_DOMAIN}/matters/{matter_id or 'inbox'}"
            parts.append(f'<p>You can upload documents through the <a href="{link}">client portal</a>.</p>')
        parts.append(f"<p>Kind regards,<br>{author[1]} {author[2]}</p>")
        if image:
            parts.append(f"<p>{INLINE_IMAGE}</p>")
        return "\n".join(parts) if self.r() < 0.5 else "".join(parts)

    def activity_text(self, kind: str, author: tuple[str, str, str], matter_id: str,
                      case: str | None) -> tuple[str, str]:
        """Subject and body for one activity of the given kind."""
        name = self.pick(FIRST_NAMES)
        if kind == "email":
            subject = self.pick(EMAIL_SUBJECTS)
            if case == "inline_image" or self.r() < 1 / 3:
                return subject, self.html_email(name, author, matter_id, case == "inline_image")
            return subject, self.plain_email(name, author)
        if kind == "call":
            subject, body = self.pick(CALLS)
            return subject, body.format(name=name, sentence=self.pick(SENTENCES))
        if kind == "sms":
            return "SMS", self.pick(tuple(SMS_TEMPLATES.values())).format(name=name)
        return self.pick(NOTE_SUBJECTS), "\n".join(self.rng.sample(SENTENCES, self.between(1, 3)))

    def write_activities(self, sinks: Sinks) -> None:
        sink = sinks["activities.csv"]
        dirt = Dirt(self.rng, self.sizes.activities, ("inline_image",), self.dirty_rate)
        kinds = ("email", "email", "email", "email", "call", "call", "note", "note", "sms")
        for n in range(self.sizes.activities):
            case = dirt.case(n)
            kind = "email" if case == "inline_image" else self.pick(kinds)
            client, contact, matter = self.refs()
            author = self.pick(self.staff)
            subject, body = self.activity_text(kind, author, matter, case)
            occurred, modified = self.created_and_changed(high=LAST_DAY)
            sink.write([f"A-{n + 1:06d}", kind, subject, body, occurred, author[0], client, contact,
                        matter, modified])

    def task_description(self) -> str:
        draw = self.r()
        if draw < 0.2:
            return ""
        if draw < 0.45:
            items = "\n".join(f"- {item}" for item in self.rng.sample(CHECKLIST, self.between(2, 3)))
            return f"Checklist:\n{items}"
        return self.pick(SENTENCES)

    def write_tasks(self, sinks: Sinks) -> None:
        sink = sinks["tasks.csv"]
        dirt = Dirt(self.rng, self.sizes.tasks, ("unknown_owner",), self.dirty_rate)
        for n in range(self.sizes.tasks):
            case = dirt.case(n)
            client, contact, matter = self.refs()
            created, modified = self.created_and_changed()
            due = DAYS[min(LAST_DAY, DAY_INDEX[created[:10]] + self.between(1, 30))]
            sink.write([f"T-{n + 1:06d}", self.pick(TASK_TITLES), self.task_description(),
                        self.pick(TASK_STATUSES), self.pick(PRIORITIES), due, self.staff_email(case),
                        client, contact, matter, created, modified])

    def write_documents(self, sinks: Sinks) -> None:
        sink = sinks["documents.csv"]
        for document, missing in self.documents(self.sizes.documents, "D", DOCUMENT_KINDS, 100, 2000,
                                                self.dirty_rate):
            client, contact, matter = self.refs()
            uploaded, modified = self.created_and_changed()
            sink.write([document.record_id, document.file_name, document.path, document.mime,
                        str(document.size), uploaded, self.staff_email(), client, contact, matter, modified])
            if self.with_files and not missing:
                (self.out / document.path).write_bytes(document.placeholder())


def generate_export(out_dir: str | Path, records: int, seed: int = 7, dirty_rate: float = 0.05,
                    with_files: bool = True) -> dict[str, int]:
    """Write a Perfect Portal export into `out_dir` (arguments: see `common.export_folder`) and return the
    number of data rows written per CSV file."""
    out = export_folder(out_dir, records, dirty_rate, with_files=with_files)
    run = PerfectPortalExport(out, Sizes.for_records(records), seed, dirty_rate, with_files)
    return write_files(out, LAYOUTS, [run.write_users, run.write_reference, run.write_clients,
                                      run.write_contacts, run.write_matters, run.write_third_parties,
                                      run.write_activities, run.write_tasks, run.write_documents])
