"""The made-up firm behind generated OplaCRM exports: Tanjong Supply, a Singapore B2B distributor
of packaging, cold-chain, safety and warehouse goods selling across South-East Asia. Plain tables,
so the generator's logic stays readable."""

from __future__ import annotations

# --- the firm ------------------------------------------------------------------------------------

FIRM_DOMAIN = "tanjongsupply.example"
STAFF = (  # (first, last, role) of the active users, in user_id order; the first two always exist
    ("Melissa", "Tan", "admin"),
    ("Kelvin", "Ong", "sales_manager"),
    ("Farah", "Ismail", "sales_rep"),
    ("Darren", "Lim", "sales_rep"),
    ("Priya", "Nair", "sales_rep"),
    ("Jonathan", "Koh", "sales_rep"),
    ("Nur Aisyah", "Rahman", "sales_rep"),
)
# A rep who left: still a user, switched off, and the owner of the records nobody reassigned.
FORMER_REP = ("Former", "Rep", "sales_rep")
FORMER_REP_EMAIL = f"former.rep@{FIRM_DOMAIN}"
# Owners deleted from OplaCRM before the export: their ids survive on records only.
DELETED_OWNER_IDS = ("U-019", "U-024", "U-031")

STAGES = (  # stage_code, display_label, probability, is_closed
    ("NEW_LEAD", "New lead", 10, False),
    ("QUALIFIED", "Qualified", 25, False),
    ("DEMO", "Demo", 40, False),
    ("PROPOSAL", "Proposal sent", 60, False),
    ("NEGOTIATION", "Negotiation", 80, False),
    ("CLOSE_WON", "Closed won", 100, True),
    ("CLOSE_LOST", "Closed lost", 0, True),
)
# Cumulative shares of the stages (in STAGES order) across the firm's opportunities.
STAGE_SHARES = (0.12, 0.24, 0.34, 0.44, 0.52, 0.82, 1.0)
OFF_LIST_STAGE = "ON_HOLD"  # used in OplaCRM once, then deleted from the sale process
WON_REASONS = ("Budget approved", "Best price", "Existing relationship", "Product fit",
               "Fast delivery")
LOST_REASONS = ("Price", "Chose competitor", "No budget", "Project cancelled", "No decision")
INVOICE_STATUSES = ("paid", "paid", "paid", "paid", "paid", "paid", "sent", "sent", "overdue", "draft",
                    "void")  # of won deals; deposit invoices are draft or sent

# --- customers -----------------------------------------------------------------------------------

COMPANY_STEMS = ("Jurong", "Tuas", "Kallang", "Changi", "Pasir Panjang", "Woodlands", "Serangoon",
                 "Ang Mo Kio", "Lion City", "Merlion", "Straits", "Harbourfront", "Tampines",
                 "Golden Rice", "Evergreen", "Sunrise", "Oriental", "Eastern Star", "Peranakan",
                 "Bukit Timah")
COMPANY_KINDS = (  # (name part, industry)
    ("Precision Engineering", "Manufacturing"), ("Food Services", "Food & Beverage"),
    ("Logistics", "Logistics"), ("Hardware Trading", "Retail"), ("Medical Supplies", "Healthcare"),
    ("Electronics", "Electronics"), ("Foodstuff", "Food & Beverage"), ("Hotels", "Hospitality"),
    ("Builders", "Construction"), ("Marine Services", "Marine"), ("Cold Storage", "Logistics"),
    ("Pharma", "Pharmaceuticals"),
)
COUNTRIES = (  # (country, cumulative share, legal-form suffixes, web domain ending)
    ("Singapore", 0.80, ("Pte Ltd", "Pte. Ltd.", "Pte Ltd"), ".com.sg"),
    ("Malaysia", 0.90, ("Sdn Bhd", "Sdn. Bhd."), ".com.my"),
    ("Indonesia", 0.95, ("Tbk", ""), ".co.id"),
    ("Thailand", 0.98, ("Co., Ltd.",), ".co.th"),
    ("Vietnam", 1.0, ("Co., Ltd",), ".vn"),
)
SINGAPORE_STREETS = (  # (street, first two digits of its postal codes)
    ("Tuas Avenue 3", "63"), ("Tuas South Street 5", "63"), ("Jurong Port Road", "61"),
    ("Pioneer Road North", "62"), ("Kaki Bukit Road 1", "41"), ("Ubi Avenue 4", "40"),
    ("Kallang Way", "34"), ("Genting Lane", "34"), ("Changi South Lane", "48"), ("Loyang Way", "50"),
    ("Woodlands Loop", "73"), ("Ang Mo Kio Street 62", "56"), ("Pasir Panjang Road", "11"),
    ("Alexandra Road", "15"), ("Toa Payoh Lorong 8", "31"), ("Sin Ming Lane", "57"),
    ("Defu Lane 10", "53"), ("Tai Seng Street", "53"), ("Senoko Drive", "75"),
    ("Bukit Batok Crescent", "65"),
)
REGIONAL_ADDRESSES = {  # country → (street, city, state, postal code)
    "Malaysia": (("Jalan Perindustrian Puchong", "Puchong", "Selangor", "47100"),
                 ("Jalan Tebrau", "Johor Bahru", "Johor", "80300"),
                 ("Jalan Kuchai Lama", "Kuala Lumpur", "Wilayah Persekutuan", "58200"),
                 ("Jalan Perusahaan 2", "Prai", "Penang", "13600")),
    "Indonesia": (("Jl. Raya Cakung Cilincing", "Jakarta Utara", "DKI Jakarta", "14140"),
                  ("Kawasan Industri Batamindo", "Batam", "Kepulauan Riau", "29433")),
    "Thailand": (("Bangna-Trad Road Km 23", "Bang Sao Thong", "Samut Prakan", "10570"),),
    "Vietnam": (("Dai lo Binh Duong", "Thu Dau Mot", "Binh Duong", "75000"),),
}
UNIT_NUMBERS = ("", "", "", "#01-05", "#02-11", "#03-15", "#04-12", "#05-08", "#07-21")
ACCOUNT_TAGS = ("VIP", "Reseller", "Key Account", "Export", "Government", "Distributor",
                "Cold Chain")
CONTACT_TAGS = ("Decision Maker", "Newsletter", "VIP", "Technical", "Finance")
OPPORTUNITY_TAGS = ("Tender", "Renewal", "Upsell", "Cross-sell", "Strategic")

FIRST_NAMES = ("Wei Ming", "Hui Min", "Jun Jie", "Xin Yi", "Kai Wen", "Li Ting", "Zhi Hao",
               "Mei Ling", "Siti", "Ahmad", "Nurul", "Hafiz", "Priya", "Arjun", "Kavitha",
               "Ravi", "Daniel", "Rachel", "Marcus", "Sarah", "Bryan", "Michelle", "Anh",
               "Thanh", "Budi", "Dewi", "Somchai", "Nattaya", "James", "Grace")
LAST_NAMES = ("Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Koh", "Teo", "Ong", "Chan", "Yeo",
              "Ismail", "Rahman", "Hassan", "Kumar", "Nair", "Pillai", "Fernandez", "Nguyen",
              "Tran", "Santoso", "Wijaya", "Chaiyaporn", "Smith", "Taylor")
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com.sg", "hotmail.com", "outlook.com", "singnet.com.sg")
JOB_ROLES = ("Purchasing Manager", "Procurement Executive", "Operations Director",
             "Finance Manager", "Managing Director", "Warehouse Supervisor", "Owner",
             "Supply Chain Lead", "Admin Executive", "")
BAD_EMAILS = ("tan.weiming@@gmail.com", "n/a", "wm.tan@", "lim at company dot sg")
BAD_PHONES = ("ask reception", "12", "+65 123", "tel")

# --- sales ---------------------------------------------------------------------------------------

DEAL_THEMES = ("Stretch film annual supply", "Cold-chain packaging trial",
               "Warehouse consumables contract", "PPE restock", "Cleaning supplies tender",
               "Label printer rollout", "Pallet replacement programme", "Carton supply – new plant",
               "Quarterly safety gear order", "Export packaging project")
PRODUCTS = (  # (sku prefix, name, unit, lowest and highest list price in SGD, description)
    ("PKG", "Stretch Film 500mm x 300m", "roll", 12, 25, "Cast stretch film, 20 micron, clear."),
    ("PKG", "Corrugated Carton 5-Ply 600x400x400", "bundle of 25", 38, 70,
     "Double-wall export carton, brown kraft."),
    ("PKG", "Bubble Wrap 1m x 100m", "roll", 28, 45, "10mm bubbles, perforated every 30cm."),
    ("PKG", "Packing Tape 48mm Clear", "carton of 36", 40, 65, "Acrylic adhesive, 100m per roll."),
    ("CLD", "Insulated Shipping Box 20L", "piece", 18, 35, "EPS box with outer carton, 48h at 2–8 °C."),
    ("CLD", "Gel Ice Pack 500g", "carton of 40", 30, 55, "Reusable, non-toxic gel."),
    ("CLD", "Temperature Data Logger", "piece", 45, 120, "USB logger, -30 to 70 °C, PDF report."),
    ("SAF", "Nitrile Gloves (Box of 100)", "box", 6, 14, "Powder-free, food safe, sizes S–XL."),
    ("SAF", "Safety Boots Steel Toe", "pair", 45, 110, "SS 513 certified, slip resistant."),
    ("SAF", "Hi-Vis Vest Class 2", "piece", 5, 12, "Reflective tape, hook-and-loop closure."),
    ("CLN", "Industrial Degreaser 5L", "jerry can", 22, 40, "Water-based, biodegradable."),
    ("CLN", "Hand Soap Refill 4L", "bottle", 9, 18, "Antibacterial, mild fragrance."),
    ("WHS", "Plastic Pallet 1200x1000", "piece", 55, 140, "HDPE, 1.5 t dynamic load."),
    ("WHS", "Hand Pallet Truck 2.5T", "unit", 380, 650, "Polyurethane wheels, 2,500 kg capacity."),
    ("LBL", "Thermal Labels 100x150mm", "roll", 8, 16, "500 labels per roll, 76mm core."),
    ("LBL", "Barcode Ribbon Wax 110mm", "roll", 7, 15, "300m, for near-edge printers."),
)
PRODUCT_BRANDS = ("TSP", "ProPack", "SafeHands", "CoolChain", "Brite", "Linkwell")

# --- key-value custom fields ---------------------------------------------------------------------

CUSTOM_FIELD_KEYS = {  # record_type → (field_key, field_type); `Employees` and `City` collide
    # with standard Twenty fields (Company.employees, Person.city) on purpose
    "account": (("Credit Limit", "NUMBER"), ("Contract Renewal", "DATE"), ("Employees", "NUMBER"),
                ("Interests", "MULTI_SELECT")),
    "contact": (("Preferred Channel", "TEXT"), ("Newsletter Opt In", "CHECKBOX"), ("City", "TEXT")),
    "opportunity": (("Lead Source", "TEXT"),),
}
INTERESTS = ("Packaging", "Cold Chain", "Industrial Safety", "Cleaning Supplies",
             "Warehouse Equipment", "Labels & Printing")
PREFERRED_CHANNELS = ("Email", "Email", "Phone", "WhatsApp", "WhatsApp", "LinkedIn", "In person")
CITIES = ("Singapore", "Singapore", "Singapore", "Johor Bahru", "Kuala Lumpur", "Jakarta", "Batam",
          "Bangkok", "Ho Chi Minh City", "Penang")
LEAD_SOURCES = ("Trade show", "Referral", "Website", "Cold call", "LinkedIn", "Existing customer",
                "Partner")
UNPARSABLE = {"NUMBER": ("n/a", "TBC"), "DATE": ("31/02/2024", "30/02/2025")}
