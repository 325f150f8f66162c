"""Seeded, streaming generator of BackDocket exports (format: docs/backdocket_export.md).

Why it exists: the reader and the mappings must be exercised on exports of any size that look
like a real Chicago personal-injury firm's and carry the mess real exports carry, without touching
client data. Rows go to the `csv` module as soon as they are made, and every cross-reference
(case → client, note → contact, event → court …) is computed from row numbers instead of being
remembered, so memory stays flat whatever `records` is. Every value comes from one
`random.Random(seed)` drawn in a fixed order, so a seed reproduces an export byte for byte.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from migration_pipeline.generator.calloway_brandt_data import (
    ACCENTED_FIRST, ACCENTED_LAST, ADVANCE_NEWEST, ADVANCE_OLDEST, AREA_CODES, BAD_EMAILS,
    BAD_PHONES, CASE_CODES, CASE_PATH, CASE_TYPES, CITIES, CLAIM_TYPES, CLIENT_SLOTS,
    CONTACT_TYPE_LAYOUT, COVERAGE_TYPES, CUSTOM_FIELDS, DEPOSITION_PLACES, DOCUMENT_KINDS,
    DOLLAR_SHARE, DROPPED_SHARE, EMPLOYER_TYPE, EVENT_TITLES, EVENT_TYPES, FEE_SPLITS, FIRM_DOMAIN,
    FIRM_SLOTS, FIRM_TYPE_LAYOUT, FIRST_NAMES, INDUSTRY, INJURY_TYPES, INTAKE_STATUSES,
    INVOICE_STATUSES, IN_COURT, JURISDICTIONS, LANGUAGES, LAST_NAMES, LEADING_ROLES, LIENHOLDERS,
    LIEN_STATUSES, LIEN_TYPES, LIMITATION_YEARS, MEDIATION_PLACES, NOTE_SUBJECTS, ODD_INTAKE_STATUS,
    OFFICE, OTHER_ROLES, PERSONAL_DOMAINS, POLICY_LIMITS, RECURRING_SHARE, RECURRING_TASKS,
    REFERRED_BY_A_FIRM, REFERRING_SOURCES, SENTENCES, SETTLED_BEFORE_SUIT, STAFF_FIRST_NAMES,
    STAFF_LAST_NAMES, STREETS, TASK_TITLES, UNITS, UNKNOWN_STAFF, WORKERS_COMP_COURT, WORKFLOWS,
    carrier_name, count_slots, firm_name, note_body, row_of_rank, task_description,
)
from migration_pipeline.generator.common import (
    Dirt, Layout, Row, SeededDraws, Sink, Sinks, ascii_slug, coprime_step, export_folder, share_of,
    write_files,
)

__all__ = ["generate_export"]

# --- the export's shape ----------------------------------------------------------------------

# One header per file, in the export's column order (docs/backdocket_export.md).
COLUMNS: dict[str, tuple[str, ...]] = {
    "users.csv": ("user_id", "email", "first_name", "last_name", "role", "active"),
    "firms.csv": ("firm_id", "name", "domain", "phone", "address_line1", "city", "state", "zip",
                  "country", "industry", "firm_type", "created_at", "updated_at", "bar_registration",
                  "fee_split_percent"),
    "contacts.csv": ("contact_id", "firm_id", "first_name", "last_name", "email", "phone", "mobile",
                     "address_line1", "city", "state", "zip", "date_of_birth", "contact_type",
                     "owner_email", "created_at", "updated_at", "preferred_language",
                     "marketing_consent", "injury_types"),
    "cases.csv": ("case_id", "contact_id", "case_number", "case_type", "case_status",
                  "assigned_attorney_email", "court_jurisdiction_id", "opened_on", "closed_on",
                  "statute_of_limitations", "created_at", "updated_at"),
    "case_status_history.csv": ("history_id", "case_id", "status", "changed_at", "changed_by_email"),
    "intakes.csv": ("intake_id", "contact_id", "claim_type", "intake_status", "intake_date",
                    "incident_date", "referring_source", "referring_firm_id", "created_at",
                    "updated_at"),
    "documents.csv": ("document_id", "contact_id", "case_id", "file_name", "file_path", "mime_type",
                      "size_bytes", "uploaded_at", "uploaded_by_email", "updated_at"),
    "tasks.csv": ("task_id", "contact_id", "case_id", "title", "description", "status", "due_on",
                  "completed_at", "assignee_email", "recurrence_rule", "created_at", "updated_at"),
    "calendar_events.csv": ("event_id", "contact_id", "case_id", "title", "event_type", "starts_at",
                            "ends_at", "location", "court_jurisdiction_id", "description", "created_at",
                            "updated_at"),
    "liens.csv": ("lien_id", "contact_id", "case_id", "lienholder", "lien_type", "amount", "status",
                  "filed_on", "updated_at"),
    "insurance_policies.csv": ("policy_id", "contact_id", "case_id", "carrier", "policy_number",
                               "coverage_type", "limit_amount", "claim_number", "adjuster_email",
                               "updated_at"),
    "court_jurisdictions.csv": ("jurisdiction_id", "court_name", "court_type", "county", "state",
                                "e_filing", "updated_at", "address"),
    "invoices.csv": ("invoice_id", "contact_id", "case_id", "invoice_number", "amount", "issued_on",
                     "due_on", "status", "updated_at"),
    "notes.csv": ("note_id", "contact_id", "case_id", "subject", "body", "created_at", "author_email",
                  "updated_at"),
    "workflows.csv": ("workflow_id", "name", "trigger", "steps", "enabled"),
    "custom_field_definitions.csv": ("object", "column", "label", "type", "options"),
}

START = date(2021, 1, 1)
DAYS = tuple((START + timedelta(days=n)).isoformat() for n in range((date(2026, 9, 30) - START).days + 1))
DAY_INDEX = {day: n for n, day in enumerate(DAYS)}
LAST_DAY = len(DAYS) - 1
TIMES = tuple(f"T{hour:02d}:{minute:02d}:00" for hour in range(8, 19) for minute in range(0, 60, 5))
US_TIMES = tuple(f"{hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"
                 for hour in range(8, 19) for minute in range(0, 60, 5))
# Courts a case is filed in (indexes into JURISDICTIONS): mostly Cook County's Law Division.
COURT_CHOICES = (0, 0, 0, 0, 1, 2, 3, 4, 6, 7)
SLUGS = {name: ascii_slug(name) for name in FIRST_NAMES + LAST_NAMES + ACCENTED_FIRST + ACCENTED_LAST}


_MASK64 = 2**64 - 1


def _mix(n: int, salt: int) -> int:
    """A well-spread number from a row number and a salt (SplitMix64's finaliser), so a row's fixed
    traits (a case's type and court) can be recomputed wherever the row is referenced instead of
    being remembered."""
    x = (n * 0x9E3779B97F4A7C15 + salt) & _MASK64
    x = (x ^ x >> 30) * 0xBF58476D1CE4E5B9 & _MASK64
    x = (x ^ x >> 27) * 0x94D049BB133111EB & _MASK64
    return x ^ x >> 31


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _us_date(iso_day: str) -> str:
    """'2024-03-14' → '03/14/2024', as typed by hand into a US date cell."""
    return f"{iso_day[5:7]}/{iso_day[8:10]}/{iso_day[:4]}"


# --- sizes and cross-references ----------------------------------------------------------------


# Each object's share of the requested records, as in a real firm's export (case status history
# comes on top, a few rows per case).
SHARES = {"firms": 0.05, "contacts": 0.18, "cases": 0.08, "intakes": 0.08, "documents": 0.07,
          "tasks": 0.12, "events": 0.09, "liens": 0.04, "policies": 0.04, "invoices": 0.05, "notes": 0.18}


@dataclass(frozen=True)
class Sizes:
    """How many rows each object gets for a requested total (see SHARES); 6–10 users."""

    firms: int
    contacts: int
    cases: int
    intakes: int
    documents: int
    tasks: int
    events: int
    liens: int
    policies: int
    invoices: int
    notes: int
    users: int

    @classmethod
    def for_records(cls, records: int) -> Sizes:
        rows = {name: share_of(records, share) for name, share in SHARES.items()}
        return cls(**rows, users=min(10, 6 + records // 150))


# --- the generator -----------------------------------------------------------------------------


class BackDocketExport(SeededDraws):
    """One generation run: the seeded RNG, the sizes and the firm's staff, shared by every object."""

    def __init__(self, out_dir: Path, sizes: Sizes, seed: int, dirty_rate: float, with_files: bool):
        super().__init__(seed, DAYS, TIMES)
        self.out = out_dir
        self.sizes = sizes
        self.dirty_rate = dirty_rate
        self.with_files = with_files
        self.staff: list[tuple[str, str, str, str]] = []  # (email, first, last, role); at most 10
        self.clients = count_slots(sizes.contacts, len(CONTACT_TYPE_LAYOUT), CLIENT_SLOTS)
        self.firms_of_type = {kind: count_slots(sizes.firms, len(FIRM_TYPE_LAYOUT), slots)
                              for kind, slots in FIRM_SLOTS.items()}
        self.case_client_step = coprime_step(self.clients)
        self.case_day_span = LAST_DAY - 20  # cases open in id order, spread over the whole period
        self.case_numbers: dict[tuple[int, str], int] = {}  # (year, code) → last number: ≤ 30 keys
        self.name_step = coprime_step(len(FIRST_NAMES) * len(LAST_NAMES))
        self.name_offset = self.bits(16)
        self.trait_salt = self.bits(32)

    # small draws (the shared ones come from SeededDraws) ------------------------------------

    def updated_after(self, day: int, stamp: str) -> str:
        later = min(LAST_DAY, day + int(self.r() ** 2 * 90))
        return stamp if later == day else self.stamp(later)

    def money(self, low: int, high: int) -> str:
        """Dollars and cents, mostly '4812.50', sometimes typed '$4,812.50'."""
        cents = self.between(low * 100, high * 100)
        if self.r() < DOLLAR_SHARE:
            return f"${cents // 100:,}.{cents % 100:02d}"
        return f"{cents // 100}.{cents % 100:02d}"

    def email(self, first: str, last: str, suffix: str, domain: str = "") -> str:
        """An address in one of three shapes, at `domain` or a personal mailbox; `suffix` keeps it
        unique (see contact_name)."""
        draw = self.bits(8)
        domain = domain or PERSONAL_DOMAINS[draw % len(PERSONAL_DOMAINS)]
        separator = ("." if draw < 128 else "_" if draw < 160 else "")
        return f"{SLUGS[first]}{separator}{SLUGS[last]}{suffix}@{domain}"

    def phone(self) -> str:
        """A US number in one of the ways people type them; always in the fictional 555-01xx block."""
        draw = self.bits(24)
        area, line, style = AREA_CODES[draw % len(AREA_CODES)], draw // 16 % 100, draw >> 21
        if style < 3:
            return f"({area}) 555-01{line:02d}"
        if style < 5:
            return f"{area}-555-01{line:02d}"
        if style < 7:
            return f"+1 {area} 555 01{line:02d}"
        return f"{area}.555.01{line:02d}"

    def address(self) -> tuple[str, str, str, str]:
        city, state, zip_code = self.pick(CITIES)
        return f"{self.between(100, 9899)} {self.pick(STREETS)}{self.pick(UNITS)}", city, state, zip_code

    def staff_email(self, case: str | None = None, role: str | None = None) -> str:
        """A member of staff (of `role` if given); for 'unknown_staff' someone not in users.csv."""
        if case == "unknown_staff":
            return self.pick(UNKNOWN_STAFF)
        if role is None:
            return self.pick(self.staff)[0]
        return self.pick([member for member in self.staff if member[3] == role])[0]

    def missing_ref(self, prefix: str, existing: int, width: int) -> str:
        """An id beyond the last one in the export: a record deleted before the export was taken."""
        lowest = max(9 * 10 ** (width - 1), existing + 1)
        return f"{prefix}-{lowest + self.between(0, 10 ** (width - 1) - 1):0{width}d}"

    # cross-references, computed rather than remembered ---------------------------------------

    def client_contact(self, client: int) -> str:
        return f"CT-{row_of_rank(client, len(CONTACT_TYPE_LAYOUT), CLIENT_SLOTS) + 1:06d}"

    def client_of_case(self, case: int) -> int:
        """Cases go to clients in a scattered order; about one client in six gets two cases."""
        return case * 17 // 20 * self.case_client_step % self.clients

    def case_start_day(self, case: int) -> int:
        return case * self.case_day_span // self.sizes.cases

    def trait(self, row: int, kind: int) -> int:
        """A fixed random number per (row, kind) that depends on the seed but costs no draw."""
        return _mix(row, self.trait_salt + kind)

    def case_type(self, case: int) -> str:
        return CASE_TYPES[self.trait(case, 1) % len(CASE_TYPES)]

    def is_suit_bound(self, case: int) -> bool:
        """Whether the case is (or will be) filed in court: its venue is then set from opening,
        and only such cases get court dates and hearings."""
        return self.trait(case, 3) % 100 >= SETTLED_BEFORE_SUIT * 100

    def court_of_case(self, case: int) -> int:
        if self.case_type(case) == "Workers Compensation":
            return WORKERS_COMP_COURT
        return COURT_CHOICES[self.trait(case, 2) % len(COURT_CHOICES)]

    def firm_ref(self, kind: str) -> str:
        """A random firm of the given type, or '' when the export is too small to have one."""
        count = self.firms_of_type[kind]
        if count == 0:
            return ""
        rank = int(self.r() * count)
        return f"F-{row_of_rank(rank, len(FIRM_TYPE_LAYOUT), FIRM_SLOTS[kind]) + 1:05d}"

    def case_refs(self, with_case: float = 1.0, dirt: str | None = None) -> tuple[int, str, str]:
        """(case row, contact_id, case_id) of a record hanging off a random case; sometimes the
        record is filed on the client only. The dirty cases drop or break the contact."""
        case = int(self.r() * self.sizes.cases)
        case_id = f"CA-{case + 1:05d}" if self.r() < with_case else ""
        if dirt == "unknown_contact":
            return case, self.missing_ref("CT", self.sizes.contacts, 6), case_id
        return case, "" if dirt == "no_parent" else self.client_contact(self.client_of_case(case)), case_id

    # users, workflows, custom fields, courts ---------------------------------------------------

    def write_users(self, sinks: Sinks) -> None:
        sink = sinks["users.csv"]
        taken: set[str] = set()
        for n in range(self.sizes.users):
            first, last = self.pick(STAFF_FIRST_NAMES), self.pick(STAFF_LAST_NAMES)
            email = f"{SLUGS[first]}.{SLUGS[last]}@{FIRM_DOMAIN}"
            if email in taken:
                email = f"{SLUGS[first][0]}{SLUGS[last]}{n}@{FIRM_DOMAIN}"
            taken.add(email)
            role = LEADING_ROLES[n] if n < len(LEADING_ROLES) else self.pick(OTHER_ROLES)
            self.staff.append((email, first, last, role))
            active = "no" if n >= len(LEADING_ROLES) and self.r() < 0.15 else "yes"
            sink.write([f"U-{n + 1:03d}", email, first, last, role, active])

    def write_reference(self, sinks: Sinks) -> None:
        """The fixed tables: workflows, custom field definitions and the courts."""
        workflows, courts = sinks["workflows.csv"], sinks["court_jurisdictions.csv"]
        for n, workflow in enumerate(WORKFLOWS):
            workflows.write([f"WF-{n + 1:02d}", *workflow])
        sinks["custom_field_definitions.csv"].write_all(CUSTOM_FIELDS)
        for n, (court, court_type, county, state, e_filing, address) in enumerate(JURISDICTIONS):
            courts.write([f"J-{n + 1:03d}", court, court_type, county, state, e_filing,
                          self.stamp(self.between(0, 60)), address])

    # firms ------------------------------------------------------------------------------------

    def write_firms(self, sinks: Sinks) -> None:
        sink = sinks["firms.csv"]
        for n in range(self.sizes.firms):
            kind = FIRM_TYPE_LAYOUT[n % len(FIRM_TYPE_LAYOUT)]
            name, domain = firm_name(n)
            line1, city, state, zip_code = self.address()
            created, updated = self.created_and_changed(high=LAST_DAY - 200)
            is_law_firm = kind in ("referring_firm", "co_counsel")
            bar = f"ARDC {self.between(6_180_000, 6_349_999)}" if is_law_firm and self.r() < 0.9 else ""
            split = self.pick(FEE_SPLITS) if is_law_firm else ""
            sink.write([f"F-{n + 1:05d}", name, domain, self.phone(), line1, city, state, zip_code,
                        "United States", INDUSTRY[kind], kind,
                        created, updated, bar, split])

    # contacts ---------------------------------------------------------------------------------

    def contact_name(self, n: int) -> tuple[str, str, str]:
        """(first, last, email suffix) of contact row n. Names follow a permutation of all
        first × last pairs, so no two contacts share a name until every pair is used; from then
        on a number is appended to the email, so addresses are unique without remembering them."""
        pairs = len(FIRST_NAMES) * len(LAST_NAMES)
        pair, lap = (n * self.name_step + self.name_offset) % pairs, n // pairs
        first, last = FIRST_NAMES[pair % len(FIRST_NAMES)], LAST_NAMES[pair // len(FIRST_NAMES)]
        return first, last, str(lap + 1) if lap else ""

    def contact_names(self, n: int, case: str | None, recent: deque[tuple[str, str, str]],
                      domain: str) -> tuple[str, str, str]:
        """(first, last, email) for one contact, shaped by its dirty case; `domain` is the
        employer's, if any."""
        if case == "duplicate" and recent:
            return self.copy_of_recent(recent)
        if case == "cp1252_name":
            # The row number as suffix: accented names are drawn at random, unlike the others.
            first, last, suffix = self.pick(ACCENTED_FIRST), self.pick(ACCENTED_LAST), str(n + 1)
        else:
            first, last, suffix = self.contact_name(n)
        if case == "bad_email":
            return first, last, self.pick(BAD_EMAILS)
        email = self.email(first, last, suffix, domain)
        recent.append((first, last, email))
        if case == "no_name":
            return "", "", email
        return first, last, email

    def contact_row(self, n: int, case: str | None, recent: deque[tuple[str, str, str]]) -> Row:
        kind = CONTACT_TYPE_LAYOUT[n % len(CONTACT_TYPE_LAYOUT)]
        firm, domain = "", ""
        if case == "unknown_firm":
            firm = self.missing_ref("F", self.sizes.firms, 5)
        elif kind in EMPLOYER_TYPE and (kind != "opposing_counsel" or self.r() < 0.6):
            firm = self.firm_ref(EMPLOYER_TYPE[kind])
            domain = firm_name(int(firm[2:]) - 1)[1] if firm else ""
        first, last, email = self.contact_names(n, case, recent, domain)
        phone, mobile = self.phone() if self.r() < 0.4 else "", self.phone()
        if case == "bad_phone":
            phone, mobile = self.pick(BAD_PHONES), self.pick(("", *BAD_PHONES))
        line1, city, state, zip_code = self.address() if kind in ("client", "witness") else ("", "", "", "")
        born = ""
        if kind == "client" or (kind == "witness" and self.r() < 0.3):
            born = (date(1948, 1, 1) + timedelta(days=self.between(0, 60 * 365))).isoformat()
        created, updated = self.created_and_changed()
        is_client = kind == "client"
        injuries = ""
        if is_client and self.r() < 0.8:
            injuries = ";".join(self.rng.sample(INJURY_TYPES, self.between(1, 3)))
        return [f"CT-{n + 1:06d}", firm, first, last, email, phone, mobile, line1, city, state,
                zip_code, born, kind, self.staff_email(case), created, updated,
                self.pick(LANGUAGES) if is_client else "",
                ("yes" if self.r() < 0.4 else "no") if is_client else "", injuries]

    def write_contacts(self, sinks: Sinks) -> None:
        sink = sinks["contacts.csv"]
        cases = ("duplicate", "bad_email", "bad_phone", "no_name", "unknown_firm", "unknown_staff",
                 "cp1252_name")
        # Forced cases start a few rows in, so a forced duplicate always has someone to copy.
        dirt = Dirt(self.rng, self.sizes.contacts, cases, self.dirty_rate, first=8)
        recent: deque[tuple[str, str, str]] = deque(maxlen=64)
        for n in range(self.sizes.contacts):
            sink.write(self.contact_row(n, dirt.case(n), recent))

    # cases and their status history -----------------------------------------------------------

    def status_path(self, case: int, opened_day: int) -> list[str]:
        """The statuses a case went through, ending at its current one."""
        if self.r() < DROPPED_SHARE:
            full = ["Open", "Investigation", "Closed"]
        else:
            full = [status for status in CASE_PATH if status != "Litigation" or self.is_suit_bound(case)]
        advance = ADVANCE_OLDEST + (ADVANCE_NEWEST - ADVANCE_OLDEST) * opened_day / LAST_DAY
        reach = 2  # every case is investigated; only the newest are still 'Open' (cut off by today)
        while reach < len(full) and self.r() < advance:
            reach += 1
        return full[:reach]

    def case_number(self, year: int, code: str) -> str:
        number = self.case_numbers.get((year, code), 0) + 1
        self.case_numbers[(year, code)] = number
        return f"{year}-{code}-{number:04d}"

    def case_row(self, n: int, case: str | None, history: Sink) -> Row:
        case_type, case_id = self.case_type(n), f"CA-{n + 1:05d}"
        start, end = self.case_start_day(n), self.case_start_day(n + 1)
        opened_day = start + int(self.r() * max(1, end - start))
        attorney = self.staff_email(case, role="attorney")
        day, steps = opened_day, []
        for status in self.status_path(n, opened_day):
            if day > LAST_DAY:
                break  # the case has not got that far yet
            stamp = self.stamp(day)
            steps.append((status, day, stamp))
            history.write([f"CSH-{history.rows + 1:06d}", case_id, status, stamp,
                           self.staff_email(role="paralegal") if self.r() < 0.6 else self.staff_email()])
            day += self.between(14, 150)
        status, last_day, last_stamp = steps[-1]
        opened = date.fromisoformat(DAYS[opened_day])
        incident = opened - timedelta(days=self.between(1, 120))
        limitation = _years_later(incident, LIMITATION_YEARS.get(case_type, 2))
        court = f"J-{self.court_of_case(n) + 1:03d}" if self.is_suit_bound(n) else ""
        client = self.missing_ref("CT", self.sizes.contacts, 6) if case == "unknown_contact" \
            else self.client_contact(self.client_of_case(n))
        return [case_id, client, self.case_number(opened.year, CASE_CODES[case_type]), case_type,
                status, attorney, court, opened.isoformat(),
                DAYS[last_day] if status == "Closed" else "", limitation.isoformat(), steps[0][2],
                self.updated_after(last_day, last_stamp)]

    def write_cases(self, sinks: Sinks) -> None:
        cases, history = sinks["cases.csv"], sinks["case_status_history.csv"]
        dirt = Dirt(self.rng, self.sizes.cases, ("unknown_contact", "unknown_staff"), self.dirty_rate)
        for n in range(self.sizes.cases):
            cases.write(self.case_row(n, dirt.case(n), history))

    # intakes ----------------------------------------------------------------------------------

    def write_intakes(self, sinks: Sinks) -> None:
        sink = sinks["intakes.csv"]
        dirt = Dirt(self.rng, self.sizes.intakes, ("odd_status", "us_date"), self.dirty_rate)
        step = coprime_step(self.clients)
        for n in range(self.sizes.intakes):
            case = dirt.case(n)
            day = self.between(0, LAST_DAY)
            intake_day = DAYS[day]
            incident = DAYS[max(0, day - int(self.r() ** 2 * 90))]
            status = ODD_INTAKE_STATUS if case == "odd_status" else self.pick(INTAKE_STATUSES)
            source = self.pick(REFERRING_SOURCES)
            referred = source in REFERRED_BY_A_FIRM and self.r() < 0.8
            referrer = self.firm_ref("referring_firm") if referred else ""
            created = self.stamp(day)
            sink.write([f"IN-{n + 1:06d}", self.client_contact((n * step + 3) % self.clients),
                        self.pick(CLAIM_TYPES), status,
                        _us_date(intake_day) if case == "us_date" else intake_day, incident, source,
                        referrer, created, self.updated_after(day, created)])

    # documents, tasks, calendar ---------------------------------------------------------------

    def write_documents(self, sinks: Sinks) -> None:
        sink = sinks["documents.csv"]
        for document, missing in self.documents(self.sizes.documents, "DOC", DOCUMENT_KINDS, 150, 600,
                                                self.dirty_rate):
            case_row, contact, case_id = self.case_refs(with_case=0.9)
            uploaded, updated = self.created_and_changed(low=self.case_start_day(case_row))
            sink.write([document.record_id, contact, case_id, document.file_name, document.path, document.mime,
                        str(document.size), uploaded, self.staff_email(), updated])
            if self.with_files and not missing:
                (self.out / document.path).write_bytes(document.placeholder())

    def write_tasks(self, sinks: Sinks) -> None:
        sink = sinks["tasks.csv"]
        dirt = Dirt(self.rng, self.sizes.tasks, ("unknown_staff", "us_date"), self.dirty_rate)
        for n in range(self.sizes.tasks):
            case = dirt.case(n)
            case_row, contact, case_id = self.case_refs(with_case=0.85)
            created, updated = self.created_and_changed(low=self.case_start_day(case_row))
            created_day = DAY_INDEX[created[:10]]
            # Recurrence follows the row, not a draw, so even a small export has recurring tasks.
            if self.trait(n, 4) % round(1 / RECURRING_SHARE) == 0:
                title, rule = self.pick(RECURRING_TASKS)
            else:
                title, rule = self.pick(TASK_TITLES), ""
            due = DAYS[min(LAST_DAY, created_day + self.between(2, 45))]
            completed_at = ""
            if self.r() < 0.55 and created_day < LAST_DAY:
                done_day = min(LAST_DAY, created_day + self.between(1, 40))
                completed_at = self.stamp(done_day)
                updated = max(updated, completed_at)
            sink.write([f"TSK-{n + 1:06d}", contact, case_id, title, task_description(self.rng),
                        "completed" if completed_at else "open", _us_date(due) if case == "us_date" else due,
                        completed_at, self.staff_email(case), rule, created, updated])

    def event_place(self, kind: str, case_row: int) -> tuple[str, str]:
        """(location, court_jurisdiction_id) of an event."""
        if kind in IN_COURT:
            court = self.court_of_case(case_row)
            room = f"Courtroom {self.between(2, 28)}{self.between(1, 99):02d}"
            return f"{room}, {JURISDICTIONS[court][5]}", f"J-{court + 1:03d}"
        if kind == "deposition":
            return self.pick(DEPOSITION_PLACES), ""
        if kind == "mediation":
            return self.pick(MEDIATION_PLACES), ""
        if kind == "consultation":
            return OFFICE if self.r() < 0.7 else "Phone", ""
        return "", ""

    def court_case(self) -> int | None:
        """A random suit-bound case, for a court date or hearing (None in a tiny export with none)."""
        for _ in range(50):
            case = int(self.r() * self.sizes.cases)
            if self.is_suit_bound(case):
                return case
        return None

    def write_events(self, sinks: Sinks) -> None:
        sink = sinks["calendar_events.csv"]
        dirt = Dirt(self.rng, self.sizes.events, ("us_date",), self.dirty_rate)
        for n in range(self.sizes.events):
            case = dirt.case(n)
            kind = self.pick(EVENT_TYPES)
            if kind in IN_COURT:
                case_row = self.court_case()
                if case_row is None:
                    kind, case_row = "deadline", 0
                contact = self.client_contact(self.client_of_case(case_row))
                case_id = f"CA-{case_row + 1:05d}"
            else:
                case_row, contact, case_id = self.case_refs(with_case=0.1 if kind == "consultation" else 1.0)
            day = self.between(self.case_start_day(case_row), LAST_DAY)
            # Courts sit 9:00 to 15:00; the firm's own events run all day.
            slot = self.between(12, 84) if kind in IN_COURT else int(self.r() * len(TIMES))
            starts = DAYS[day] + TIMES[slot]
            minutes = 0 if kind == "deadline" else self.pick((30, 60, 60, 90, 120, 180))
            end_slot = min(len(TIMES) - 1, slot + minutes // 5)
            location, court = self.event_place(kind, case_row)
            created_day = max(0, day - self.between(3, 90))
            created = self.stamp(created_day)
            description = self.pick(SENTENCES) if self.r() < 0.4 else ""
            sink.write([f"EV-{n + 1:06d}", contact, case_id, self.pick(EVENT_TITLES[kind]), kind,
                        f"{_us_date(DAYS[day])} {US_TIMES[slot]}" if case == "us_date" else starts,
                        DAYS[day] + TIMES[end_slot], location, court, description, created,
                        self.updated_after(created_day, created)])

    # liens, policies, invoices ----------------------------------------------------------------

    def write_liens(self, sinks: Sinks) -> None:
        sink = sinks["liens.csv"]
        dirt = Dirt(self.rng, self.sizes.liens, ("unknown_contact",), self.dirty_rate)
        amounts = {"medical": (400, 25_000), "hospital": (2_000, 90_000), "medicare": (800, 40_000),
                   "medicaid": (800, 30_000), "attorney": (1_500, 15_000)}
        for n in range(self.sizes.liens):
            case_row, contact, case_id = self.case_refs(dirt=dirt.case(n))
            lien_type = self.pick(LIEN_TYPES)
            filed, updated = self.created_and_changed(low=self.case_start_day(case_row))
            sink.write([f"LN-{n + 1:06d}", contact, case_id, self.pick(LIENHOLDERS[lien_type]), lien_type,
                        self.money(*amounts[lien_type]), self.pick(LIEN_STATUSES), filed[:10], updated])

    def write_policies(self, sinks: Sinks) -> None:
        sink = sinks["insurance_policies.csv"]
        dirt = Dirt(self.rng, self.sizes.policies, ("unknown_contact",), self.dirty_rate)
        carriers = max(1, self.firms_of_type["insurance_carrier"])
        for n in range(self.sizes.policies):
            case_row, contact, case_id = self.case_refs(dirt=dirt.case(n))
            carrier, domain = carrier_name(int(self.r() * carriers))
            prefix = "".join(word[0] for word in carrier.split()[:3] if word[0].isalpha()).upper()
            updated = self.created_and_changed(low=self.case_start_day(case_row))[1]
            limit = self.pick(POLICY_LIMITS)
            first, last = SLUGS[self.pick(STAFF_FIRST_NAMES)], SLUGS[self.pick(STAFF_LAST_NAMES)]
            sink.write([f"POL-{n + 1:06d}", contact, case_id, carrier,
                        f"{prefix}-{self.between(1_000_000, 9_999_999)}-{self.between(1, 9):02d}",
                        self.pick(COVERAGE_TYPES), f"${limit:,}.00" if self.r() < DOLLAR_SHARE else str(limit),
                        f"{prefix}{updated[2:4]}-{self.between(100_000, 999_999):07d}",
                        f"{first[0]}{last}@{domain}", updated])

    def write_invoices(self, sinks: Sinks) -> None:
        sink = sinks["invoices.csv"]
        for n in range(self.sizes.invoices):
            case_row, contact, case_id = self.case_refs()
            day = self.between(self.case_start_day(case_row), LAST_DAY)
            issued = DAYS[day]
            due = (date.fromisoformat(issued) + timedelta(days=30)).isoformat()
            status = self.pick(INVOICE_STATUSES)
            updated = self.updated_after(day, self.stamp(day))
            sink.write([f"INV-{n + 1:06d}", contact, case_id, f"CB-{issued[:4]}-{n + 1:05d}",
                        self.money(150, 25_000), issued, due, status, updated])

    # notes ------------------------------------------------------------------------------------

    def write_notes(self, sinks: Sinks) -> None:
        sink = sinks["notes.csv"]
        dirt = Dirt(self.rng, self.sizes.notes, ("no_parent", "unknown_contact"), self.dirty_rate)
        for n in range(self.sizes.notes):
            case_row, contact, case_id = self.case_refs(with_case=0.8, dirt=dirt.case(n))
            author = self.pick(self.staff)
            created, updated = self.created_and_changed(low=self.case_start_day(case_row))
            subject, body = self.pick(NOTE_SUBJECTS), note_body(self.rng, f"{author[1]} {author[2]}")
            sink.write([f"N-{n + 1:06d}", contact, case_id, subject, body, created, author[0], updated])


def generate_export(out_dir: str | Path, records: int, seed: int = 7, dirty_rate: float = 0.05,
                    with_files: bool = True) -> dict[str, int]:
    """Write a BackDocket export into `out_dir` (arguments: see `common.export_folder`) and return the
    number of data rows written per CSV file. A dirty export's contacts.csv is Windows-1252; a
    clean one is all UTF-8."""
    out = export_folder(out_dir, records, dirty_rate, with_files=with_files)
    run = BackDocketExport(out, Sizes.for_records(records), seed, dirty_rate, with_files)
    return write_files(out, _layouts(contacts_encoding="cp1252" if dirty_rate > 0 else "utf-8"), [
        run.write_users, run.write_reference, run.write_firms, run.write_contacts, run.write_cases,
        run.write_intakes, run.write_documents, run.write_tasks, run.write_events, run.write_liens,
        run.write_policies, run.write_invoices, run.write_notes])


def _layouts(contacts_encoding: str) -> dict[str, Layout]:
    """contacts.csv is what Excel's "Save as CSV" gives on a US Windows machine (Windows-1252)
    when the export is dirty, so the reader's tolerance is exercised; the rest is UTF-8."""
    return {name: (header, {"encoding": contacts_encoding} if name == "contacts.csv" else {})
            for name, header in COLUMNS.items()}
