"""The destination catalog: every field a mapping can write, per object, in one shape for Twenty and Odoo.

The proposer matches export columns to destination fields offline, so it needs to know, without
reading any docs, which leaves a payload may carry (`name.firstName`, not `name`; `companyId`, not
`company`), what kind of value each takes, its select options and relation target, and the words a
source column for it is likely to use. Twenty's metadata API and Odoo's `fields_get` describe far
more than that (system columns, computed fields, reverse lists, file blobs), and differently, so
both are reduced here to writable leaves in the pipeline's logical (v1.5) field names — the names a
mapping is written in and that `WorkspaceSchema` adapts to newer Twenty servers.

Saved catalogs (`catalogs/twenty.json`, `catalogs/odoo.json`) describe a fresh Twenty workspace and
a stock Odoo CRM database, for drafting a mapping with no server at hand; `write_saved_catalogs`
rebuilds them from the test doubles after the lexicon or the rules below change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

System = Literal["twenty", "odoo"]

KINDS = frozenset({"text", "number", "money", "date", "datetime", "boolean", "select", "multi_select", "email",
                   "phone", "url", "relation", "rich_text", "address_part", "name_part"})


@dataclass(frozen=True)
class CatalogField:
    """One writable leaf of a destination object, as a mapping's `fields` key names it."""

    object: str  # Twenty plural ("people") or Odoo model ("res.partner")
    path: str  # "name.firstName", "companyId", "email", "partner_id"
    label: str
    kind: str  # one of KINDS
    dest_type: str  # the destination's own type: "FULL_NAME", "RELATION", "many2one", …
    options: tuple[str, ...] = ()  # select values, in the destination's order
    option_labels: tuple[str, ...] = ()  # their display labels (Odoo's keys say little: "0".."3")
    relation: str | None = None  # the related object (Twenty plural, Odoo model)
    required: bool = False  # the destination refuses a record without it
    custom: bool = False
    aliases: tuple[str, ...] = ()  # lower-case phrases a source column for this field might be called

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.object}.{self.path}: unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class DestinationCatalog:
    system: System
    objects: dict[str, tuple[CatalogField, ...]]  # object → its writable fields
    object_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # object → what an export calls it

    def fields(self, object: str) -> tuple[CatalogField, ...]:
        try:
            return self.objects[object]
        except KeyError:
            raise KeyError(f"the {self.system} catalog has no object {object!r}") from None

    def field(self, object: str, path: str) -> CatalogField | None:
        return next((f for f in self.objects.get(object, ()) if f.path == path), None)

    def to_json(self) -> str:
        objects = {name: {"aliases": list(self.object_aliases.get(name, ())),
                          "fields": [{k: v for k, v in asdict(f).items() if k != "object"} for f in fields]}
                   for name, fields in self.objects.items()}
        return json.dumps({"system": self.system, "objects": objects}, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DestinationCatalog:
        data = json.loads(text)
        objects = {name: tuple(CatalogField(object=name, **{k: tuple(v) if isinstance(v, list) else v
                                                           for k, v in raw.items()}) for raw in body["fields"])
                   for name, body in data["objects"].items()}
        aliases = {name: tuple(body.get("aliases", ())) for name, body in data["objects"].items()}
        return cls(data["system"], objects, aliases)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> DestinationCatalog:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


# --- the CRM vocabulary ------------------------------------------------------------------------
# What a column for a concept is called across vertical-CRM exports (lower case). A field gets its
# concept's phrases, then its own label and name spelled out, so custom fields are matchable too.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "given name", "forename", "fname", "firstname", "first"),
    "last_name": ("last name", "surname", "family name", "lname", "lastname", "last"),
    "full_name": ("contact name", "full name", "name", "contact"),
    "partner_name": ("name", "full name", "contact name", "company name", "client name", "display name"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "primary email", "work email"),
    "phone": ("phone", "telephone", "tel", "mobile", "cell", "phone number", "mobile phone", "cell phone",
              "work phone"),
    "phone_country": ("phone country", "phone country code", "country code"),
    "job_title": ("job title", "title", "position", "role", "job", "occupation", "designation"),
    "company_name": ("company", "company name", "account", "account name", "organisation", "organization",
                     "business", "business name", "client name", "firm", "firm name", "employer"),
    "website": ("website", "web site", "url", "domain", "domain name", "homepage", "web", "site"),
    "linkedin": ("linkedin", "linkedin url", "linkedin profile"),
    "twitter": ("twitter", "x", "twitter handle", "x handle"),
    "employees": ("employees", "employee count", "headcount", "number of employees", "staff", "company size"),
    "annual_revenue": ("annual revenue", "arr", "annual recurring revenue", "revenue", "turnover"),
    "currency": ("currency", "currency code", "ccy"),
    "icp": ("icp", "ideal customer profile", "ideal customer", "target account"),
    "street": ("street", "address", "address line 1", "address 1", "address1", "street address", "street 1",
               "line 1"),
    "street2": ("address line 2", "address 2", "address2", "street 2", "street2", "suite", "unit", "line 2"),
    "city": ("city", "town", "suburb", "locality"),
    "state": ("state", "province", "region", "county", "territory"),
    "postcode": ("postcode", "post code", "postal code", "zip", "zip code", "zipcode"),
    "country": ("country", "nation", "country name"),
    "owner": ("owner", "account owner", "salesperson", "sales rep", "assigned to", "owner email", "rep",
              "account manager", "responsible", "user"),
    "assignee": ("assignee", "assigned to", "owner", "responsible", "assigned user", "assignee email"),
    "company_link": ("company", "company id", "account", "account id", "organisation", "client", "client id",
                     "employer", "parent company"),
    "person_link": ("person", "contact", "contact id", "person id", "client contact"),
    "contact_link": ("contact", "primary contact", "point of contact", "main contact", "contact id",
                     "primary contact id"),
    "opportunity_link": ("opportunity", "opportunity id", "deal", "deal id", "matter", "matter id"),
    "note_link": ("note", "note id", "activity", "activity id"),
    "task_link": ("task", "task id"),
    "deal_name": ("name", "deal", "deal name", "opportunity", "opportunity name", "title", "matter",
                  "matter name", "subject"),
    "amount": ("amount", "value", "price", "deal value", "revenue", "expected revenue", "deal amount", "total",
               "fee"),
    "close_date": ("close date", "expected close", "expected close date", "closing date", "deadline", "close",
                   "expected closing"),
    "stage": ("stage", "status", "pipeline stage", "deal stage", "phase"),
    "created": ("created", "created at", "created on", "creation date", "date created", "created date",
                "created time"),
    "title": ("title", "subject", "heading", "summary", "name"),
    "body": ("body", "note", "notes", "content", "description", "text", "details", "comments", "comment",
             "message"),
    "task_status": ("status", "state", "task status", "completed", "done"),
    "due_date": ("due", "due date", "due at", "due on", "deadline", "due by"),
    "file_name": ("file name", "filename", "document name", "name", "title", "file"),
    "file_type": ("type", "file type", "mime type", "mimetype", "content type", "document type", "extension"),
    "author": ("author", "uploaded by", "created by", "written by", "user", "owner", "author email"),
    "is_company": ("is company", "is a company", "company?", "client type", "contact type", "type",
                   "entity type", "kind"),
    "tax_id": ("vat", "tax id", "abn", "ein", "tax number", "vat number"),
    "reference": ("reference", "ref", "code", "account number", "client number"),
    "industry": ("industry", "sector", "vertical"),
    "tags": ("tags", "tag", "labels", "categories", "category"),
    "lead_type": ("type", "lead type", "record type"),
    "customer": ("customer", "client", "account", "company", "contact", "partner", "customer id", "client id"),
    "probability": ("probability", "win probability", "likelihood", "chance", "probability %", "percent"),
    "priority": ("priority", "rating", "stars", "importance"),
    "lost_reason": ("lost reason", "loss reason", "close reason", "reason lost"),
    "team": ("sales team", "team"),
    "lead_source": ("source", "lead source", "origin", "channel", "referral source"),
    "referred": ("referred by", "referral", "referrer", "referred"),
    "stage_name": ("stage", "stage name", "name", "status"),
    "sequence": ("sequence", "order", "position", "rank"),
    "won": ("won", "is won", "won stage", "closed won"),
    "occurred": ("date", "occurred at", "occurred on", "sent at", "timestamp", "date time", "datetime",
                 "logged at", "created at", "created"),
    "author_email": ("from", "from email", "sender", "sender email", "author email", "email from"),
    "related_model": ("model", "related model", "record type", "object type", "res model"),
    "related_record": ("record", "record id", "related record", "related id", "res id"),
    "message_type": ("message type", "type", "kind", "activity type"),
    "subtype": ("subtype", "message subtype"),
    "description": ("description", "notes", "summary", "comment"),
    "attachment_type": ("type", "attachment type", "storage"),
    "url": ("url", "link", "web address"),
}

# "<object>:<path>" (or "*:<path>" for any object) → concept.
_FIELD_CONCEPTS: dict[System, dict[str, str]] = {
    "twenty": {
        "*:createdAt": "created",
        "companies:name": "company_name", "companies:domainName.primaryLinkUrl": "website",
        "*:linkedinLink.primaryLinkUrl": "linkedin", "*:xLink.primaryLinkUrl": "twitter",
        "companies:employees": "employees", "companies:annualRecurringRevenue.amountMicros": "annual_revenue",
        "*:annualRecurringRevenue.currencyCode": "currency", "companies:idealCustomerProfile": "icp",
        "*:address.addressStreet1": "street", "*:address.addressStreet2": "street2",
        "*:address.addressCity": "city", "*:address.addressState": "state",
        "*:address.addressPostcode": "postcode", "*:address.addressCountry": "country",
        "companies:accountOwnerId": "owner", "opportunities:ownerId": "owner",
        "people:name.firstName": "first_name", "people:name.lastName": "last_name",
        "people:emails.primaryEmail": "email", "people:phones.primaryPhoneNumber": "phone",
        "people:phones.primaryPhoneCountryCode": "phone_country", "people:jobTitle": "job_title",
        "people:city": "city",
        "*:companyId": "company_link", "*:personId": "person_link", "*:pointOfContactId": "contact_link",
        "*:opportunityId": "opportunity_link", "*:noteId": "note_link", "*:taskId": "task_link",
        "opportunities:name": "deal_name", "*:amount.amountMicros": "amount", "*:amount.currencyCode": "currency",
        "opportunities:closeDate": "close_date", "opportunities:stage": "stage",
        "notes:title": "title", "tasks:title": "title", "*:bodyV2.markdown": "body",
        "tasks:status": "task_status", "tasks:dueAt": "due_date", "tasks:assigneeId": "assignee",
        "attachments:name": "file_name", "attachments:type": "file_type", "attachments:authorId": "author",
    },
    "odoo": {
        "res.partner:name": "partner_name", "*:email": "email", "crm.lead:email_from": "email",
        "*:phone": "phone", "*:mobile": "phone", "*:website": "website",
        "*:street": "street", "*:street2": "street2", "*:city": "city", "*:zip": "postcode",
        "*:state_id": "state", "*:country_id": "country", "*:function": "job_title",
        "res.partner:parent_id": "company_link", "res.partner:is_company": "is_company", "*:user_id": "owner",
        "res.partner:comment": "description", "*:vat": "tax_id", "res.partner:ref": "reference",
        "res.partner:industry_id": "industry", "res.partner:category_id": "tags", "crm.lead:tag_ids": "tags",
        "res.partner:company_name": "company_name",
        "crm.lead:name": "deal_name", "crm.lead:type": "lead_type", "crm.lead:partner_id": "customer",
        "crm.lead:stage_id": "stage", "crm.lead:probability": "probability", "crm.lead:expected_revenue": "amount",
        "crm.lead:date_deadline": "close_date", "crm.lead:description": "body", "crm.lead:contact_name": "full_name",
        "crm.lead:partner_name": "company_name", "crm.lead:priority": "priority",
        "crm.lead:lost_reason_id": "lost_reason", "crm.lead:team_id": "team", "crm.lead:source_id": "lead_source",
        "crm.lead:referred": "referred",
        "crm.stage:name": "stage_name", "crm.stage:sequence": "sequence", "crm.stage:is_won": "won",
        "mail.message:body": "body", "mail.message:subject": "title", "mail.message:date": "occurred",
        "mail.message:author_id": "author", "mail.message:email_from": "author_email",
        "mail.message:model": "related_model", "mail.message:res_id": "related_record",
        "mail.message:message_type": "message_type", "mail.message:subtype_id": "subtype",
        "ir.attachment:name": "file_name", "ir.attachment:res_model": "related_model",
        "ir.attachment:res_id": "related_record", "ir.attachment:description": "description",
        "ir.attachment:url": "url", "ir.attachment:type": "attachment_type",
    },
}

_OBJECT_ALIASES: dict[str, tuple[str, ...]] = {
    "companies": ("companies", "company", "accounts", "organisations", "organizations", "clients", "firms",
                  "businesses", "customers"),
    "people": ("people", "person", "contacts", "contact", "persons", "individuals", "clients", "leads"),
    "opportunities": ("opportunities", "opportunity", "deals", "matters", "cases", "pipeline", "leads"),
    "notes": ("notes", "activities", "comments", "events", "history", "interactions"),
    "tasks": ("tasks", "todos", "to-dos", "reminders", "follow ups"),
    "noteTargets": ("note links", "note targets"),
    "taskTargets": ("task links", "task targets"),
    "attachments": ("attachments", "documents", "files", "uploads"),
    "res.partner": ("contacts", "companies", "clients", "accounts", "customers", "partners", "people",
                    "organisations"),
    "crm.lead": ("opportunities", "deals", "leads", "matters", "cases", "pipeline"),
    "crm.stage": ("stages", "pipeline stages"),
    "mail.message": ("notes", "activities", "messages", "comments", "emails", "history", "stage history"),
    "ir.attachment": ("attachments", "documents", "files", "uploads"),
}


def _words(name: str) -> str:
    """`accountOwnerId` → "account owner", `date_deadline` → "date deadline"."""
    name = re.sub(r"(_id|_ids|Id|Ids)$", "", name)
    return " ".join(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").lower().split())


def _aliases(system: System, object: str, path: str, *derived: str) -> tuple[str, ...]:
    table = _FIELD_CONCEPTS[system]
    concept = table.get(f"{object}:{path}") or table.get(f"*:{path}")
    phrases = [*_CONCEPTS.get(concept or "", ()), *(d.strip().lower() for d in derived)]
    return tuple(dict.fromkeys(p for p in phrases if p))


# --- Twenty ------------------------------------------------------------------------------------
# The objects a CRM migration writes (custom objects are added to these).
TWENTY_OBJECTS = ("companies", "people", "opportunities", "notes", "tasks", "noteTargets", "taskTargets",
                  "attachments")
_TWENTY_KINDS = {"TEXT": "text", "NUMBER": "number", "NUMERIC": "number", "DATE_TIME": "datetime", "DATE": "date",
                 "BOOLEAN": "boolean", "SELECT": "select", "MULTI_SELECT": "multi_select", "RATING": "select",
                 "ARRAY": "multi_select", "RICH_TEXT": "rich_text", "RAW_JSON": "text"}
# Composite type → its writable sub-fields: (sub-field, kind, label). The first is the field's main value.
_COMPOSITES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "FULL_NAME": (("firstName", "name_part", "First name"), ("lastName", "name_part", "Last name")),
    "EMAILS": (("primaryEmail", "email", "Primary email"),),
    "PHONES": (("primaryPhoneNumber", "phone", "Phone number"), ("primaryPhoneCountryCode", "text", "Country code")),
    "LINKS": (("primaryLinkUrl", "url", "URL"),),
    "CURRENCY": (("amountMicros", "money", "Amount"), ("currencyCode", "text", "Currency code")),
    "ADDRESS": (("addressStreet1", "address_part", "Street 1"), ("addressStreet2", "address_part", "Street 2"),
                ("addressCity", "address_part", "City"), ("addressState", "address_part", "State"),
                ("addressPostcode", "address_part", "Postcode"), ("addressCountry", "address_part", "Country")),
    "RICH_TEXT_V2": (("markdown", "rich_text", "Markdown"),),
}
_RELATIONS = ("RELATION", "MORPH_RELATION")
# Set by Twenty itself (ids, ordering, search index, audit actors and timestamps), never by a payload.
_TWENTY_SKIP_NAMES = frozenset({"id", "position", "searchVector", "createdBy", "updatedBy", "updatedAt", "deletedAt"})
_TWENTY_SKIP_TYPES = frozenset({"UUID", "POSITION", "TS_VECTOR", "ACTOR", "FILES"})
# An attachment's file is set by the load's `file` rule from the upload, never by a field rule.
_SET_BY_UPLOAD = {("attachments", "fullPath")}
_OWNERS = "workspaceMembers"  # relations to members are owner fields: kept though members are not written


def catalog_from_twenty_metadata(objects: Iterable[Mapping[str, Any]]) -> DestinationCatalog:
    """The catalog of a workspace from `GET /rest/metadata/objects` (`data.objects`), v1.5 or v2.x.

    Names are the logical (v1.5) ones a mapping uses: a v2.x `targetPerson` link is `personId`.
    """
    objects = list(objects)
    plural_of = {o["nameSingular"]: o["namePlural"] for o in objects}
    kept = [o for o in objects if o["namePlural"] in TWENTY_OBJECTS or o.get("isCustom")]
    kept.sort(key=lambda o: (TWENTY_OBJECTS.index(o["namePlural"]) if o["namePlural"] in TWENTY_OBJECTS
                             else len(TWENTY_OBJECTS), o["namePlural"]))
    writable = {o["namePlural"] for o in kept} | {_OWNERS}
    catalog: dict[str, tuple[CatalogField, ...]] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    for obj in kept:
        plural = obj["namePlural"]
        catalog[plural] = tuple(leaf for raw in obj.get("fields", [])
                                for leaf in _twenty_leaves(plural, raw, plural_of, writable))
        labels = (obj.get("labelPlural", ""), obj.get("labelSingular", ""), _words(plural))
        aliases[plural] = tuple(dict.fromkeys([*_OBJECT_ALIASES.get(plural, ()), *(x.lower() for x in labels if x)]))
    return DestinationCatalog("twenty", catalog, aliases)


def _twenty_leaves(plural: str, raw: Mapping[str, Any], plural_of: Mapping[str, str],
                   writable: set[str]) -> list[CatalogField]:
    name, type_, label = raw["name"], raw["type"], raw.get("label") or raw["name"]
    custom = bool(raw.get("isCustom"))
    if (not raw.get("isActive", True) or name in _TWENTY_SKIP_NAMES or type_ in _TWENTY_SKIP_TYPES
            or (plural, name) in _SET_BY_UPLOAD):
        return []
    if type_ in _RELATIONS:
        link = _many_to_one(raw, plural_of)
        if link is None or link[1] not in writable:
            return []  # a reverse list, or a link to something a migration never writes (workflows, timeline)
        path = f"{link[0]}Id"
        return [CatalogField(plural, path, label, "relation", type_, relation=link[1], custom=custom,
                             aliases=_aliases("twenty", plural, path, label, _words(link[0])))]
    if raw.get("isSystem") and name != "createdAt":
        return []  # Twenty's own columns (avatars, file categories); createdAt is writable on create
    required = not raw.get("isNullable", True) and raw.get("defaultValue") is None
    if type_ in _COMPOSITES:
        leaves = []
        for index, (sub, kind, sub_label) in enumerate(_COMPOSITES[type_]):
            path = f"{name}.{sub}"
            derived = (label, _words(name), f"{label} {sub_label}") if index == 0 and type_ != "FULL_NAME" \
                else (sub_label, f"{label} {sub_label}")
            leaves.append(CatalogField(plural, path, f"{label} ({sub_label})", kind, type_,
                                       required=required and index == 0, custom=custom,
                                       aliases=_aliases("twenty", plural, path, *derived)))
        return leaves
    kind = _TWENTY_KINDS.get(type_)
    if kind is None:
        return []  # a type no payload writes
    options = sorted(raw.get("options") or [], key=lambda o: o.get("position", 0))
    return [CatalogField(plural, name, label, kind, type_, tuple(o["value"] for o in options),
                         tuple(o.get("label") or o["value"] for o in options), required=required, custom=custom,
                         aliases=_aliases("twenty", plural, name, label, _words(name)))]


def _many_to_one(raw: Mapping[str, Any], plural_of: Mapping[str, str]) -> tuple[str, str] | None:
    """(logical link name, target plural) of a MANY_TO_ONE relation; None for the ONE_TO_MANY side.

    v2.x MORPH_RELATION links (`targetPerson`) report no relation: their name says the target.
    """
    relation = raw.get("relation") or {}
    if raw["type"] == "RELATION":
        if relation.get("type") != "MANY_TO_ONE":
            return None
        return raw["name"], relation["targetObjectMetadata"]["namePlural"]
    name = raw["name"]
    match = re.fullmatch(r"target([A-Z]\w*)", name)
    singular = match.group(1)[:1].lower() + match.group(1)[1:] if match else name
    target = (relation.get("targetObjectMetadata") or {}).get("namePlural") or plural_of.get(singular)
    return (singular, target) if target else None


# --- Odoo --------------------------------------------------------------------------------------
ODOO_MODELS = ("res.partner", "crm.lead", "crm.stage", "mail.message", "ir.attachment")
_ODOO_KINDS = {"char": "text", "text": "text", "html": "rich_text", "integer": "number", "float": "number",
               "monetary": "money", "date": "date", "datetime": "datetime", "boolean": "boolean",
               "selection": "select", "many2one": "relation", "many2many": "relation",
               "many2one_reference": "relation"}
# Odoo types char fields only: these names carry what Twenty types as EMAILS, PHONES, LINKS, ADDRESS.
_ODOO_CHAR_KINDS = {"email": "email", "email_from": "email", "email_cc": "email", "phone": "phone",
                    "mobile": "phone", "website": "url", "url": "url", "street": "address_part",
                    "street2": "address_part", "zip": "address_part", "city": "address_part"}
# Writable per fields_get but bookkeeping, never business data an export carries.
_ODOO_SKIP_NAMES = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date",
                              "__last_update", "color", "signup_type", "calendar_last_notif_ack",
                              "phone_mobile_search", "email_layout_xmlid", "email_add_signature",
                              "reply_to_force_new", "mail_server_id", "access_token", "store_fname", "res_field",
                              "reveal_id", "iap_enrich_done", "lead_mining_request_id",
                              # the chatter and activity mixins' own (followers, bounces, next activity)
                              "message_partner_ids", "message_bounce", "activity_type_id", "activity_summary"})
# Links into Odoo's own machinery (the tenant company, chat, mail routing): set by Odoo, not migrated.
_ODOO_TECHNICAL_MODELS = frozenset({"res.company", "discuss.channel", "mail.guest", "mail.alias.domain",
                                    "mail.activity.type"})


def catalog_from_odoo_fields(fields_by_model: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> DestinationCatalog:
    """The catalog of an Odoo database from `fields_get` answers per model (with `readonly` and
    `selection` among the attributes: without `readonly`, computed fields would look writable)."""
    catalog = {model: tuple(leaf for name, meta in fields.items() if (leaf := _odoo_leaf(model, name, meta)))
               for model, fields in fields_by_model.items()}
    aliases = {model: tuple(dict.fromkeys([*_OBJECT_ALIASES.get(model, ()), _words(model.split(".")[-1])]))
               for model in fields_by_model}
    return DestinationCatalog("odoo", catalog, aliases)


def _odoo_leaf(model: str, name: str, meta: Mapping[str, Any]) -> CatalogField | None:
    type_ = meta.get("type", "")
    kind = _ODOO_KINDS.get(type_)  # one2many (reverse lists), binary (files travel by upload), json: not written
    if (kind is None or meta.get("readonly") or name in _ODOO_SKIP_NAMES
            or meta.get("relation") in _ODOO_TECHNICAL_MODELS):
        return None
    if type_ == "char":
        kind = _ODOO_CHAR_KINDS.get(name, kind)
    label = meta.get("string") or name
    selection = [pair for pair in meta.get("selection") or [] if isinstance(pair, list | tuple)]
    return CatalogField(model, name, label, kind, type_, tuple(str(v) for v, _ in selection),
                        tuple(str(text) for _, text in selection), meta.get("relation") or None,
                        bool(meta.get("required")), custom=name.startswith("x_"),  # Odoo's prefix for manual fields
                        aliases=_aliases("odoo", model, name, label, _words(name)))


# --- live and saved catalogs -------------------------------------------------------------------
_ODOO_ATTRIBUTES = ["string", "type", "required", "readonly", "relation", "selection"]


def live_catalog(destination: Any, models: Iterable[str] = ODOO_MODELS) -> DestinationCatalog:
    """The catalog of the server a TwentyDestination or OdooDestination points at (custom fields included).

    `models` are the Odoo models to describe; a Twenty workspace describes all its objects in one call.
    """
    from migration_pipeline.destinations.odoo import OdooDestination
    from migration_pipeline.destinations.twenty import TwentyDestination

    if isinstance(destination, TwentyDestination):
        body = destination.http.request("GET", "/rest/metadata/objects", paced=False)
        return catalog_from_twenty_metadata(body["data"]["objects"])
    if isinstance(destination, OdooDestination):
        return catalog_from_odoo_fields({model: destination.rpc.call(model, "fields_get", attributes=_ODOO_ATTRIBUTES)
                                         for model in models})
    raise TypeError(f"{type(destination).__name__} has no live schema; use saved_catalog('twenty' or 'odoo')")


def saved_catalog(system: System) -> DestinationCatalog:
    """A fresh Twenty workspace (v1.5 names) or a stock Odoo CRM database, for when no server is at hand."""
    if system not in ("twenty", "odoo"):
        raise ValueError(f"no saved catalog for {system!r}: 'twenty' or 'odoo'")
    return DestinationCatalog.from_json((resources.files(__package__) / "catalogs" / f"{system}.json")
                                        .read_text(encoding="utf-8"))


def write_saved_catalogs(directory: str | Path | None = None) -> list[Path]:
    """Rebuild the saved catalogs from the test doubles: a fresh v1.5 workspace, Odoo's recorded fields_get."""
    from migration_pipeline.destinations.twenty import TwentyDestination
    from migration_pipeline_tests.twenty_server import TwentyConfig, TwentyServer

    target = Path(directory) if directory else Path(__file__).parent / "catalogs"
    target.mkdir(parents=True, exist_ok=True)
    with TwentyServer(TwentyConfig(version="v1.5")) as server:
        twenty = live_catalog(TwentyDestination(base_url=server.url, api_key=server.config.api_key,
                                                requests_per_minute=0))
    dumps = Path(__file__).parents[2] / "migration_pipeline_tests" / "odoo_server" / "fields"
    odoo = catalog_from_odoo_fields({model: json.loads((dumps / f"{model}.json").read_text(encoding="utf-8"))
                                     for model in ODOO_MODELS if (dumps / f"{model}.json").exists()})
    paths = [target / "twenty.json", target / "odoo.json"]
    twenty.save(paths[0])
    odoo.save(paths[1])
    return paths
