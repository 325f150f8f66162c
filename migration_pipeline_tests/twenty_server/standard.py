"""The standard objects of a fresh Twenty workspace, per recorded version.

Only the objects a CRM migration touches are stored (companies, people, opportunities, notes,
tasks, their targets, attachments, workspace members). Relations to objects the double does not
store (favorites, timeline activities, …) still appear in metadata and render as [] at depth ≥ 1,
because real records carry them.
"""

from __future__ import annotations

from typing import Any

from .schema import ObjectDef, Field, Relation, Version, stable_id

_EMPTY = "''"
_ACTOR_DEFAULT = {"name": "'System'", "source": "'MANUAL'", "workspaceMemberId": None}
_COMPOSITE_DEFAULTS: dict[str, dict[str, Any]] = {
    "LINKS": {"primaryLinkUrl": _EMPTY, "secondaryLinks": None, "primaryLinkLabel": _EMPTY},
    "ADDRESS": {"addressLat": None, "addressLng": None, "addressCity": _EMPTY, "addressState": _EMPTY,
                "addressCountry": _EMPTY, "addressStreet1": _EMPTY, "addressStreet2": _EMPTY,
                "addressPostcode": _EMPTY},
    "CURRENCY": {"amountMicros": None, "currencyCode": _EMPTY},
    "EMAILS": {"primaryEmail": _EMPTY, "additionalEmails": None},
    "PHONES": {"additionalPhones": None, "primaryPhoneNumber": _EMPTY, "primaryPhoneCallingCode": _EMPTY,
               "primaryPhoneCountryCode": _EMPTY},
    "FULL_NAME": {"lastName": _EMPTY, "firstName": _EMPTY},
}
_COLORS = ("red", "purple", "sky", "turquoise", "yellow", "green", "blue", "orange", "pink", "gray")


def target_name(version: Version, singular: str) -> str:
    """The name of a note/task-target or attachment link field: `company` (v1.5), `targetCompany` (v2.4)."""
    return singular if version == "v1.5" else "target" + singular[:1].upper() + singular[1:]


def options(*values: str) -> list[dict[str, Any]]:
    return [{"id": "", "color": _COLORS[i % len(_COLORS)], "label": v.replace("_", " ").title(), "value": v,
             "position": i} for i, v in enumerate(values)]


def scalar(name: str, type_: str, label: str, *, required: bool = False, system: bool = False,
           default: Any = None, opts: list[dict[str, Any]] | None = None, icon: str | None = "IconAbc") -> Field:
    if default is None and type_ in _COMPOSITE_DEFAULTS:
        default = dict(_COMPOSITE_DEFAULTS[type_])
    return Field(name, type_, label, nullable=not required, system=system, default=default, options=opts,
                 description=label, icon=icon)


def many_to_one(version: Version, name: str, target: str, inverse: str, *, cascade: bool = False,
                morph: bool = False, system: bool = False) -> Field:
    type_ = "MORPH_RELATION" if morph and version == "v2.4" else "RELATION"
    label = name[:1].upper() + name[1:]
    return Field(name, type_, label, system=system, description=label, icon="IconArrowUpRight",
                 relation=Relation("MANY_TO_ONE", target, inverse, cascade))


def one_to_many(name: str, target: str, inverse: str, *, system: bool = False) -> Field:
    label = name[:1].upper() + name[1:]
    return Field(name, "RELATION", label, system=system, description=label, icon="IconArrowUpRight",
                 relation=Relation("ONE_TO_MANY", target, inverse))


def system_fields(version: Version, *, actor: bool = True, position: bool = True, custom: bool = False) -> list[Field]:
    """position, createdBy[, updatedBy], searchVector, id and the timestamps every record carries."""
    actor_default = {"name": _EMPTY, "source": "'MANUAL'"} if custom else dict(_ACTOR_DEFAULT)
    fields = []
    if position:
        fields.append(scalar("position", "POSITION", "Position", required=True, system=True, default=0,
                             icon="IconHierarchy2"))
    if actor:
        fields.append(scalar("createdBy", "ACTOR", "Created by", required=True, default=actor_default))
        if version == "v2.4":
            fields.append(scalar("updatedBy", "ACTOR", "Updated by", required=True, system=True,
                                 default=dict(actor_default)))
    if position:
        icon = "IconUser" if not custom else (None if version == "v1.5" else "IconSearch")
        fields.append(scalar("searchVector", "TS_VECTOR", "Search vector", system=True, icon=icon))
    fields += [
        scalar("id", "UUID", "Id", required=True, system=True, default="uuid", icon="Icon123"),
        scalar("createdAt", "DATE_TIME", "Creation date", required=True, default="now", icon="IconCalendar"),
        scalar("updatedAt", "DATE_TIME", "Last update", required=True, default="now", icon="IconCalendarClock"),
        scalar("deletedAt", "DATE_TIME", "Deleted at", icon="IconCalendarMinus"),
    ]
    return fields


_GHOST_FIELDS = {"favorites": "favorite", "timelineActivities": "timelineActivity", "blocklist": "blocklist",
                 "messageParticipants": "messageParticipant", "connectedAccounts": "connectedAccount",
                 "calendarEventParticipants": "calendarEventParticipant"}


def ghost_relations(version: Version, singular: str, *names: str) -> list[Field]:
    """ONE_TO_MANY relations (by field name) to objects the double does not store."""
    fields = []
    for name in names:
        ghost = _GHOST_FIELDS[name]
        inverse = target_name(version, singular) if ghost == "timelineActivity" else singular
        fields.append(one_to_many(name, ghost, inverse, system=True))
    return fields


def _links_out(version: Version, singular: str) -> list[Field]:
    """The relations every object that notes, tasks and attachments can point at has."""
    link = target_name(version, singular)
    fields = [one_to_many("taskTargets", "taskTarget", link), one_to_many("noteTargets", "noteTarget", link),
              one_to_many("attachments", "attachment", link, system=True)]
    return fields + ghost_relations(version, singular, "favorites", "timelineActivities")


def _company(v: Version) -> ObjectDef:
    obj = ObjectDef("company", "companies", "Company", "Companies", "", unique=(("domainName", "primaryLinkUrl"),),
                    search=("name", "domainName.primaryLinkUrl"), icon="IconBuildingSkyscraper")
    fields = [scalar("name", "TEXT", "Name", required=True, default=_EMPTY),
              scalar("domainName", "LINKS", "Domain Name", required=True), scalar("employees", "NUMBER", "Employees"),
              scalar("linkedinLink", "LINKS", "Linkedin"), scalar("xLink", "LINKS", "X"),
              scalar("annualRecurringRevenue", "CURRENCY", "ARR"), scalar("address", "ADDRESS", "Address"),
              scalar("idealCustomerProfile", "BOOLEAN", "ICP", required=True, default=False),
              *system_fields(v), many_to_one(v, "accountOwner", "workspaceMember", "accountOwnerForCompanies"),
              one_to_many("people", "person", "company"), one_to_many("opportunities", "opportunity", "company"),
              *_links_out(v, "company")]
    return _fill(v, obj, fields)


def _person(v: Version) -> ObjectDef:
    obj = ObjectDef("person", "people", "Person", "People", "", unique=(("emails", "primaryEmail"),),
                    image_identifier="avatarUrl",
                    search=("name.firstName", "name.lastName", "emails.primaryEmail", "jobTitle"), icon="IconUser")
    fields = [scalar("name", "FULL_NAME", "Name"), scalar("emails", "EMAILS", "Emails", required=True),
              scalar("linkedinLink", "LINKS", "Linkedin"), scalar("xLink", "LINKS", "X"),
              scalar("jobTitle", "TEXT", "Job Title", required=True, default=_EMPTY),
              scalar("phones", "PHONES", "Phones", required=True),
              scalar("city", "TEXT", "City", required=True, default=_EMPTY),
              scalar("avatarUrl", "TEXT", "Avatar", required=True, system=True, default=_EMPTY)]
    if v == "v2.4":
        fields.append(scalar("avatarFile", "FILES", "Avatar file", system=True))
    fields += [*system_fields(v), many_to_one(v, "company", "company", "people"),
               one_to_many("pointOfContactForOpportunities", "opportunity", "pointOfContact"), *_links_out(v, "person"),
               *ghost_relations(v, "person", "messageParticipants", "calendarEventParticipants")]
    return _fill(v, obj, fields)


def _opportunity(v: Version) -> ObjectDef:
    obj = ObjectDef("opportunity", "opportunities", "Opportunity", "Opportunities", "", search=("name",),
                    icon="IconTargetArrow")
    fields = [scalar("name", "TEXT", "Name", required=True, default=_EMPTY), scalar("amount", "CURRENCY", "Amount"),
              scalar("closeDate", "DATE_TIME", "Close date"),
              scalar("stage", "SELECT", "Stage", required=True, default="'NEW'",
                     opts=options("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")),
              *system_fields(v), many_to_one(v, "pointOfContact", "person", "pointOfContactForOpportunities"),
              many_to_one(v, "company", "company", "opportunities")]
    if v == "v2.4":
        fields.append(many_to_one(v, "owner", "workspaceMember", "ownedOpportunities"))
    return _fill(v, obj, fields + _links_out(v, "opportunity"))


def _activity(v: Version, singular: str, plural: str, extra: list[Field]) -> ObjectDef:
    """Notes and tasks: a title, a rich-text body and their own target object."""
    obj = ObjectDef(singular, plural, singular.title(), plural.title(), "", label_identifier="title",
                    search=("title", "bodyV2.markdown"), icon="IconNotes" if singular == "note" else "IconCheckbox")
    fields = [scalar("title", "TEXT", "Title", required=True, default=_EMPTY), scalar("bodyV2", "RICH_TEXT_V2", "Body"),
              *extra, *system_fields(v), one_to_many(f"{singular}Targets", f"{singular}Target", singular),
              one_to_many("attachments", "attachment", target_name(v, singular), system=True),
              *ghost_relations(v, singular, "timelineActivities", *(["favorites"] if v == "v1.5" else []))]
    return _fill(v, obj, fields)


def _target(v: Version, owner: str) -> ObjectDef:
    """noteTarget / taskTarget: links one note/task to a person, company or opportunity."""
    singular = f"{owner}Target"
    obj = ObjectDef(singular, f"{singular}s", f"{owner.title()} Target", f"{owner.title()} Targets", "", system=True,
                    label_identifier="id", search=("id",) if v == "v2.4" else (), icon="IconCheckbox")
    fields = [*system_fields(v, actor=v == "v2.4", position=v == "v2.4"),
              many_to_one(v, owner, owner, f"{singular}s", cascade=True, system=True)]
    fields += [many_to_one(v, target_name(v, t), t, f"{singular}s", cascade=True, morph=True, system=True)
               for t in ("person", "company", "opportunity")]
    return _fill(v, obj, fields)


def _attachment(v: Version) -> ObjectDef:
    obj = ObjectDef("attachment", "attachments", "Attachment", "Attachments", "", system=True,
                    search=("name",) if v == "v2.4" else (), icon="IconFileImport")
    if v == "v1.5":
        fields = [scalar("name", "TEXT", "Name", required=True, default=_EMPTY),
                  scalar("fullPath", "TEXT", "Full path", required=True, default=_EMPTY),
                  scalar("type", "TEXT", "Type", required=True, default=_EMPTY),
                  *system_fields(v, actor=False, position=False),
                  many_to_one(v, "author", "workspaceMember", "authoredAttachments", system=True)]
        targets = ("task", "note", "person", "company", "opportunity")
    else:
        full_path = scalar("fullPath", "TEXT", "Full path", system=True)
        full_path.initial = ""
        fields = [scalar("name", "TEXT", "Name"), scalar("file", "FILES", "File"), full_path,
                  scalar("fileCategory", "SELECT", "File category", required=True, system=True, default="'OTHER'",
                         opts=options("ARCHIVE", "AUDIO", "IMAGE", "PRESENTATION", "SPREADSHEET", "TEXT_DOCUMENT",
                                      "VIDEO", "OTHER")),
                  *system_fields(v)]
        targets = ("task", "note", "person", "company", "opportunity", "dashboard", "workflow")
    fields += [many_to_one(v, target_name(v, t), t, "attachments", cascade=True, morph=True, system=True)
               for t in targets]
    return _fill(v, obj, fields)


def _workspace_member(v: Version) -> ObjectDef:
    obj = ObjectDef("workspaceMember", "workspaceMembers", "Workspace Member", "Workspace Members", "", system=True,
                    read_only=True, search=("userEmail",), icon="IconUserCircle", image_identifier="avatarUrl")
    formats = [scalar("dateFormat", "SELECT", "Date format", required=True, system=True, default="'SYSTEM'",
                      opts=options("SYSTEM", "MONTH_FIRST", "DAY_FIRST", "YEAR_FIRST")),
               scalar("timeFormat", "SELECT", "Time format", required=True, system=True, default="'SYSTEM'",
                      opts=options("SYSTEM", "HOUR_24", "HOUR_12"))]
    if v == "v2.4":
        formats.append(scalar("numberFormat", "SELECT", "Number format", required=True, system=True,
                              default="'SYSTEM'", opts=options("SYSTEM", "COMMAS_AND_DOT", "SPACES_AND_COMMA",
                                                               "DOTS_AND_COMMA", "APOSTROPHE_AND_DOT")))
    fields = [scalar("name", "FULL_NAME", "Name", required=True),
              scalar("colorScheme", "TEXT", "Color Scheme", required=True, system=True, default="'System'"),
              scalar("locale", "TEXT", "Language", required=True, system=True, default="'en'"),
              scalar("avatarUrl", "TEXT", "Avatar Url", required=True, system=True, default=_EMPTY),
              scalar("userEmail", "TEXT", "User Email", required=True, system=True, default=_EMPTY),
              scalar("calendarStartDay", "NUMBER", "Start of the week", required=True, system=True, default=7,
                     icon=None),
              scalar("userId", "UUID", "User Id", required=True, system=True),
              scalar("timeZone", "TEXT", "Time zone", required=True, system=True, default="'system'"),
              *formats, *system_fields(v, actor=v == "v2.4"),
              one_to_many("accountOwnerForCompanies", "company", "accountOwner", system=True),
              one_to_many("assignedTasks", "task", "assignee", system=True)]
    if v == "v1.5":
        fields.append(one_to_many("authoredAttachments", "attachment", "author", system=True))
    else:
        fields.append(one_to_many("ownedOpportunities", "opportunity", "owner", system=True))
    fields += ghost_relations(v, "workspaceMember", "timelineActivities", "favorites", "blocklist",
                              "messageParticipants", "calendarEventParticipants", "connectedAccounts")
    return _fill(v, obj, fields)


def _fill(version: Version, obj: ObjectDef, fields: list[Field]) -> ObjectDef:
    """Give the object and its fields (and their options) their deterministic ids."""
    obj.id = stable_id(version, "object", obj.singular)
    for f in fields:
        f.id = stable_id(version, obj.singular, f.name)
        for option in f.options or []:
            option["id"] = stable_id(version, obj.singular, f.name, option["value"])
        obj.add(f)
    return obj


def standard_objects(version: Version, now: str) -> dict[str, ObjectDef]:
    objects = [_company(version), _person(version), _opportunity(version),
               _activity(version, "note", "notes", []),
               _activity(version, "task", "tasks", [
                   scalar("dueAt", "DATE_TIME", "Due Date"),
                   scalar("status", "SELECT", "Status", default="'TODO'", opts=options("TODO", "IN_PROGRESS", "DONE")),
                   many_to_one(version, "assignee", "workspaceMember", "assignedTasks")]),
               _target(version, "note"), _target(version, "task"), _attachment(version), _workspace_member(version)]
    for obj in objects:
        obj.created_at = obj.updated_at = now
        obj.description = f"A {obj.label_singular.lower()}"
        for f in obj.fields.values():
            f.created_at = f.updated_at = now
    return {obj.singular: obj for obj in objects}
