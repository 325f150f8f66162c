"""The made-up firm behind generated Perfect Portal exports: its people, clients, matters and
the words its records use. Plain tables, so the generator's logic stays readable."""

from __future__ import annotations

from dataclasses import dataclass

# --- the firm and its world ------------------------------------------------------------------

FIRM_DOMAIN = "harbourlaw.example"
FIRM_PHONE = "+61 2 9374 4000"
UNKNOWN_STAFF = (
    "former.partner@harbourlaw.example",
    "reception@harbourlaw.example",
    "temp.clerk@harbourlaw.example",
    "j.wilson.old@harbourlaw.example",
)
ROLES = ("Partner", "Senior Associate", "Associate", "Conveyancer", "Paralegal", "Law Clerk",
         "Practice Manager", "Receptionist")

FIRST_NAMES = (
    "James", "Olivia", "William", "Charlotte", "Jack", "Amelia", "Noah", "Isla", "Thomas", "Mia",
    "Oliver", "Ava", "Lucas", "Grace", "Henry", "Chloe", "Ethan", "Sophie", "Liam", "Emily",
    "Daniel", "Hannah", "Samuel", "Ruby", "Michael", "Zoe", "David", "Lily", "Matthew", "Ella",
    "Wei", "Mei", "Minh", "Linh", "Raj", "Priya", "Mohammed", "Fatima", "Giorgos", "Eleni",
    "Marco", "Giulia", "Hiroshi", "Yuki", "Sean", "Aoife", "Ahmed", "Layla", "Patrick", "Sarah",
    "Andrew", "Jessica", "Benjamin", "Emma", "Joshua", "Laura", "José", "Zoë", "Renée", "Chloé",
)
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin",
    "Anderson", "Thompson", "Nguyen", "Tran", "Le", "Chen", "Wang", "Li", "Zhang", "Kelly", "Ryan",
    "Walsh", "Murphy", "Campbell", "Stewart", "Robinson", "Clarke", "Mitchell", "Walker", "Harris",
    "Lee", "King", "Singh", "Patel", "Sharma", "Papadopoulos", "Nikolaidis", "Rossi", "Russo",
    "Khoury", "Haddad", "Kim", "Park", "Tanaka", "Edwards", "Hughes", "Baker", "Cooper", "Morris",
    "Ward", "Turner", "Collins", "Bennett", "O’Brien", "Müller", "Núñez", "Peña",
)
STAFF_FIRST_NAMES = tuple(name for name in FIRST_NAMES if name.isascii())
STAFF_LAST_NAMES = tuple(name for name in LAST_NAMES if name.isascii())
# Names a Windows app would mangle: used for the rows whose cells are written as cp1252 bytes.
ACCENTED_FIRST = ("José", "Zoë", "Renée", "Chloé", "Björn", "François", "Jürgen", "Noël", "Agnès",
                  "Inés", "Mónica", "Søren")
ACCENTED_LAST = ("Müller", "Núñez", "O’Brien", "Peña", "D’Souza", "Fernández", "Gómez", "Schröder",
                 "Lefèvre", "Ibáñez", "O’Connor", "Pérez")

AREA_CODES = ("2", "2", "2", "2", "3", "7", "8")  # mostly Sydney
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "bigpond.com", "hotmail.com", "icloud.com",
                    "yahoo.com.au", "optusnet.com.au", "tpg.com.au")
COMPANY_STEMS = ("Harbourside", "Blue Gum", "Southern Cross", "Wattle", "Ironbark", "Coastal",
                 "Redfern", "Pacific", "Northshore", "Kookaburra", "Jacaranda", "Sandstone",
                 "Westside", "Bondi", "Parramatta Valley", "Lilyfield")
COMPANY_KINDS = ("Developments", "Holdings", "Property Group", "Constructions", "Investments",
                 "Trading", "Café", "Dental", "Logistics", "Consulting")
COMPANY_SUFFIXES = ("Pty Ltd", "Pty Ltd", "Pty Limited", "Ltd", "Family Trust")
JOB_TITLES = ("Director", "Owner", "Accountant", "Office Manager", "CFO", "Executor",
              "Property Manager", "Company Secretary", "", "", "")
LANGUAGES = ("English", "English", "English", "English", "English", "Mandarin", "Cantonese",
             "Vietnamese", "Arabic", "Greek", "Italian", "Hindi", "Korean", "")
BAD_EMAILS = ("john@@example.com", "n/a", "jane.doe@", "bob at example dot com")
BAD_PHONES = ("call reception", "12", "+99 123")
SOURCE_CHANNELS = ("Website", "Referral", "Walk-in", "Google Ads")
LENDERS = ("Westpac", "ANZ", "NAB", "Commonwealth Bank", "Other")
PRACTICE_AREAS = ("Conveyancing", "Litigation", "Wills & Estates", "Family", "Commercial")

STREETS = ("Elm", "George", "Pitt", "Oxford", "Crown", "Bourke", "King", "Victoria", "Military",
           "Pacific", "Beach", "Church", "Marion", "Bay", "Harbour", "Railway", "Station", "Ocean",
           "Park", "Forest", "Wattle", "Darling")
STREET_TYPES = ("St", "St", "Rd", "Ave", "Pde", "Lane", "Cres", "Pl")
SUBURBS = (
    ("Surry Hills", "NSW", "2010"), ("Paddington", "NSW", "2021"), ("Bondi", "NSW", "2026"),
    ("Double Bay", "NSW", "2028"), ("Randwick", "NSW", "2031"), ("Newtown", "NSW", "2042"),
    ("Balmain", "NSW", "2041"), ("Glebe", "NSW", "2037"), ("Parramatta", "NSW", "2150"),
    ("Chatswood", "NSW", "2067"), ("Mosman", "NSW", "2088"), ("Manly", "NSW", "2095"),
    ("Cronulla", "NSW", "2230"), ("Hurstville", "NSW", "2220"), ("Strathfield", "NSW", "2135"),
    ("Penrith", "NSW", "2750"), ("Castle Hill", "NSW", "2154"), ("Marrickville", "NSW", "2204"),
    ("North Sydney", "NSW", "2060"), ("Sydney", "NSW", "2000"), ("Wollongong", "NSW", "2500"),
    ("Newcastle", "NSW", "2300"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000"),
)

SENTENCES = (
    "We have received the signed contract of sale and the deposit has been paid.",
    "The vendor's solicitor has asked for a two-day extension of the cooling-off period.",
    "Please find attached the draft engagement letter and costs disclosure for your review.",
    "The bank has issued formal loan approval, so settlement remains on track.",
    "We are still waiting on the strata report and the building and pest inspection.",
    "The other side has filed their defence and we are preparing a reply.",
    "Mediation has been listed for the week after next at the Sydney registry.",
    "The executor has provided the original will and the death certificate.",
    "The probate application has been lodged with the Supreme Court.",
    "Please bring two forms of photo ID to the appointment for verification of identity.",
    "Transfer duty must be paid to Revenue NSW before settlement.",
    "Client called to confirm the settlement time agreed with the lender.",
    "Our invoice for the work completed to date is attached.",
    "Left a voicemail asking the client to call back about the adjustments.",
    "The title search shows an easement for drainage along the rear boundary.",
    "Counsel's advice on prospects has been received and is summarised below.",
    "We have sent the consent orders to the other party for signature.",
    "The landlord has agreed to the proposed rent-free period.",
    "Settlement figures have been sent to the incoming mortgagee.",
    "The client would prefer to communicate by email after 5pm.",
)
BOLD_PHRASES = ("settlement is booked for 2pm", "the cooling-off period ends on Friday",
                "original documents are required", "please call us before transferring any funds")
CHECKLIST = ("Signed contract", "Two forms of photo ID", "Deposit receipt", "Loan approval letter",
             "Council rates notice", "Strata report", "Signed costs agreement")
EMAIL_SUBJECTS = ("Contract of sale – next steps", "Settlement update", "Engagement letter",
                  "Documents required", "Re: your matter", "Invoice attached", "Mediation date")
CALLS = (("Call with client", "Spoke with {name}. {sentence}"),
         ("Call from lender", "{name} from the bank called. {sentence}"),
         ("Call to other side", "Spoke with {name} at the other side's firm. {sentence}"),
         ("Missed call", "Left a voicemail for {name} asking them to call back."))
NOTE_SUBJECTS = ("File note", "Attendance note", "Conference note", "")
TASK_TITLES = ("Send engagement letter", "Order title search", "Prepare transfer documents",
               "Book settlement", "Follow up loan approval", "Review contract of sale",
               "Lodge probate application", "Prepare affidavit", "Chase signed costs agreement",
               "File notice of appearance", "Calculate adjustments", "Verify client identity")
TASK_STATUSES = ("Open", "Open", "In Progress", "Waiting", "Completed", "Completed", "Completed",
                 "Cancelled")
PRIORITIES = ("Low", "Normal", "Normal", "Normal", "High")
DOCUMENT_KINDS = (
    ("engagement-letter", "pdf", "application/pdf"), ("costs-agreement", "pdf", "application/pdf"),
    ("contract-of-sale", "pdf", "application/pdf"), ("title-search", "pdf", "application/pdf"),
    ("settlement-statement", "pdf", "application/pdf"), ("invoice", "pdf", "application/pdf"),
    ("id-verification", "jpg", "image/jpeg"), ("signed-authority", "png", "image/png"),
    ("file-note", "txt", "text/plain"),
    ("affidavit", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("will-draft", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("correspondence", "msg", "application/vnd.ms-outlook"),
)
THIRD_PARTY_ORGS = {
    "real_estate_agent": ("Ray White Double Bay", "LJ Hooker Parramatta", "McGrath Manly",
                          "Belle Property Balmain"),
    "mortgage_broker": ("Aussie Home Loans", "Mortgage Choice", "Loan Market"),
    "referral_partner": ("Nguyen & Co Accountants", "Harbour Financial Planning", "BDO Sydney"),
    "other": ("InfoTrack", "Sydney Building Inspections", "Strata Plus"),
}
SMS_TEMPLATES = {
    "welcome": "Hi {name}, welcome to Harbour Law. Your matter is now open.",
    "settlement-reminder": "Hi {name}, a reminder that settlement is in 7 days.",
    "settlement-day": "Hi {name}, settlement has completed. Congratulations!",
    "document-ready": "Hi {name}, a document is ready for you in the client portal.",
    "appointment-reminder": "Hi {name}, see you tomorrow at 10am at our Pitt St office.",
}
INBOUND_SMS = ("Thanks!", "Can you call me back please", "Got it, thank you", "Who is this?")
AUTOMATION_RULES = (
    ("Welcome SMS on intake", "matter.created", "send_sms:welcome", "yes"),
    ("Engagement letter task", "matter.stage_changed:Engaged", "create_task:Send engagement letter", "yes"),
    ("Notify agent on exchange", "matter.stage_changed:Closing", "email_third_party:real_estate_agent", "yes"),
    ("Settlement reminder 7 days", "matter.settlement_date-7d", "send_sms:settlement-reminder", "yes"),
    ("Settlement day SMS", "matter.settlement_date", "send_sms:settlement-day", "yes"),
    ("Portal invite on engagement", "matter.stage_changed:Engaged", "portal_invite:primary_contact", "yes"),
    ("Document ready notice", "document.shared", "send_sms:document-ready", "yes"),
    ("Review request after win", "matter.stage_changed:Closed Won", "send_email:review-request", "yes"),
    ("Lost enquiry survey", "matter.stage_changed:Closed Lost", "send_email:feedback-survey", "no"),
    ("Appointment reminder", "appointment.start-1d", "send_sms:appointment-reminder", "yes"),
    ("Overdue task escalation", "task.overdue+2d", "notify_user:owner", "yes"),
    ("Invoice follow-up", "invoice.unpaid+14d", "send_email:payment-reminder", "no"),
)
CUSTOM_FIELDS = (
    ("matter", "property_address", "Property address", "text", ""),
    ("matter", "settlement_date", "Settlement date", "date", ""),
    ("matter", "purchase_price", "Purchase price", "number", ""),
    ("matter", "lender", "Lender", "picklist", ";".join(LENDERS)),
    ("matter", "practice_areas", "Practice areas", "multiselect", ";".join(PRACTICE_AREAS)),
    ("contact", "billing_flag", "Billing contact", "checkbox", ""),
    ("contact", "source_channel", "Source channel", "picklist", ";".join(SOURCE_CHANNELS)),
    ("contact", "preferred_language", "Preferred language", "text", ""),
)

CLOSED_STAGES = frozenset({"Closed Won", "Closed Lost"})
LOST_SHARE = 0.2  # enquiries that never engage: Intake (or a review) then Closed Lost
# Chance that a matter moved on to its pipeline's next stage: old matters have mostly run their
# course, recent ones are mostly still early.
ADVANCE_OLDEST, ADVANCE_NEWEST = 0.8, 0.3


@dataclass(frozen=True)
class MatterKind:
    """A kind of matter: its practice area, the stages it passes through, its typical fee."""

    matter_type: str
    practice_area: str
    pipeline: tuple[str, ...]
    fee: tuple[int, int]
    is_property: bool = False


PURCHASE = MatterKind("Conveyancing - Purchase", "Conveyancing",
                       ("Intake", "Engaged", "Closing", "Settled", "Closed Won"),
                       (1100, 2600), is_property=True)
SALE = MatterKind("Conveyancing - Sale", "Conveyancing",
                   ("Intake", "Engaged", "Closing", "Settled", "Closed Won"), (900, 2200), is_property=True)
MATTER_KINDS = (
    PURCHASE, PURCHASE, PURCHASE, SALE, SALE,
    MatterKind("Litigation", "Litigation", ("Intake", "Under Review", "Engaged", "Discovery",
                                            "Negotiation", "Settled", "Closed Won"), (8000, 150000)),
    MatterKind("Wills & Estates", "Wills & Estates", ("Intake", "Engaged", "Closing", "Closed Won"),
               (600, 9000)),
    MatterKind("Wills & Estates", "Wills & Estates", ("Intake", "Engaged", "Closing", "Closed Won"),
               (600, 9000)),
    MatterKind("Family", "Family", ("Intake", "Engaged", "Negotiation", "Settled", "Closed Won"),
               (5000, 60000)),
    MatterKind("Commercial", "Commercial", ("Intake", "Under Review", "Engaged", "Closing",
                                            "Closed Won"), (2500, 40000)),
)
