"""Seeded, streaming generator of Profi exports (format: docs/profi_export.md).

Why it exists: the reader, the mapping and the loaders must be exercised on exports of any size
that look like a real London coaching practice's and carry the mess real exports carry, without
touching client data. Rows go to the `csv` module as soon as they are made and cross-references
are computed from row numbers, so memory stays flat whatever `records` is.

A package is written together with everything hanging off it (its billing records, its sessions
and their package_sessions rows, a few one-off sessions, its attachments), so a session's client
and dates come from its package without anything being remembered. How many sessions and
attachments each package gets is drawn from a second, separate RNG (`package_plans`) run once
up front just to count them: dirty cases are spread over rows, so the counts must be known before
the first row is written. Every other value comes from one `random.Random(seed)` drawn in a fixed
order, so a seed reproduces an export byte for byte.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from migration_pipeline.generator.common import (
    Dirt, Layout, MailboxStyle, Row, SeededDraws, Sink, Sinks, ascii_slug, coprime_step, export_folder,
    placeholder_file, share_of, unique_address, write_files,
)
from migration_pipeline.generator.northbank_data import (
    ACCENTED_FIRST, ACCENTED_LAST, ACTIONS, ATTACHMENT_KINDS, AUTOMATIONS, BAD_EMAILS,
    BAD_PHONES, CALLS, CANCELLED_SUMMARIES, COACHING_GOALS, COUNTRIES, CUSTOM_FIELDS,
    DURATIONS, EMAIL_SUBJECTS, FIRST_NAMES, FOCUS_AREAS, FREELANCE_TITLES,
    JOB_TITLES, LAST_NAMES, MESSAGES, NOTE_KINDS, NOTE_SENTENCES, NOTE_SUBJECTS,
    NO_SHOW_SUMMARIES, ONE_OFF_TITLES, ORGANISATIONS, PACKAGE_KINDS, PERSONAL_DOMAINS,
    PHONE_FORMATS, PLACES, POSTCODE_LETTERS, PRACTICE_DOMAIN, PRACTICE_NAME, RECORDING,
    REFERRAL_SOURCES, ROOM_LOCATIONS, SECOND_LINES, STAFF_FIRST_NAMES, STAFF_LAST_NAMES,
    STORAGE_URL, STREETS, SUMMARY_SENTENCES, UNKNOWN_COACHES, VIDEO_LOCATIONS, PackagePlan,
    package_plans,
)

__all__ = ["generate_export"]

# --- the export's shape ----------------------------------------------------------------------

COACH_COLUMNS = ("coach_id", "email", "first_name", "last_name", "role", "active")
CLIENT_COLUMNS = ("client_id", "first_name", "last_name", "display_name", "email", "phone",
                  "organisation", "job_title", "address_line1", "address_line2", "city", "county",
                  "postcode", "country", "coach_email", "created_at", "modified_at",
                  "referral_source", "coaching_goals", "focus_areas")
PACKAGE_COLUMNS = ("package_id", "client_id", "package_name", "price", "currency", "status",
                   "sessions_included", "starts_on", "ends_on", "coach_email", "created_at",
                   "modified_at", "renewal_reminder", "renewal_due_on")
SESSION_COLUMNS = ("session_id", "client_id", "package_id", "session_kind", "status", "title",
                   "starts_at", "duration_minutes", "location", "meeting_url", "summary",
                   "coach_email", "created_at", "modified_at", "session_type", "coach_rating")
PACKAGE_SESSION_COLUMNS = ("package_id", "session_id", "position")
BILLING_COLUMNS = ("billing_id", "package_id", "client_id", "invoice_id", "amount_due",
                   "amount_paid", "currency", "payment_status", "issued_on", "paid_on", "recurring",
                   "billing_interval", "modified_at")
NOTE_COLUMNS = ("note_id", "client_id", "note_type", "subject", "body", "created_at",
                "author_email", "modified_at")
ATTACHMENT_COLUMNS = ("attachment_id", "client_id", "session_id", "file_name", "file_path",
                      "external_url", "mime_type", "size_bytes", "uploaded_at", "uploaded_by_email",
                      "modified_at")
AUTOMATION_COLUMNS = ("automation_id", "name", "trigger", "action", "enabled")
CUSTOM_FIELD_COLUMNS = ("object", "column", "label", "type", "options")

# The practice opened in 2021 and exported on 1 November 2026: everything that happened is before
# that day, and sessions booked for later run to the end of March 2027.
START = date(2021, 1, 1)
DAYS = tuple((START + timedelta(days=n)).isoformat() for n in range((date(2027, 12, 31) - START).days + 1))
EXPORT_DAY = (date(2026, 11, 1) - START).days
LAST_PAST = EXPORT_DAY - 1
LAST_FUTURE = (date(2027, 3, 31) - START).days
FIRST_CLIENT_DAY = (date(2021, 3, 1) - START).days
UPCOMING_DAYS = 14  # a booked session this close to the export is 'upcoming', later 'scheduled'
OFFICE_TIMES = tuple(f"T{hour:02d}:{minute:02d}:00" for hour in range(8, 20) for minute in range(0, 60, 5))
SESSION_TIMES = tuple(f"{hour:02d}:{minute:02d}" for hour in range(8, 20) for minute in (0, 30))

SLUGS = {name: ascii_slug(name) for name in FIRST_NAMES + LAST_NAMES + ACCENTED_FIRST + ACCENTED_LAST
         + STAFF_FIRST_NAMES + STAFF_LAST_NAMES}
MAILBOXES = MailboxStyle(PERSONAL_DOMAINS, separator="", numbers=range(10, 99))


def day_first(day: str) -> str:
    """'2024-03-14' → '14/03/2024', as a UK spreadsheet shows it."""
    return f"{day[8:10]}/{day[5:7]}/{day[:4]}"


def pounds(amount: float, symbol: bool) -> str:
    """'1200.00', or '£1,200.00' as some cells were typed."""
    return f"£{amount:,.2f}" if symbol else f"{amount:.2f}"


# --- sizes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """Rows per object for a requested total, in a real practice's proportions: clients 12 %,
    packages 9 % (sessions, billing and attachments follow from their plans), sessions 38 %
    (topped up with one-off sessions), engagement notes 18 %, and a handful of coaches."""

    clients: int
    packages: int
    package_sessions: int
    one_off_sessions: int
    attachments: int
    notes: int
    coaches: int

    @property
    def sessions(self) -> int:
        return self.package_sessions + self.one_off_sessions

    @classmethod
    def for_records(cls, records: int, plan_seed: int) -> Sizes:
        clients, packages = share_of(records, 0.12), share_of(records, 0.09)
        package_sessions = attachments = 0
        for plan in package_plans(plan_seed, packages):
            package_sessions += plan.sessions
            attachments += plan.attachments
        return cls(clients=clients, packages=packages, package_sessions=package_sessions,
                   one_off_sessions=max(0, share_of(records, 0.38) - package_sessions),
                   attachments=attachments, notes=share_of(records, 0.18),
                   coaches=min(200, max(6, round(clients / 8))))


@dataclass
class SessionRef:
    """What a package's attachments need to know about one session written in the same group."""

    session_id: str
    client: int
    day: int
    completed: bool
    video: bool


# --- the generator -------------------------------------------------------------------------------


class ProfiExport(SeededDraws):
    """One generation run: the seeded RNG, the sizes and the practice's coaches."""

    def __init__(self, out_dir: Path, records: int, seed: int, dirty_rate: float, with_files: bool):
        super().__init__(seed, DAYS, OFFICE_TIMES)
        self.out = out_dir
        self.plan_seed = self.bits(64)
        self.sizes = Sizes.for_records(records, self.plan_seed)
        self.dirty_rate = dirty_rate
        self.with_files = with_files
        self.coaches: list[str] = []  # owner and coaches: the people clients are assigned to
        self.staff: list[tuple[str, str]] = []  # (email, first name) of everyone, assistants too
        self.package_step = coprime_step(self.sizes.clients)
        self.invoices_per_year: dict[str, int] = {}  # one counter per year: a handful of keys
        self.missing_clients = 0
        self.package_sessions_written = 0  # the row number package-session dirt is keyed on
        self.deleted_packages = 0

    # small draws (the shared ones come from SeededDraws) ------------------------------------

    def later_stamp(self, created: str, day: int) -> str:
        """A modification time on `day`, never before `created` (ISO text compares in order)."""
        return max(created, self.stamp(min(LAST_PAST, day)))

    def person(self) -> tuple[str, str]:
        return self.pick(FIRST_NAMES), self.pick(LAST_NAMES)

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        return MAILBOXES.address(self.bits(16), SLUGS[first], SLUGS[last], domain)

    def phone(self) -> str:
        """A UK number from Ofcom's drama ranges, in one of the formats people type them."""
        return self.pick(PHONE_FORMATS).format(tail=self.between(0, 999))

    def address(self) -> tuple[str, str, str, str, str]:
        """(line1, line2, town, county, postcode)."""
        town, county, district = self.pick(PLACES)
        inward = f"{self.between(1, 9)}{self.pick(POSTCODE_LETTERS)}{self.pick(POSTCODE_LETTERS)}"
        line1 = f"{self.between(1, 220)} {self.pick(STREETS)}"
        return line1, self.pick(SECOND_LINES), town, county, f"{district} {inward}"

    def coach_of_client(self, client: int) -> str:
        return self.coaches[client * 7919 % 104729 % len(self.coaches)]

    # cross-references, computed rather than remembered ---------------------------------------

    def client_day(self, client: int) -> int:
        """Clients were added steadily since the practice opened: the day follows the id."""
        return FIRST_CLIENT_DAY + client * (LAST_PAST - FIRST_CLIENT_DAY) // self.sizes.clients

    def client_of_package(self, package: int, previous: int | None) -> int:
        """Packages spread over clients by a permutation; a fifth are renewals by the client
        of the package before."""
        if previous is not None and self.r() < 0.2:
            return previous
        return package * self.package_step % self.sizes.clients

    # coaches, automations, custom fields -------------------------------------------------------

    def write_coaches(self, sinks: Sinks) -> None:
        taken: set[str] = set()
        last = self.sizes.coaches - 1
        # Shuffled once and dealt in turn, so a small practice has no two staff sharing a name.
        firsts = self.rng.sample(STAFF_FIRST_NAMES, len(STAFF_FIRST_NAMES))
        surnames = self.rng.sample(STAFF_LAST_NAMES, len(STAFF_LAST_NAMES))
        for n in range(self.sizes.coaches):
            first, surname = firsts[n % len(firsts)], surnames[n % len(surnames)]
            email = unique_address(SLUGS[first], SLUGS[surname], PRACTICE_DOMAIN, taken)
            role = "owner" if n == 0 else "assistant" if n == last else "coach"
            active = "no" if n and self.r() < 0.12 else "yes"
            self.staff.append((email, first))
            if role != "assistant":
                self.coaches.append(email)
            sinks["coaches.csv"].write([f"CO-{n + 1:06d}", email, first, surname, role, active])

    def write_reference(self, sinks: Sinks) -> None:
        """The fixed tables: the practice's first automations and the custom field definitions."""
        for n, automation in enumerate(AUTOMATIONS[: self.between(6, len(AUTOMATIONS))]):
            sinks["automations.csv"].write([f"AU-{n + 1:06d}", *automation])
        sinks["custom_field_definitions.csv"].write_all(CUSTOM_FIELDS)

    # clients ----------------------------------------------------------------------------------

    def client_names(self, case: str | None, recent: deque[tuple[str, str, str]],
                     domain: str | None) -> tuple[str, str, str, str]:
        """(first, last, display, email) for one client, shaped by its dirty case."""
        if case == "duplicate" and recent:
            first, last, email = self.copy_of_recent(recent)
            return first, last, f"{first} {last}", email
        if case == "accented_name":
            first, last = self.pick(ACCENTED_FIRST), self.pick(ACCENTED_LAST)
        else:
            first, last = self.person()
        if case == "bad_email":
            return first, last, f"{first} {last}", self.pick(BAD_EMAILS)
        email = self.email(first, last, domain)
        recent.append((first, last, email))
        if case == "no_name":
            return "", "", "", email
        if case == "display_name_only":
            display = self.pick((f"{first} {last}", f"{first} {last[0]}.", f"Dr {first} {last}"))
            return "", "", display, email
        return first, last, f"{first} {last}", email

    def client_row(self, n: int, case: str | None, recent: deque[tuple[str, str, str]]) -> Row:
        organisation, domain, job_title = "", None, self.pick(FREELANCE_TITLES)
        if self.r() < 0.5:
            organisation, work_domain = self.pick(ORGANISATIONS)
            job_title = self.pick(JOB_TITLES)
            domain = work_domain if self.r() < 0.5 else None
        first, last, display, email = self.client_names(case, recent, domain)
        phone = self.pick(BAD_PHONES) if case == "bad_phone" else self.phone()
        line1, line2, town, county, postcode = self.address()
        coach = self.pick(UNKNOWN_COACHES) if case == "unknown_coach" else self.coach_of_client(n)
        created = self.stamp(self.client_day(n))
        modified = self.later_stamp(created, self.client_day(n) + int(self.r() ** 3 * 600))
        referral = "Employer" if organisation and self.r() < 0.4 else self.pick(REFERRAL_SOURCES + ("",))
        focus = ";".join(self.rng.sample(FOCUS_AREAS, self.between(0, 2)))
        return [f"CL-{n + 1:06d}", first, last, display, email, phone, organisation, job_title,
                line1, line2, town, county, postcode, self.pick(COUNTRIES), coach, created, modified,
                referral, self.pick(COACHING_GOALS), focus]

    def write_clients(self, sinks: Sinks) -> None:
        cases = ("display_name_only", "no_name", "duplicate", "bad_email", "bad_phone",
                 "unknown_coach", "accented_name")
        # Forced cases start a few rows in, so a forced duplicate always has someone to copy.
        dirt = Dirt(self.rng, self.sizes.clients, cases, self.dirty_rate, first=8)
        recent: deque[tuple[str, str, str]] = deque(maxlen=64)
        for n in range(self.sizes.clients):
            sinks["clients.csv"].write(self.client_row(n, dirt.case(n), recent))

    # packages and everything hanging off them ----------------------------------------------

    def session_days(self, plan: PackagePlan, client: int) -> tuple[int, list[int], list[int]]:
        """(start day, days of past sessions, days of booked sessions) for one package."""
        past = plan.used + plan.cancelled
        low = self.client_day(client)
        high = LAST_PAST - 7 * past
        if plan.status == "Active":
            # Bought recently enough to be running; one not started yet was bought weeks ago.
            low = max(low, LAST_PAST - 30 if past == 0 else EXPORT_DAY - plan.kind.validity_days + 14)
        elif plan.status == "Expired":
            high = min(high, LAST_PAST - plan.kind.validity_days)
        start = self.between(min(low, high), high)
        past_days, day = [], start + self.between(0, 7)
        for remaining in range(past, 0, -1):
            past_days.append(day)
            # Gaps of one to four weeks, squeezed so the rest still fit before the export.
            day += min(self.between(7, 28), max(1, (LAST_PAST - day) // remaining))
        booked_days, day = [], EXPORT_DAY + self.between(0, UPCOMING_DAYS - 1)
        for _ in range(plan.booked):
            booked_days.append(min(day, LAST_FUTURE))
            day += self.between(7, 21)
        return start, past_days, booked_days

    def write_packages(self, sinks: Sinks) -> None:
        sizes = self.sizes
        package_dirt = Dirt(self.rng, sizes.packages,
                            ("unknown_coach", "odd_status", "day_first_start", "deleted_package_billing"),
                            self.dirty_rate)
        session_dirt = Dirt(self.rng, sizes.sessions, ("unknown_coach", "day_first_start"), self.dirty_rate)
        link_dirt = Dirt(self.rng, sizes.package_sessions, ("lost_link", "stale_link", "unlisted"),
                         self.dirty_rate)
        attachment_dirt = Dirt(self.rng, sizes.attachments, ("missing_file", "no_location"), self.dirty_rate)
        client = None
        for n, plan in enumerate(package_plans(self.plan_seed, sizes.packages)):
            client = self.client_of_package(n, client)
            group, bought_day = self.write_package(n, plan, client, package_dirt.case(n), sinks,
                                                   session_dirt, link_dirt)
            # One-off sessions are spread evenly between the packages.
            one_offs = sizes.one_off_sessions
            for _ in range((n + 1) * one_offs // sizes.packages - n * one_offs // sizes.packages):
                group.append(self.write_one_off(sinks["sessions.csv"], session_dirt))
            for _ in range(plan.attachments):
                row = sinks["attachments.csv"].rows
                self.write_attachment(sinks["attachments.csv"], attachment_dirt.case(row), client,
                                      bought_day, group)

    def write_package(self, n: int, plan: PackagePlan, client: int, case: str | None,
                      sinks: Sinks, session_dirt: Dirt,
                      link_dirt: Dirt) -> tuple[list[SessionRef], int]:
        """The package row, its billing records and its sessions; returns the sessions written
        and the day the package was bought."""
        kind = plan.kind
        package_id = f"PK-{n + 1:06d}"
        start, past_days, booked_days = self.session_days(plan, client)
        created_day = max(min(self.client_day(client), start), start - self.between(0, 10))
        created = self.stamp(created_day)
        last_event = (booked_days or past_days or [start])[-1]
        if booked_days:
            modified_day = self.between(created_day, LAST_PAST)
        else:
            modified_day = last_event + self.between(0, 5)
        known_coach = self.coach_of_client(client) if self.r() < 0.85 else self.pick(self.coaches)
        coach = self.pick(UNKNOWN_COACHES) if case == "unknown_coach" else known_coach
        price = kind.price * (0.9 if self.r() < 0.15 else 1.0)
        ends = start + kind.validity_days
        reminder = plan.status not in ("Cancelled", "Completed") and self.r() < 0.4
        starts_on = day_first(DAYS[start]) if case == "day_first_start" else DAYS[start]
        status = "On Hold" if case == "odd_status" else plan.status
        sinks["packages.csv"].write([
            package_id, f"CL-{client + 1:06d}", kind.name, pounds(price, self.r() < 0.15), "GBP",
            status, str(kind.sessions), starts_on, DAYS[ends], coach, created,
            self.later_stamp(created, modified_day), "yes" if reminder else "no",
            DAYS[ends - 14] if reminder else ""])
        self.write_billing(sinks["billing_records.csv"], package_id, client, plan, price, created_day)
        if case == "deleted_package_billing":
            self.write_deleted_package_billing(sinks["billing_records.csv"], client)
        refs = self.write_package_sessions(sinks, package_id, plan, client, created_day, known_coach,
                                           past_days, booked_days, session_dirt, link_dirt)
        return refs, created_day

    def payment(self, status: str, due: float, issued_day: int) -> tuple[str, float, int | None]:
        """(payment_status, amount_paid, day paid) for one billing record of a package in `status`."""
        draw = self.r()
        if status in ("Completed", "Expired"):
            state = "paid" if draw < 0.95 else "partially_paid"
        elif status == "Cancelled":
            state = "refunded" if draw < 0.45 else "void" if draw < 0.8 else "paid"
        else:
            state = "paid" if draw < 0.55 else "partially_paid" if draw < 0.75 else "unpaid"
        paid = {"paid": due, "refunded": due, "partially_paid": round(due * self.pick((0.25, 0.5)), 2)}
        paid_day = min(LAST_PAST, issued_day + self.between(0, 21)) if state in paid else None
        return state, paid.get(state, 0.0), paid_day

    def invoice_id(self, day: int) -> str:
        year = DAYS[day][:4]
        self.invoices_per_year[year] = self.invoices_per_year.get(year, 0) + 1
        return f"INV-{year}-{self.invoices_per_year[year]:04d}"

    def billing_row(self, sink: Sink, package_id: str, client: int, due: float, state: str,
                    paid: float, issued_day: int, paid_day: int | None, monthly: bool) -> Row:
        symbol = self.r() < 0.15
        modified = self.stamp(paid_day if paid_day is not None else issued_day)
        return [f"BL-{sink.rows + 1:06d}", package_id, f"CL-{client + 1:06d}", self.invoice_id(issued_day),
                pounds(due, symbol), pounds(paid, symbol), "GBP", state, DAYS[issued_day],
                DAYS[paid_day] if paid_day is not None else "", "yes" if monthly else "no",
                "monthly" if monthly else "none", modified]

    def write_billing(self, sink: Sink, package_id: str, client: int, plan: PackagePlan,
                      price: float, issued_day: int) -> None:
        """One record per package; a monthly package's is the recurring monthly amount, and some
        packages are paid in two instalments a month apart."""
        if plan.kind.monthly:
            dues = [round(price / 12, 2)]
        elif plan.instalments == 2:
            first = round(price / 2, 2)
            dues = [first, round(price - first, 2)]
        else:
            dues = [price]
        for due in dues:
            state, paid, paid_day = self.payment(plan.status, due, issued_day)
            sink.write(self.billing_row(sink, package_id, client, due, state, paid, issued_day,
                                        paid_day, plan.kind.monthly))
            issued_day = min(LAST_PAST, issued_day + 30)

    def write_deleted_package_billing(self, sink: Sink, client: int) -> None:
        """A billing record left behind by a package deleted before the export: its id follows
        the last exported package's."""
        self.deleted_packages += 1
        package_id = f"PK-{self.sizes.packages + self.deleted_packages:06d}"
        kind = self.pick(PACKAGE_KINDS)
        issued_day = self.between(self.client_day(client), LAST_PAST)
        state, paid, paid_day = self.payment(self.pick(("Completed", "Cancelled")), kind.price, issued_day)
        sink.write(self.billing_row(sink, package_id, client, kind.price, state, paid, issued_day,
                                    paid_day, False))

    def write_package_sessions(self, sinks: Sinks, package_id: str, plan: PackagePlan,
                               client: int, created_day: int, coach: str, past_days: list[int],
                               booked_days: list[int], session_dirt: Dirt,
                               link_dirt: Dirt) -> list[SessionRef]:
        sessions, links = sinks["sessions.csv"], sinks["package_sessions.csv"]
        cancelled_at = set(self.rng.sample(range(len(past_days)), plan.cancelled))
        refs, counted, position = [], 0, 0
        for index, day in enumerate(past_days + booked_days):
            if index in cancelled_at:
                status = "cancelled"
            elif index < len(past_days):
                status = "completed" if self.r() < 0.92 else "no_show"
            else:
                status = "upcoming" if day < EXPORT_DAY + UPCOMING_DAYS else "scheduled"
            number = counted + 1  # a cancelled session's number goes to the one rebooked after it
            counted += status != "cancelled"
            session_type = self.package_session_type(plan, number, status)
            title = (f"Monthly session {number}" if plan.kind.monthly
                     else f"Session {number} of {plan.kind.sessions}")
            link = link_dirt.case(self.package_sessions_written)
            self.package_sessions_written += 1
            session_id = f"SE-{sessions.rows + 1:06d}"
            package_ref = package_id
            if link in ("lost_link", "unlisted"):
                package_ref = ""
            elif link == "stale_link":
                package_ref = f"PKG-{self.between(10, 4999)}"  # the id an older Profi version used
            ref = self.write_session(sessions, session_dirt, client, package_ref, "package", status,
                                     title, day, max(created_day, day - 42), coach, session_type,
                                     self.pick(DURATIONS))
            refs.append(ref)
            if link != "unlisted":
                position += 1
                links.write([package_id, session_id, str(position)])
        return refs

    def package_session_type(self, plan: PackagePlan, number: int, status: str) -> str:
        if number == 1 and self.r() < 0.4:
            return "Discovery"
        if number == plan.kind.sessions and status == "completed":
            return "Review"
        return "Workshop" if self.r() < 0.05 else "Coaching"

    def write_one_off(self, sink: Sink, session_dirt: Dirt) -> SessionRef:
        client = int(self.r() * self.sizes.clients)
        low = self.client_day(client)
        if self.r() < 0.9:
            day = self.between(low, LAST_PAST)
            draw = self.r()
            status = "completed" if draw < 0.85 else "no_show" if draw < 0.92 else "cancelled"
        else:
            day = self.between(EXPORT_DAY, LAST_FUTURE)
            status = "upcoming" if day < EXPORT_DAY + UPCOMING_DAYS else "scheduled"
        title, session_type, duration = self.pick(ONE_OFF_TITLES)
        coach = self.coach_of_client(client) if self.r() < 0.85 else self.pick(self.coaches)
        return self.write_session(sink, session_dirt, client, "", "one_off", status, title, day,
                                  max(low, day - 42), coach, session_type, str(duration))

    def write_session(self, sink: Sink, session_dirt: Dirt, client: int, package_ref: str, kind: str,
                      status: str, title: str, day: int, earliest_booking: int, coach: str,
                      session_type: str, duration: str) -> SessionRef:
        case = session_dirt.case(sink.rows)
        session_id = f"SE-{sink.rows + 1:06d}"
        clock = self.pick(SESSION_TIMES)
        starts = f"{DAYS[day]}T{clock}:00"
        booked_day = min(LAST_PAST, max(earliest_booking, day - self.between(1, 21)))
        created = min(self.stamp(booked_day), starts)
        done = status in ("completed", "no_show")
        modified_day = day + self.between(0, 3) if done else self.between(booked_day, min(day, LAST_PAST))
        location, url = self.location()
        rating = str(self.pick((3, 4, 4, 5, 5, 5))) if status == "completed" and self.r() < 0.7 else ""
        if case == "unknown_coach":
            coach = self.pick(UNKNOWN_COACHES)
        sink.write([session_id, f"CL-{client + 1:06d}", package_ref, kind, status, title,
                    f"{day_first(DAYS[day])} {clock}" if case == "day_first_start" else starts,
                    duration, location, url, self.summary(status), coach, created,
                    self.later_stamp(created, modified_day), session_type, rating])
        return SessionRef(session_id, client, day, status == "completed", bool(url))

    def location(self) -> tuple[str, str]:
        """Where the session happens, with the meeting link for video calls."""
        if self.r() < 0.25:
            return self.pick(ROOM_LOCATIONS), ""
        name, link = self.pick(VIDEO_LOCATIONS)
        letters = "".join(chr(97 + self.between(0, 25)) for _ in range(10))
        return name, link.format(digits=self.between(10**9, 10**10 - 1),
                                 letters=f"{letters[:3]}-{letters[3:7]}-{letters[7:]}")

    def summary(self, status: str) -> str:
        """The coach's summary: plain text or simple HTML, mostly for sessions that happened."""
        if status == "no_show":
            return self.pick(NO_SHOW_SUMMARIES)
        if status == "cancelled":
            return self.pick(CANCELLED_SUMMARIES)
        if status != "completed":
            return "Agenda: review actions from last time." if self.r() < 0.1 else ""
        if self.r() < 0.12:
            return ""
        sentences = self.rng.sample(SUMMARY_SENTENCES, self.between(1, 3))
        actions = self.rng.sample(ACTIONS, self.between(1, 3))
        if self.r() < 0.35:
            items = "".join(f"<li>{action}</li>" for action in actions)
            return f"<p>{' '.join(sentences)}</p><p><strong>Actions</strong></p><ul>{items}</ul>"
        bullets = "\n".join(f"- {action}" for action in actions)
        return "\n".join(sentences) + f"\n\nActions:\n{bullets}"

    # attachments ----------------------------------------------------------------------------------

    def write_attachment(self, sink: Sink, case: str | None, package_client: int, bought_day: int,
                         group: list[SessionRef]) -> None:
        attachment_id = f"AT-{sink.rows + 1:06d}"
        held = [ref for ref in group if ref.completed]
        videos = [ref for ref in held if ref.video]
        uploader = self.pick(self.staff)[0]
        if case is None and videos and self.r() < 0.4:
            # Recordings stay on Profi's storage: only the link is exported, never the file.
            session = self.pick(videos)
            slug, ext, mime = RECORDING
            file_name = f"{slug}.{ext}"
            size = self.between(40, 900) * 1_000_000 + self.between(0, 999_999)
            uploaded = self.stamp(min(LAST_PAST, session.day + 1))
            sink.write([attachment_id, f"CL-{session.client + 1:06d}", session.session_id, file_name,
                        "", f"{STORAGE_URL}/{attachment_id}/{file_name}", mime, str(size), uploaded,
                        uploader, uploaded])
            return
        slug, ext, mime, per_session = self.pick(ATTACHMENT_KINDS)
        session = self.pick(held) if per_session and held else None
        client = session.client if session else package_client
        day = session.day if session else bought_day + self.between(0, 14)
        file_name = f"{slug}.{ext}"
        file_path = "" if case == "no_location" else f"files/{attachment_id}_{file_name}"
        link = case is None and self.r() < 0.2
        size = self.between(120, 600)
        uploaded = self.stamp(min(LAST_PAST, day + self.between(0, 2)))
        sink.write([attachment_id, f"CL-{client + 1:06d}", session.session_id if session else "",
                    file_name, file_path, f"{STORAGE_URL}/{attachment_id}/{file_name}" if link else "",
                    mime, str(size), uploaded, uploader,
                    self.later_stamp(uploaded, min(LAST_PAST, day + self.between(0, 30)))])
        if self.with_files and file_path and case != "missing_file":
            (self.out / file_path).write_bytes(placeholder_file(attachment_id, file_name, ext, size))

    # engagement notes ------------------------------------------------------------------------------

    def note_text(self, kind: str, author_first: str) -> tuple[str, str]:
        if kind == "message":
            return self.pick(MESSAGES)
        if kind == "email":
            body = " ".join(self.rng.sample(NOTE_SENTENCES, self.between(1, 2)))
            signature = f"Best wishes,\n{author_first}\n{PRACTICE_NAME}"
            return self.pick(EMAIL_SUBJECTS), f"Hello,\n\n{body}\n\n{signature}"
        if kind == "call":
            subject, body = self.pick(CALLS)
            return subject, body.format(minutes=self.between(5, 30), sentence=self.pick(NOTE_SENTENCES))
        return self.pick(NOTE_SUBJECTS), "\n".join(self.rng.sample(NOTE_SENTENCES, self.between(1, 3)))

    def write_notes(self, sinks: Sinks) -> None:
        sink = sinks["engagement_notes.csv"]
        dirt = Dirt(self.rng, self.sizes.notes, ("missing_client",), self.dirty_rate)
        for n in range(self.sizes.notes):
            case = dirt.case(n)
            client = int(self.r() * self.sizes.clients)
            if case == "missing_client":
                # A client deleted before the export: ids after the last exported one.
                self.missing_clients += 1
                client_id, low = f"CL-{self.sizes.clients + self.missing_clients:06d}", FIRST_CLIENT_DAY
            else:
                client_id, low = f"CL-{client + 1:06d}", self.client_day(client)
            kind = self.pick(NOTE_KINDS)
            author = self.pick(self.staff)
            subject, body = self.note_text(kind, author[1])
            day = self.between(low, LAST_PAST)
            created = self.stamp(day)
            modified = created if self.r() < 0.7 else self.later_stamp(created, self.between(day, LAST_PAST))
            sink.write([f"EN-{n + 1:06d}", client_id, kind, subject, body, created, author[0], modified])


def generate_export(out_dir: str | Path, records: int, seed: int = 7, dirty_rate: float = 0.05,
                    with_files: bool = True) -> dict[str, int]:
    """Write a Profi export into `out_dir` (arguments: see `common.export_folder`) and return the number
    of data rows written per CSV file."""
    out = export_folder(out_dir, records, dirty_rate, with_files=with_files)
    run = ProfiExport(out, records, seed, dirty_rate, with_files)
    return write_files(out, _layouts(dirty=dirty_rate > 0), [
        run.write_coaches, run.write_reference, run.write_clients, run.write_packages, run.write_notes])


def _layouts(dirty: bool) -> dict[str, Layout]:
    """A dirty export's clients.csv is Windows-1252, as when the practice saved it from Excel, so
    the reader's encoding detection is exercised."""
    return {
        "coaches.csv": (COACH_COLUMNS, {}),
        "clients.csv": (CLIENT_COLUMNS, {"encoding": "cp1252"} if dirty else {}),
        "packages.csv": (PACKAGE_COLUMNS, {}), "sessions.csv": (SESSION_COLUMNS, {}),
        "package_sessions.csv": (PACKAGE_SESSION_COLUMNS, {}),
        "billing_records.csv": (BILLING_COLUMNS, {}), "engagement_notes.csv": (NOTE_COLUMNS, {}),
        "attachments.csv": (ATTACHMENT_COLUMNS, {}), "automations.csv": (AUTOMATION_COLUMNS, {}),
        "custom_field_definitions.csv": (CUSTOM_FIELD_COLUMNS, {}),
    }
