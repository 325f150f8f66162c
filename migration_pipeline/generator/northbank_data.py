"""The made-up practice behind generated Profi exports: Northbank Coaching, a London coaching
practice. Its coaches, clients, packages and the words its records use, as plain tables so the
generator's logic stays readable. Everything written to clients.csv must encode in cp1252."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

# --- the practice ----------------------------------------------------------------------------

PRACTICE_NAME = "Northbank Coaching"
PRACTICE_DOMAIN = "northbankcoaching.example"
STORAGE_URL = "https://files.profi.example/northbank-coaching"  # Profi's file storage
STUDIO = "Northbank studio, 41 Clerkenwell Road, EC1M 5RS"
UNKNOWN_COACHES = (
    "former.coach@northbankcoaching.example",
    "admin@northbankcoaching.example",
    "info@northbankcoaching.example",
    "j.reid.old@northbankcoaching.example",
)

FIRST_NAMES = (
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Charlie", "Sophie",
    "Thomas", "Grace", "James", "Emily", "William", "Poppy", "Alfie", "Lily", "Henry", "Freya",
    "Daniel", "Hannah", "Samuel", "Ella", "Joshua", "Chloe", "Ethan", "Zara", "Oscar", "Rosie",
    "Priya", "Arjun", "Aisha", "Omar", "Fatima", "Yusuf", "Wei", "Mei", "Kwame", "Ama", "Tunde",
    "Ngozi", "Siobhan", "Ciaran", "Rhys", "Carys", "Tomasz", "Agnieszka", "Marco", "Giulia",
    "Sam", "Alex", "Jo", "Nadia", "Rachel", "Ben", "Laura", "Matthew", "Helen", "David",
)
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Ahmed", "Shah", "Begum", "Okafor", "Mensah", "Adeyemi",
    "Chen", "Wong", "Murphy", "O'Neill", "Kelly", "Hughes", "Morgan", "Kowalski", "Nowak",
    "Rossi", "Bianchi", "Campbell", "Stewart", "Fraser", "Bennett", "Cooper", "Hart", "Lloyd",
)
# Names a Windows app keeps as single bytes: used for the rows that show clients.csv is cp1252.
ACCENTED_FIRST = ("Zoë", "Chloé", "Renée", "José", "Noël", "Agnès", "Inés", "Björn", "François",
                  "Søren", "Mónica", "Anaïs")
ACCENTED_LAST = ("Müller", "Núñez", "Peña", "Lefèvre", "Gómez", "Schröder", "Fernández",
                 "D’Souza", "O’Brien", "Ibáñez")
STAFF_FIRST_NAMES = ("Clare", "Simon", "Rebecca", "Anil", "Joanna", "Marcus", "Leah", "Gareth",
                     "Nina", "Tom", "Imogen", "Kofi", "Harriet", "Ravi", "Eleanor", "Dominic")
STAFF_LAST_NAMES = ("Whitmore", "Ashby", "Carver", "Mistry", "Pemberton", "Quayle", "Hollis",
                    "Farrow", "Dunmore", "Osei", "Lindqvist", "Rutherford", "Bose", "Kirkland")

PERSONAL_DOMAINS = ("gmail.com", "gmail.com", "outlook.com", "hotmail.co.uk", "btinternet.com",
                    "icloud.com", "yahoo.co.uk", "live.co.uk")
BAD_EMAILS = ("jo@@mail.com", "n/a", "sarah.jones@", "tom at gmail dot com", "none")
BAD_PHONES = ("ask reception", "12", "+44 123", "tbc")
PHONE_FORMATS = ("07700 900{tail:03d}", "07700 900{tail:03d}", "+44 7700 900{tail:03d}",
                 "020 7946 0{tail:03d}", "+44 20 7946 0{tail:03d}", "0118 496 0{tail:03d}",
                 "0161 496 0{tail:03d}", "")

ORGANISATIONS = (
    ("Kestrel Analytics Ltd", "kestrelanalytics.co.uk"), ("Morrow Finch LLP", "morrowfinch.co.uk"),
    ("Brightwater Media Ltd", "brightwatermedia.co.uk"), ("Saltmarsh Studio", "saltmarsh.studio"),
    ("Thameside Housing Association", "thamesidehousing.org.uk"),
    ("Greyfriars Capital", "greyfriarscapital.com"), ("Halden & Pryce", "haldenpryce.co.uk"),
    ("Lumen Health Partners", "lumenhealth.co.uk"), ("Copperleaf Software Ltd", "copperleaf.io"),
    ("St Olave's Academy Trust", "stolaves.org.uk"), ("Vantage Retail Group", "vantageretail.co.uk"),
    ("Bramley & Co Accountants", "bramleyco.co.uk"), ("Oakhurst Consulting", "oakhurst.consulting"),
    ("Riverline Logistics", "riverline.co.uk"),
)
JOB_TITLES = ("Head of Operations", "Senior Manager", "Director", "Product Lead", "Partner",
              "Team Leader", "Chief Executive", "Marketing Manager", "Associate Director",
              "Head of People", "Engineering Manager", "Finance Director", "Consultant")
FREELANCE_TITLES = ("Founder", "Freelance designer", "Self-employed", "Career break", "", "", "")

STREETS = ("Clerkenwell Road", "Upper Street", "Essex Road", "Holloway Road", "Mare Street",
           "Kingsland Road", "Brixton Hill", "Lordship Lane", "Northcote Road", "King's Road",
           "Fulham Palace Road", "Portobello Road", "Chamberlayne Road", "Fortess Road",
           "Stoke Newington Church Street", "Bermondsey Street", "Tooley Street", "Balham High Road",
           "Kew Road", "London Road", "High Street", "Church Lane", "Station Road")
SECOND_LINES = ("", "", "", "", "", "Flat 2", "Flat 14", "Apartment 6", "Second Floor", "Unit 3")
# (town, county, postcode district); most clients are in London, some commute in.
PLACES = (
    ("London", "Greater London", "EC1M"), ("London", "Greater London", "N1"),
    ("London", "Greater London", "N16"), ("London", "Greater London", "E8"),
    ("London", "Greater London", "E2"), ("London", "Greater London", "SE1"),
    ("London", "Greater London", "SE22"), ("London", "Greater London", "SW2"),
    ("London", "Greater London", "SW11"), ("London", "Greater London", "SW6"),
    ("London", "Greater London", "W10"), ("London", "Greater London", "NW5"),
    ("London", "Greater London", "NW10"), ("Richmond", "Greater London", "TW9"),
    ("Croydon", "Greater London", "CR0"), ("Guildford", "Surrey", "GU1"),
    ("Sevenoaks", "Kent", "TN13"), ("St Albans", "Hertfordshire", "AL1"),
    ("Brighton", "East Sussex", "BN1"), ("Reading", "Berkshire", "RG1"),
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters UK inward codes use
COUNTRIES = ("United Kingdom",) * 17 + ("UK", "UK", "")

REFERRAL_SOURCES = ("Website", "Referral", "LinkedIn", "Employer", "Podcast", "Event")
FOCUS_AREAS = ("Leadership", "Career change", "Confidence", "Work-life balance", "Communication",
               "Performance")
COACHING_GOALS = (
    "Step up into a director role within 12 months.",
    "Feel confident presenting to the board.",
    "Decide whether to leave corporate law and retrain.",
    "Build a calmer routine and stop working weekends.",
    "Prepare for a return to work after parental leave.",
    "Lead a newly merged team through the restructure.",
    "Negotiate a four-day week.",
    "Launch a consultancy alongside the day job.",
    "Give clearer feedback to direct reports.",
    "",
)

# --- packages and sessions ---------------------------------------------------------------------


@dataclass(frozen=True)
class PackageKind:
    """A package the practice sells: its name, sessions, price in pounds and how long it runs.
    A monthly package is billed in equal monthly instalments over its validity."""

    name: str
    sessions: int
    price: int
    validity_days: int
    monthly: bool = False


PACKAGE_KINDS = (  # repeated in the proportions the practice sells them
    *[PackageKind("Discovery Package", 3, 450, 90)] * 4,
    *[PackageKind("Career Clarity Programme", 4, 720, 120)] * 3,
    *[PackageKind("Confidence & Impact Programme", 6, 1200, 180)] * 2,
    PackageKind("Leadership Accelerator", 6, 1650, 180),
    PackageKind("Executive Coaching - 8 sessions", 8, 2400, 240),
    PackageKind("Executive Coaching - 12 sessions", 12, 3300, 365),
    PackageKind("Monthly Coaching Membership", 12, 2940, 365, monthly=True),
)
# (status, weight) of packages. 'On Hold' is not here: it is a dirty case.
PACKAGE_STATUSES = (("Active", 42), ("Completed", 20), ("Expired", 13), ("Paused", 10),
                    ("Cancelled", 15))

# --- how packages run: the plan of sessions and attachments each package gets ---------------


@dataclass(frozen=True)
class PackagePlan:
    """The shape of one package, decided before any row is written so totals are known."""

    kind: PackageKind
    status: str
    used: int  # completed or no-show sessions, all before the export
    cancelled: int  # cancelled sessions: rebooked, not counted against the package
    booked: int  # sessions booked after the export date
    instalments: int
    attachments: int

    @property
    def sessions(self) -> int:
        return self.used + self.cancelled + self.booked


def package_plans(seed: int, packages: int) -> Iterator[PackagePlan]:
    """The same sequence of plans for the same seed: run once to count, once to write."""
    rng = random.Random(seed)
    statuses, weights = zip(*PACKAGE_STATUSES)
    for _ in range(packages):
        kind = PACKAGE_KINDS[int(rng.random() * len(PACKAGE_KINDS))]
        status = rng.choices(statuses, weights)[0]
        included = kind.sessions
        booked = 0
        if status == "Completed":
            used = included
        elif status == "Active":
            # Most active packages were bought recently: the first sessions are still to come.
            used = int(rng.random() ** 2 * included)
            booked = 1 + int(rng.random() * min(2, included - used))
        elif status == "Cancelled":
            used = int(rng.random() * (included // 2 + 1))
        else:  # Expired, Paused: part used, usually early on
            used = 1 + int(rng.random() ** 2 * (included - 1))
        cancelled = 1 if rng.random() < 0.15 or used + booked == 0 else 0
        instalments = 2 if not kind.monthly and rng.random() < 0.15 else 1
        attachments = (0, 0, 0, 1, 1, 1, 1, 2, 2)[int(rng.random() * 9)]
        yield PackagePlan(kind, status, used, cancelled, booked, instalments, attachments)


SESSION_TYPES = ("Discovery", "Coaching", "Review", "Workshop")
ONE_OFF_TITLES = (("Discovery call", "Discovery", 30), ("Single coaching session", "Coaching", 60),
                  ("Single coaching session", "Coaching", 60), ("Career MOT", "Review", 90),
                  ("Workshop: Presenting with impact", "Workshop", 120),
                  ("Workshop: Managing your energy", "Workshop", 120))
VIDEO_LOCATIONS = (
    ("Zoom", "https://zoom.us/j/{digits}"),
    ("Zoom", "https://zoom.us/j/{digits}"),
    ("Google Meet", "https://meet.google.com/{letters}"),
    ("Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/{digits}"),
)
ROOM_LOCATIONS = (STUDIO, STUDIO, "Phone", "Client's office", "Walk - Regent's Park")
DURATIONS = ("45", "60", "60", "60", "60", "90")

SUMMARY_SENTENCES = (
    "We reviewed progress on the goals set last time.",
    "Explored what is getting in the way of delegating more.",
    "Client described a difficult conversation with their manager and we role-played the next one.",
    "Worked through the values exercise; autonomy and fairness came out on top.",
    "Talked about energy levels and the pattern of late evenings.",
    "Discussed the 360 feedback and picked two themes to focus on.",
    "Client is weighing up two job offers; we mapped the trade-offs.",
    "We practised the opening of Thursday's board presentation.",
    "Reflected on the restructure and how the team is responding.",
    "Client feels clearer about the next step and more confident.",
)
ACTIONS = ("Draft the email to the team", "Book time with HR", "Block out two focus mornings",
           "Ask three colleagues for feedback", "Update the CV", "Journal for ten minutes a day",
           "Prepare questions for the skip-level meeting", "Try the 'stop, start, continue' exercise")
NO_SHOW_SUMMARIES = ("Client did not attend and did not reply to the reminder. Sent a rebooking link.",
                     "No show. Client emailed later: train delays. Session counted per the terms.",
                     "")
CANCELLED_SUMMARIES = ("Cancelled by client - rebooked.", "Coach unwell; session moved.", "", "", "")

# --- engagement notes --------------------------------------------------------------------------

NOTE_KINDS = ("message", "message", "message", "email", "email", "call", "note", "note")
MESSAGES = (
    ("Rescheduling", "No problem - I've moved us to next Tuesday at the same time."),
    ("Worksheet", "Here is the worksheet we talked about. No need to finish it all before we meet."),
    ("Thanks", "Great to hear the conversation went well!"),
    ("Quick question", "Could you send over the job description before our next session?"),
    ("Running late", "Running five minutes late, sorry - I'll send the link again now."),
)
EMAIL_SUBJECTS = ("Welcome to Northbank Coaching", "Your coaching agreement", "Invoice and next steps",
                  "Following up on our session", "Renewing your package", "Feedback survey")
CALLS = (("Chemistry call", "Spoke for {minutes} minutes about what coaching could help with. {sentence}"),
         ("Check-in call", "Spoke for {minutes} minutes. {sentence}"),
         ("Call about renewal", "Spoke for {minutes} minutes about renewing. {sentence}"),
         ("Missed call", "No answer. Left a voicemail, will try again on Friday."))
NOTE_SUBJECTS = ("Internal note", "Sponsor update", "Handover note", "")
NOTE_SENTENCES = (
    "Client's employer is paying for the programme; invoices go to their HR team.",
    "Prefers sessions before 9am or after 5pm.",
    "Sponsor asked for a short progress update at the midpoint - agreed with the client.",
    "Client mentioned a possible redundancy; keep an eye on wellbeing.",
    "Happy to be a case study once the programme is finished.",
    "Spoke about renewing for another six sessions.",
    "Sent the intake form and the coaching agreement.",
)

# --- attachments ---------------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# (file slug, extension, mime type, tied to a session?)
ATTACHMENT_KINDS = (
    ("intake-form", "pdf", "application/pdf", False),
    ("coaching-agreement", "pdf", "application/pdf", False),
    ("360-feedback-report", "pdf", "application/pdf", False),
    ("cv", "docx", DOCX, False),
    ("values-exercise", "docx", DOCX, True),
    ("action-plan", "docx", DOCX, True),
    ("whiteboard-photo", "jpg", "image/jpeg", True),
    ("wheel-of-life", "png", "image/png", True),
    ("session-notes", "txt", "text/plain", True),
)
RECORDING = ("session-recording", "mp4", "video/mp4")

# --- reference objects ---------------------------------------------------------------------------

AUTOMATIONS = (
    ("Session reminder 24h", "session.starts_at-24h", "send_email:session-reminder", "yes"),
    ("Session reminder 1h", "session.starts_at-1h", "send_sms:session-reminder", "yes"),
    ("Summary to client", "session.completed", "send_email:session-summary", "yes"),
    ("No-show follow-up", "session.no_show", "send_email:rebook-link", "yes"),
    ("Package renewal nudge", "package.sessions_remaining=1", "send_email:renewal-offer", "yes"),
    ("Unpaid invoice reminder", "billing.unpaid+7d", "send_email:payment-reminder", "yes"),
    ("Feedback survey", "package.completed", "send_email:feedback-survey", "no"),
    ("Welcome pack", "client.created", "send_email:welcome-pack", "yes"),
)
CUSTOM_FIELDS = (
    ("client", "referral_source", "Referral source", "picklist", ";".join(REFERRAL_SOURCES)),
    ("client", "coaching_goals", "Coaching goals", "text", ""),
    ("client", "focus_areas", "Focus areas", "multiselect", ";".join(FOCUS_AREAS)),
    ("session", "session_type", "Session type", "picklist", ";".join(SESSION_TYPES)),
    ("session", "coach_rating", "Coach rating (1-5)", "number", ""),
    ("package", "renewal_reminder", "Renewal reminder", "checkbox", ""),
    ("package", "renewal_due_on", "Renewal due on", "date", ""),
)
