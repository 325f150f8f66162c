"""The made-up firm behind generated BackDocket exports: Calloway Brandt Injury Law, a Chicago
plaintiff personal-injury firm. Its people, the organisations it deals with, its courts and the
words its records use, as plain tables so the generator's logic stays readable.

Every phone number uses the 555-01xx block, which is reserved for fiction."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from migration_pipeline.generator.common import ascii_slug

# --- the firm --------------------------------------------------------------------------------

FIRM_NAME = "Calloway Brandt Injury Law"
FIRM_DOMAIN = "callowaybrandt.example"
OFFICE = "Calloway Brandt, 180 N LaSalle St, Suite 2100, Chicago, IL 60601"
# People who own or are assigned records but are not in users.csv.
UNKNOWN_STAFF = (
    f"former.attorney@{FIRM_DOMAIN}",
    f"frontdesk@{FIRM_DOMAIN}",
    f"intake.temp@{FIRM_DOMAIN}",
)
# The first users are always these roles, so every export has attorneys and someone doing intake.
LEADING_ROLES = ("attorney", "attorney", "paralegal", "intake_specialist")
OTHER_ROLES = ("attorney", "paralegal", "paralegal", "intake_specialist", "admin")

# --- people ----------------------------------------------------------------------------------

# Chicago's mix. Within each list every name has its own ASCII spelling (email local parts are
# built from it), and every accented letter is a Windows-1252 character (contacts.csv may be cp1252).
FIRST_NAMES = (
    "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "David", "Linda", "William",
    "Elizabeth", "Anthony", "Jessica", "Kevin", "Ashley", "Brian", "Nicole", "Marcus", "Tanisha",
    "DeShawn", "Keisha", "Andre", "Latoya", "Luis", "Maria", "Carlos", "Ana", "Miguel", "Rosa",
    "Juan", "Guadalupe", "Tomasz", "Katarzyna", "Piotr", "Agnieszka", "Ahmed", "Fatima",
    "Minh", "Mei", "Raj", "Priya", "Sean", "Colleen", "Daniel", "Megan", "Tyrone", "Brittany",
    "Ryan", "Samantha", "Omar", "Leticia", "José", "Tiffany",
)
LAST_NAMES = (
    "Johnson", "Williams", "Brown", "Jones", "Davis", "Miller", "Wilson", "Moore", "Taylor",
    "Jackson", "Harris", "Thompson", "Robinson", "Walker", "Washington", "Coleman", "Bell",
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez",
    "Ramirez", "Torres", "Flores", "Kowalski", "Nowak", "Wisniewski", "Kaminski", "O'Brien",
    "Murphy", "Sullivan", "Kelly", "Nguyen", "Kim", "Patel", "Shah", "Khan", "Cohen", "Schultz",
    "Novak", "Peña", "Muñoz",
)
STAFF_FIRST_NAMES = tuple(name for name in FIRST_NAMES if name.isascii())
STAFF_LAST_NAMES = tuple(name for name in LAST_NAMES if name.isascii())
# Names a Windows "Save as CSV" keeps only as cp1252 bytes: the contacts that prove the encoding.
# Their ASCII spellings appear in neither list above, so their email addresses cannot clash.
ACCENTED_FIRST = ("Zoë", "Renée", "Inés", "Raúl", "Agnès", "Héctor", "Jesús", "Mónica", "Noël",
                  "Aurélie")
ACCENTED_LAST = ("Ibáñez", "Gómez", "Fernández", "Núñez", "Báez", "Calderón", "Müller", "O’Connor",
                 "Jiménez", "Álvarez")

PERSONAL_DOMAINS = ("gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
                    "icloud.com", "comcast.net", "att.net", "aol.com")
BAD_EMAILS = ("maria@@gmail.com", "n/a", "jdoe@", "mike at yahoo dot com", "none")
BAD_PHONES = ("call front desk", "12", "+1 312", "tbd")
AREA_CODES = (312, 312, 773, 773, 872, 847, 630, 708, 815)

# --- places ----------------------------------------------------------------------------------

STREETS = ("N Michigan Ave", "W Belmont Ave", "S Halsted St", "N Clark St", "W Irving Park Rd",
           "W Fullerton Ave", "S Ashland Ave", "W Division St", "N Milwaukee Ave", "W 63rd St",
           "S Pulaski Rd", "W Cermak Rd", "N Western Ave", "E 79th St", "W Devon Ave",
           "N Broadway", "S Cicero Ave", "W Lawrence Ave", "Lake St", "Main St")
UNITS = ("", "", "", "", "", " Apt 2", " Apt 3B", " Unit 104", " #2F", " Fl 3")
CITIES = (
    ("Chicago", "IL", "60614"), ("Chicago", "IL", "60618"), ("Chicago", "IL", "60623"),
    ("Chicago", "IL", "60629"), ("Chicago", "IL", "60640"), ("Chicago", "IL", "60608"),
    ("Chicago", "IL", "60647"), ("Chicago", "IL", "60619"), ("Chicago", "IL", "60601"),
    ("Evanston", "IL", "60201"), ("Oak Park", "IL", "60302"), ("Cicero", "IL", "60804"),
    ("Skokie", "IL", "60076"), ("Schaumburg", "IL", "60173"), ("Naperville", "IL", "60540"),
    ("Joliet", "IL", "60432"), ("Aurora", "IL", "60505"), ("Waukegan", "IL", "60085"),
    ("Berwyn", "IL", "60402"), ("Gary", "IN", "46402"), ("Hammond", "IN", "46320"),
)

# --- organisations (firms.csv) --------------------------------------------------------------

# firms.csv rows cycle through this layout, so a row's type is known from its number alone.
FIRM_TYPE_LAYOUT = ("medical_provider", "insurance_carrier", "referring_firm", "medical_provider",
                    "co_counsel", "insurance_carrier", "medical_provider", "referring_firm")
# contacts.csv rows cycle through this layout: six clients in ten, and the people around them.
CONTACT_TYPE_LAYOUT = ("client", "client", "witness", "client", "adjuster", "client", "client",
                       "provider", "client", "opposing_counsel")
# The organisation each kind of contact works for (clients and witnesses have none).
EMPLOYER_TYPE = {"adjuster": "insurance_carrier", "provider": "medical_provider",
                 "opposing_counsel": "insurance_carrier"}  # carriers' staff counsel defend claims
CARRIER_STEMS = ("Prairie State", "Great Lakes", "Heartland", "Lakeshore", "Midwest Guardian",
                 "Second City", "Wabash Valley", "Fox River", "Northern Plains", "Ironwood")
CARRIER_KINDS = ("Mutual Insurance", "Casualty Co.", "Indemnity Company", "Auto Insurance",
                 "Assurance Group", "Insurance Exchange")
PROVIDER_STEMS = ("Lakefront", "West Loop", "North Branch", "Midway", "Lincoln Park", "Riverside",
                  "Bridgeport", "Ravenswood", "Pilsen", "Oak Brook", "Logan Square", "Hyde Park")
PROVIDER_KINDS = ("Orthopedic Group", "Physical Therapy", "Chiropractic Center", "Imaging Center",
                  "Pain Management", "Family Medicine", "Neurology Associates", "Urgent Care",
                  "Memorial Hospital", "Surgical Center")
LAW_FIRM_STYLES = ("{a} & {b} LLP", "Law Offices of {a} & {b}", "{a} {b} Law Group", "{a} & {b}, P.C.")


# --- row layouts -----------------------------------------------------------------------------
# contacts.csv and firms.csv rows cycle through a fixed pattern of kinds, so the kind of a row, and
# the row of the n-th one of a kind, follow from numbers alone: a reference needs no lookup table.

CLIENT_SLOTS = tuple(n for n, kind in enumerate(CONTACT_TYPE_LAYOUT) if kind == "client")
FIRM_SLOTS = {kind: tuple(n for n, slot in enumerate(FIRM_TYPE_LAYOUT) if slot == kind)
              for kind in FIRM_TYPE_LAYOUT}
LAW_SLOTS = tuple(n for n, kind in enumerate(FIRM_TYPE_LAYOUT) if kind in ("referring_firm", "co_counsel"))


def count_slots(rows: int, layout_length: int, slots: Sequence[int]) -> int:
    """How many of `rows` rows laid out in a repeating pattern fall on the given slots."""
    full, rest = divmod(rows, layout_length)
    return full * len(slots) + sum(1 for slot in slots if slot < rest)


def row_of_rank(rank: int, layout_length: int, slots: Sequence[int]) -> int:
    """The row of the rank-th row on the given slots of a repeating layout."""
    return rank // len(slots) * layout_length + slots[rank % len(slots)]


def rank_of_row(row: int, layout_length: int, slots: Sequence[int]) -> int:
    return row // layout_length * len(slots) + slots.index(row % layout_length)


# Names walk a permutation of all combinations, so none repeats until every one is used (then an
# office number is added).

def carrier_name(rank: int) -> tuple[str, str]:
    combos = len(CARRIER_STEMS) * len(CARRIER_KINDS)
    combo, office = rank * 7 % combos, rank // combos
    stem, kind = CARRIER_STEMS[combo % len(CARRIER_STEMS)], CARRIER_KINDS[combo // len(CARRIER_STEMS)]
    domain = f"{ascii_slug(stem)}{ascii_slug(kind.split()[0])}{office or ''}.com"
    return f"{stem} {kind}" + (f" - Region {office + 1}" if office else ""), domain


def provider_name(rank: int) -> tuple[str, str]:
    combos = len(PROVIDER_STEMS) * len(PROVIDER_KINDS)
    combo, office = rank * 7 % combos, rank // combos
    stem, kind = PROVIDER_STEMS[combo % len(PROVIDER_STEMS)], PROVIDER_KINDS[combo // len(PROVIDER_STEMS)]
    domain = f"{ascii_slug(stem)}{ascii_slug(kind)}{office or ''}.com"
    return f"{stem} {kind}" + (f" - Location {office + 1}" if office else ""), domain


def law_firm_name(rank: int) -> tuple[str, str]:
    names = len(LAST_NAMES)
    combos = names * (names - 1) * len(LAW_FIRM_STYLES)
    combo, office = rank * 7919 % combos, rank // combos
    first, second = combo % names, combo // names % (names - 1)
    second += second >= first  # two different partners
    a, b = LAST_NAMES[first], LAST_NAMES[second]
    name = LAW_FIRM_STYLES[combo // (names * (names - 1))].format(a=a, b=b)
    domain = f"{ascii_slug(a)}{ascii_slug(b)}law{office or ''}.com"
    return name + (f" ({office + 1})" if office else ""), domain


def firm_name(row: int) -> tuple[str, str]:
    """(name, domain) of firms.csv row `row`, so a contact can take its employer's domain and a
    policy can name its carrier without remembering either."""
    kind, layout = FIRM_TYPE_LAYOUT[row % len(FIRM_TYPE_LAYOUT)], len(FIRM_TYPE_LAYOUT)
    if kind == "insurance_carrier":
        return carrier_name(rank_of_row(row, layout, FIRM_SLOTS[kind]))
    if kind == "medical_provider":
        return provider_name(rank_of_row(row, layout, FIRM_SLOTS[kind]))
    return law_firm_name(rank_of_row(row, layout, LAW_SLOTS))


INDUSTRY = {"insurance_carrier": "Insurance", "medical_provider": "Healthcare",
            "referring_firm": "Legal Services", "co_counsel": "Legal Services"}
FEE_SPLITS = ("25", "33.3", "33.3", "40", "50")

# --- cases and claims ------------------------------------------------------------------------

CASE_TYPES = ("Auto Accident", "Auto Accident", "Auto Accident", "Slip and Fall", "Slip and Fall",
              "Medical Malpractice", "Workers Compensation", "Product Liability")
CASE_CODES = {"Auto Accident": "PI", "Slip and Fall": "PI", "Product Liability": "PI",
              "Medical Malpractice": "MM", "Workers Compensation": "WC"}
# Illinois: two years for personal injury and malpractice, three for workers' compensation.
LIMITATION_YEARS = {"Workers Compensation": 3}
CASE_PATH = ("Open", "Investigation", "Pre-Litigation", "Litigation", "Settled", "Closed")
DROPPED_SHARE = 0.12  # cases the firm investigates, then closes without a recovery
SETTLED_BEFORE_SUIT = 0.55  # share of cases that settle or close without a lawsuit
# Chance a case moved on a step: old cases have mostly run their course, recent ones are early.
ADVANCE_OLDEST, ADVANCE_NEWEST = 0.85, 0.4

CLAIM_TYPES = ("Bodily Injury", "Bodily Injury", "Bodily Injury", "Property Damage",
               "Wrongful Death", "Workers Comp")
INTAKE_STATUSES = ("New Lead", "Contacted", "Consultation Scheduled", "Qualified", "Signed",
                   "Signed", "Declined", "Referred Out")
ODD_INTAKE_STATUS = "Pending Docs"
REFERRING_SOURCES = ("Google Ads", "Google Ads", "Referral", "Billboard", "TV", "Past Client",
                     "Attorney Referral")
REFERRED_BY_A_FIRM = frozenset({"Referral", "Attorney Referral"})

LANGUAGES = ("English", "English", "English", "English", "Spanish", "Spanish", "Polish", "Arabic",
             "Tagalog", "Korean", "Mandarin")
INJURY_TYPES = ("Whiplash", "Back Injury", "Broken Bone", "Traumatic Brain Injury", "Soft Tissue",
                "Spinal Cord Injury", "Burns", "Lacerations", "Knee Injury")

# --- documents -------------------------------------------------------------------------------

DOCUMENT_KINDS = (
    ("police-report", "pdf", "application/pdf"), ("medical-records", "pdf", "application/pdf"),
    ("medical-bills", "pdf", "application/pdf"), ("retainer-agreement", "pdf", "application/pdf"),
    ("hipaa-authorization", "pdf", "application/pdf"), ("wage-loss-letter", "pdf", "application/pdf"),
    ("accident-scene", "jpg", "image/jpeg"), ("injury-photo", "jpg", "image/jpeg"),
    ("signed-authorization", "png", "image/png"), ("intake-notes", "txt", "text/plain"),
    ("demand-letter", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("adjuster-email", "msg", "application/vnd.ms-outlook"),
)

# --- tasks, events, notes --------------------------------------------------------------------

TASK_TITLES = ("Request police report", "Order medical records", "Send HIPAA authorization",
               "Follow up with adjuster", "Draft demand letter", "Calculate medical specials",
               "Confirm health insurance lien", "Prepare client for deposition",
               "Answer interrogatories", "Send retainer agreement", "Collect wage-loss proof",
               "Review settlement offer")
RECURRING_TASKS = (
    ("Weekly client check-in call", "FREQ=WEEKLY;BYDAY=MO"),
    ("Monthly treatment status update", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ("Check lien negotiation status", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("Review docket for new filings", "FREQ=WEEKLY;BYDAY=TU,TH"),
    ("Request updated medical bills", "FREQ=MONTHLY;BYDAY=1WE"),
)
RECURRING_SHARE = 0.1
CHECKLIST = ("Police report", "ER records", "Photos of the scene", "Health insurance card",
             "Pay stubs", "Repair estimate", "Signed HIPAA authorization", "Witness contact details")
SENTENCES = (
    "Client reports ongoing neck pain and is still in physical therapy twice a week.",
    "The adjuster acknowledged the claim and asked for the medical bills to date.",
    "Police report requested from CPD; expected in ten business days.",
    "Defense counsel proposed dates for the client's deposition in March.",
    "Client was treated at the ER the night of the accident and released.",
    "Carrier disputes liability and points to the intersection camera footage.",
    "Medicare conditional payment letter received; the amount looks high.",
    "We sent the demand package with all bills and records attached.",
    "Client missed two therapy appointments; explained why gaps in treatment matter.",
    "The hospital agreed to reduce its lien if the case settles this quarter.",
    "Witness confirmed the other driver ran the red light.",
    "Mediation statement is due one week before the session.",
    "Client would prefer calls after 5 pm and texts in Spanish.",
    "Employer confirmed the lost wages for the six weeks off work.",
)
BOLD_PHRASES = ("do not post about the accident on social media", "keep every receipt",
                "the statute of limitations runs in two years", "do not sign anything from the insurer")
NOTE_SUBJECTS = ("Intake call", "Client update", "Call with adjuster", "Case strategy",
                 "Settlement discussion", "Treatment update", "")
EVENT_TITLES = {
    "court_date": ("Case management conference", "Status call", "Trial setting"),
    "hearing": ("Motion hearing", "Hearing on motion to compel", "Summary judgment hearing"),
    "deposition": ("Deposition of plaintiff", "Deposition of defendant driver",
                   "Deposition of treating physician"),
    "mediation": ("Mediation", "Settlement conference"),
    "consultation": ("Initial consultation", "Case review meeting", "Settlement review with client"),
    "deadline": ("Expert disclosure deadline", "Discovery cutoff", "Demand response deadline"),
}
EVENT_TYPES = ("court_date", "court_date", "hearing", "deposition", "mediation", "consultation",
               "consultation", "deadline")
IN_COURT = frozenset({"court_date", "hearing"})
DEPOSITION_PLACES = (OFFICE, "Second City Court Reporters, 33 W Monroe St, Chicago, IL 60603",
                     "Remote (Zoom)")
MEDIATION_PLACES = ("Loop Mediation Services, 200 W Adams St, Chicago, IL 60606", "Remote (Zoom)")

# The courts the firm files in: public institutions, listed as the firm's own lookup table.
JURISDICTIONS = (
    ("Circuit Court of Cook County, Law Division", "state", "Cook", "IL", "yes",
     "Richard J. Daley Center, 50 W Washington St, Chicago, IL 60602"),
    ("Circuit Court of Cook County, Municipal Department", "state", "Cook", "IL", "yes",
     "Richard J. Daley Center, 50 W Washington St, Chicago, IL 60602"),
    ("Circuit Court of DuPage County", "state", "DuPage", "IL", "yes",
     "505 N County Farm Rd, Wheaton, IL 60187"),
    ("Circuit Court of Lake County", "state", "Lake", "IL", "yes",
     "18 N County St, Waukegan, IL 60085"),
    ("Circuit Court of Will County", "state", "Will", "IL", "yes",
     "100 W Jefferson St, Joliet, IL 60432"),
    ("Illinois Workers' Compensation Commission", "state", "Cook", "IL", "no",
     "69 W Washington St, Chicago, IL 60602"),
    ("U.S. District Court for the Northern District of Illinois", "federal", "Cook", "IL", "yes",
     "219 S Dearborn St, Chicago, IL 60604"),
    ("Lake County Superior Court (Indiana)", "state", "Lake", "IN", "yes",
     "2293 N Main St, Crown Point, IN 46307"),
)
WORKERS_COMP_COURT = 5  # index of the Commission in JURISDICTIONS

# --- money -----------------------------------------------------------------------------------

LIENHOLDERS = {
    "medical": ("West Loop Orthopedic Group", "Midway Chiropractic Center", "North Branch Imaging"),
    "medicare": ("Medicare (CMS)",),
    "medicaid": ("Illinois Department of Healthcare and Family Services",),
    "hospital": ("Lakefront Memorial Hospital", "Riverside Surgical Center"),
    "attorney": ("Prior counsel: Hensley & Moore LLP", "Prior counsel: Law Offices of Dana Ruiz"),
}
LIEN_TYPES = ("medical", "medical", "hospital", "hospital", "medicare", "medicaid", "attorney")
LIEN_STATUSES = ("pending", "pending", "negotiating", "resolved")
COVERAGE_TYPES = ("bodily_injury", "bodily_injury", "um_uim", "pip", "property_damage")
POLICY_LIMITS = (25_000, 25_000, 50_000, 100_000, 100_000, 250_000, 300_000, 500_000, 1_000_000)
INVOICE_STATUSES = ("draft", "sent", "sent", "paid", "paid", "paid", "overdue", "written_off")
DOLLAR_SHARE = 0.2  # amounts typed as "$12,500.00" rather than "12500.00"

# --- composed text ---------------------------------------------------------------------------


def task_description(rng: random.Random) -> str:
    """Empty, one sentence, or a checklist over several lines."""
    draw = rng.random()
    if draw < 0.3:
        return ""
    if draw < 0.5:
        items = "\n".join(f"- {item}" for item in rng.sample(CHECKLIST, rng.randint(2, 3)))
        return f"Still needed:\n{items}"
    return SENTENCES[int(rng.random() * len(SENTENCES))]


def note_body(rng: random.Random, author: str) -> str:
    """Rich text as the note editor saves it (HTML, sometimes over several lines) or plain lines."""
    if rng.random() < 0.35:
        return "\n".join(rng.sample(SENTENCES, rng.randint(1, 3)))
    parts = [f"<p>{SENTENCES[int(rng.random() * len(SENTENCES))]}</p>"]
    if rng.random() < 0.4:
        items = "".join(f"<li>{item}</li>" for item in rng.sample(CHECKLIST, rng.randint(2, 4)))
        parts.append(f"<p>Outstanding:</p><ul>{items}</ul>")
    if rng.random() < 0.5:
        parts.append(f"<p>Told the client: <b>{BOLD_PHRASES[int(rng.random() * len(BOLD_PHRASES))]}</b>.</p>")
    parts.append(f"<p>– {author}</p>")
    return "\n".join(parts) if rng.random() < 0.5 else "".join(parts)


# --- reference objects -----------------------------------------------------------------------


def _steps(*steps: dict[str, object]) -> str:
    return json.dumps(list(steps), separators=(",", ":"))


WORKFLOWS = (
    ("New auto accident intake", "intake.created:Auto Accident",
     _steps({"action": "create_task", "title": "Request police report", "due_in_days": 3},
            {"action": "create_task", "title": "Send HIPAA authorization", "due_in_days": 2},
            {"action": "send_email", "template": "welcome-auto"}), "yes"),
    ("Retainer signed", "intake.status_changed:Signed",
     _steps({"action": "create_case"}, {"action": "assign", "role": "attorney"},
            {"action": "create_task", "title": "Order medical records", "due_in_days": 7}), "yes"),
    ("Statute of limitations reminder", "case.statute_of_limitations-90d",
     _steps({"action": "notify_user", "who": "assigned_attorney"},
            {"action": "create_event", "event_type": "deadline"}), "yes"),
    ("Lawsuit filed", "case.status_changed:Litigation",
     _steps({"action": "create_task", "title": "Serve defendant", "due_in_days": 30},
            {"action": "create_task", "title": "Answer interrogatories", "due_in_days": 28}), "yes"),
    ("Settlement reached", "case.status_changed:Settled",
     _steps({"action": "create_task", "title": "Resolve all liens", "due_in_days": 14},
            {"action": "send_email", "template": "settlement-next-steps"}), "yes"),
    ("Lead follow-up", "intake.status_unchanged:New Lead+2d",
     _steps({"action": "send_sms", "template": "lead-follow-up"}), "no"),
)

CUSTOM_FIELDS = (
    ("firm", "bar_registration", "ARDC registration no.", "text", ""),
    ("firm", "fee_split_percent", "Referral fee split (%)", "number", ""),
    ("contact", "preferred_language", "Preferred language", "picklist",
     ";".join(dict.fromkeys(LANGUAGES))),
    ("contact", "marketing_consent", "Marketing consent", "checkbox", ""),
    ("contact", "injury_types", "Injury types", "multiselect", ";".join(INJURY_TYPES)),
)
