"""The destination catalog: what the proposer may map a column to, read live or from the saved files.

A field missing here is a column the proposer can never map; a read-only or system field present
here is a mapping that fails at load time. So these tests check both sides, against the fields
the five shipped mappings write, and against the Twenty (v1.5, v2.4) and Odoo test doubles.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migration_pipeline.destinations.base import NewFieldRequest, NewObjectRequest
from migration_pipeline.destinations.odoo import OdooDestination
from migration_pipeline.destinations.twenty import TwentyDestination
from migration_pipeline.mapping.spec import load_spec, mapping_files
from migration_pipeline.proposer.catalog import (
    TWENTY_OBJECTS,
    CatalogField,
    DestinationCatalog,
    catalog_from_odoo_fields,
    catalog_from_twenty_metadata,
    live_catalog,
    saved_catalog,
)
from migration_pipeline_tests.odoo_server import OdooConfig, OdooServer
from migration_pipeline_tests.twenty_server import TwentyConfig, TwentyServer

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT.parent / "shared" / "contracts"  # recordings of real servers, next to the repository
ODOO_DUMPS = ROOT / "migration_pipeline_tests" / "odoo_server" / "fields"
# What v2.4 changed in the logical shape (contracts/twenty-next): attachments lost `type` and
# `authorId` (WorkspaceSchema drops them), opportunities gained an owner.
V24_ONLY = {("opportunities", "ownerId")}
V15_ONLY = {("attachments", "type"), ("attachments", "authorId")}


@pytest.fixture(scope="module")
def twenty() -> DestinationCatalog:
    return saved_catalog("twenty")


@pytest.fixture(scope="module")
def odoo() -> DestinationCatalog:
    return saved_catalog("odoo")


def _paths(catalog: DestinationCatalog, objects=None) -> set[tuple[str, str]]:
    return {(o, f.path) for o, fields in catalog.objects.items() if objects is None or o in objects for f in fields}


def _twenty_destination(server: TwentyServer) -> TwentyDestination:
    return TwentyDestination(base_url=server.url, api_key=server.config.api_key, requests_per_minute=0)


# --- Twenty ------------------------------------------------------------------------------------

def test_twenty_composites_are_split_into_writable_sub_fields(twenty):
    for obj, path, kind in [("people", "name.firstName", "name_part"), ("people", "name.lastName", "name_part"),
                            ("people", "emails.primaryEmail", "email"),
                            ("people", "phones.primaryPhoneNumber", "phone"),
                            ("people", "phones.primaryPhoneCountryCode", "text"),
                            ("companies", "domainName.primaryLinkUrl", "url"),
                            ("companies", "address.addressCity", "address_part"),
                            ("companies", "address.addressPostcode", "address_part"),
                            ("opportunities", "amount.amountMicros", "money"),
                            ("opportunities", "amount.currencyCode", "text"),
                            ("notes", "bodyV2.markdown", "rich_text")]:
        leaf = twenty.field(obj, path)
        assert leaf is not None, f"{obj}.{path} missing"
        assert leaf.kind == kind, (obj, path, leaf.kind)
    # the composite itself is not a leaf a payload can take a plain value for
    assert twenty.field("people", "name") is None and twenty.field("people", "emails") is None
    assert twenty.field("opportunities", "amount") is None


def test_twenty_leaves_out_system_read_only_and_reverse_fields(twenty):
    assert set(twenty.objects) == set(TWENTY_OBJECTS)  # workspaceMembers are read-only: not a target
    never = {"id", "position", "searchVector", "createdBy", "updatedBy", "updatedAt", "deletedAt",
             "timelineActivities", "favorites", "attachments", "noteTargets", "taskTargets"}
    for obj, fields in twenty.objects.items():
        paths = {f.path for f in fields}
        assert not paths & never, (obj, paths & never)
        assert "createdAt" in paths, obj  # writable on create: the firm's own history is kept
    assert twenty.field("people", "avatarUrl") is None  # system
    assert twenty.field("companies", "peopleId") is None and twenty.field("companies", "people") is None
    assert twenty.field("attachments", "fullPath") is None  # set from the upload by the load's `file` rule


def test_twenty_kinds_options_and_relations(twenty):
    stage = twenty.field("opportunities", "stage")
    assert stage.kind == "select" and stage.options == ("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")
    assert stage.option_labels[1] == "Screening"
    assert twenty.field("opportunities", "closeDate").kind == "datetime"
    assert twenty.field("tasks", "status").options == ("TODO", "IN_PROGRESS", "DONE")
    for obj, path, target in [("opportunities", "companyId", "companies"), ("people", "companyId", "companies"),
                              ("opportunities", "pointOfContactId", "people"),
                              ("companies", "accountOwnerId", "workspaceMembers"),
                              ("tasks", "assigneeId", "workspaceMembers"), ("noteTargets", "noteId", "notes"),
                              ("noteTargets", "personId", "people"), ("attachments", "opportunityId", "opportunities")]:
        leaf = twenty.field(obj, path)
        assert leaf.kind == "relation" and leaf.relation == target, (obj, path)
    assert not any(f.custom for fields in twenty.objects.values() for f in fields)


def test_twenty_aliases_name_what_exports_call_a_field(twenty):
    assert "first name" in twenty.field("people", "name.firstName").aliases
    assert "given name" in twenty.field("people", "name.firstName").aliases
    assert {"email", "e-mail", "email address"} <= set(twenty.field("people", "emails.primaryEmail").aliases)
    assert {"phone", "mobile"} <= set(twenty.field("people", "phones.primaryPhoneNumber").aliases)
    assert {"job title", "position"} <= set(twenty.field("people", "jobTitle").aliases)
    assert {"amount", "deal value"} <= set(twenty.field("opportunities", "amount.amountMicros").aliases)
    assert "expected close" in twenty.field("opportunities", "closeDate").aliases
    assert "pipeline stage" in twenty.field("opportunities", "stage").aliases
    assert "account owner" in twenty.field("companies", "accountOwnerId").aliases
    assert "zip" in twenty.field("companies", "address.addressPostcode").aliases
    assert "created on" in twenty.field("notes", "createdAt").aliases
    assert "clients" in twenty.object_aliases["companies"]
    for fields in twenty.objects.values():
        for leaf in fields:
            assert leaf.aliases and all(a == a.lower() for a in leaf.aliases), leaf


@pytest.mark.parametrize("version", ["v1.5", "v2.4"])
def test_live_twenty_catalog_matches_the_saved_one(twenty, version):
    with TwentyServer(TwentyConfig(version=version)) as server:
        live = live_catalog(_twenty_destination(server))
    if version == "v1.5":
        assert live == twenty  # the saved file is current: rebuild it with write_saved_catalogs()
    else:  # v2.x names (targetPersonId) are read back as the logical ones a mapping uses
        assert _paths(live, TWENTY_OBJECTS) == (_paths(twenty) - V15_ONLY) | V24_ONLY
        assert live.field("noteTargets", "personId").relation == "people"
        assert live.field("attachments", "createdAt") is not None


def test_live_twenty_catalog_includes_custom_fields_and_objects():
    with TwentyServer(TwentyConfig(version="v2.4")) as server:
        destination = _twenty_destination(server)
        destination.ensure_objects("m", [NewObjectRequest("sessionRecords", "sessionRecord", "Session", "Sessions")],
                                   apply=True)
        destination.ensure_fields("m", [
            NewFieldRequest("people", "dateOfBirth", "DATE", "Date of birth"),
            NewFieldRequest("opportunities", "amountPaid", "CURRENCY", "Amount paid"),
            NewFieldRequest("opportunities", "paymentStatus", "SELECT", "Payment status", ("PAID", "UNPAID")),
            NewFieldRequest("sessionRecords", "opportunity", "RELATION", "Opportunity", relation="opportunities"),
        ], apply=True)
        live = live_catalog(destination)
    birth = live.field("people", "dateOfBirth")
    assert birth.custom and birth.kind == "date" and "date of birth" in birth.aliases
    assert live.field("opportunities", "amountPaid.amountMicros").kind == "money"
    assert live.field("opportunities", "paymentStatus").options == ("PAID", "UNPAID")
    assert live.field("sessionRecords", "opportunityId").relation == "opportunities"
    assert "sessions" in live.object_aliases["sessionRecords"]
    # every custom object gets a link from note/task targets and attachments
    assert live.field("noteTargets", "sessionRecordId").relation == "sessionRecords"


@pytest.mark.skipif(not CONTRACTS.exists(), reason="the recorded contracts are not checked out")
def test_catalog_from_real_twenty_metadata_matches_the_saved_one(twenty):
    recorded = json.loads((CONTRACTS / "twenty" / "rest__metadata__objects_list.json").read_text(encoding="utf-8"))
    real = catalog_from_twenty_metadata(recorded["response"]["body"]["data"]["objects"])
    assert real.objects.keys() == twenty.objects.keys()
    for obj, fields in real.objects.items():
        assert [(f.path, f.kind, f.options, f.relation) for f in sorted(fields, key=lambda f: f.path)] == \
            [(f.path, f.kind, f.options, f.relation) for f in sorted(twenty.fields(obj), key=lambda f: f.path)], obj
    # v2.4: MORPH_RELATION links report no relation, and createdAt is a system field there
    attachment = json.loads((CONTRACTS / "twenty-next" / "rest__metadata__objects_get_attachment.json")
                            .read_text(encoding="utf-8"))["response"]["body"]["data"]["object"]
    others = [{"nameSingular": s, "namePlural": p, "fields": []} for s, p in
              [("person", "people"), ("company", "companies"), ("opportunity", "opportunities"), ("note", "notes"),
               ("task", "tasks")]]
    v24 = catalog_from_twenty_metadata([attachment, *others])
    assert _paths(v24, ["attachments"]) == _paths(twenty, ["attachments"]) - V15_ONLY


def test_twenty_metadata_with_inactive_and_ghost_relations():
    objects = [{"nameSingular": "person", "namePlural": "people", "labelSingular": "Person", "fields": [
        {"name": "legacyCode", "type": "TEXT", "label": "Legacy code", "isCustom": True, "isActive": False},
        {"name": "workflow", "type": "RELATION", "label": "Workflow", "isSystem": True,
         "relation": {"type": "MANY_TO_ONE", "targetObjectMetadata": {"nameSingular": "workflow",
                                                                      "namePlural": "workflows"}}},
        {"name": "targetDashboard", "type": "MORPH_RELATION", "label": "Target", "relation": None},
        {"name": "rating", "type": "RATING", "label": "Rating", "isCustom": True,
         "options": [{"value": "RATING_2", "label": "2", "position": 1}, {"value": "RATING_1", "label": "1", "position": 0}]},
    ]}]
    catalog = catalog_from_twenty_metadata(objects)
    assert [f.path for f in catalog.fields("people")] == ["rating"]
    assert catalog.field("people", "rating").options == ("RATING_1", "RATING_2")


# --- Odoo --------------------------------------------------------------------------------------

def test_odoo_partner_and_lead_fields(odoo):
    partner = {f.path: f for f in odoo.fields("res.partner")}
    assert partner["email"].kind == "email" and partner["phone"].kind == "phone"
    assert partner["website"].kind == "url" and partner["zip"].kind == "address_part"
    assert partner["parent_id"].kind == "relation" and partner["parent_id"].relation == "res.partner"
    assert partner["is_company"].kind == "boolean"
    assert "job title" in partner["function"].aliases and "company" in partner["parent_id"].aliases
    lead = {f.path: f for f in odoo.fields("crm.lead")}
    assert lead["expected_revenue"].kind in ("money", "number")
    assert lead["stage_id"].kind == "relation" and lead["stage_id"].relation == "crm.stage"
    assert lead["user_id"].relation == "res.users" and "salesperson" in lead["user_id"].aliases
    assert lead["date_deadline"].kind == "date" and "expected close" in lead["date_deadline"].aliases
    assert lead["type"].options == ("lead", "opportunity") and lead["type"].required
    assert lead["priority"].option_labels[-1] == "Very High"
    assert lead["name"].required


def test_odoo_leaves_out_read_only_computed_and_technical_fields(odoo):
    for model, fields in odoo.objects.items():
        raw = json.loads((ODOO_DUMPS / f"{model}.json").read_text(encoding="utf-8"))
        for leaf in fields:
            meta = raw[leaf.path]
            assert not meta.get("readonly"), (model, leaf.path)
            assert meta["type"] not in ("one2many", "binary"), (model, leaf.path)
        paths = {f.path for f in fields}
        assert not paths & {"id", "display_name", "create_date", "write_date", "create_uid", "message_ids",
                            "activity_ids", "company_id"}, model
    assert odoo.field("crm.lead", "prorated_revenue") is None  # computed
    assert odoo.field("ir.attachment", "datas") is None  # the file travels through the load's `file` rule
    assert odoo.field("mail.message", "message_type").kind == "select"


@pytest.mark.skipif(not CONTRACTS.exists(), reason="the recorded contracts are not checked out")
def test_catalog_from_real_odoo_fields_get_matches_the_saved_one(odoo):
    recorded = {model: json.loads(json.loads((CONTRACTS / "odoo" / f"fields_get__{model}.json")
                                             .read_text(encoding="utf-8"))["response"]["body"])
                for model in odoo.objects}
    assert catalog_from_odoo_fields(recorded) == odoo


def _odoo_destination(server: OdooServer) -> OdooDestination:
    return OdooDestination(url=server.url, database=server.config.database, api_key=server.config.api_key,
                           requests_per_minute=0)


def test_live_odoo_catalog_matches_the_saved_one(odoo):
    with OdooServer(OdooConfig(version="19.0")) as server:
        assert live_catalog(_odoo_destination(server)) == odoo


def test_live_odoo_catalog_marks_custom_fields():
    with OdooServer(OdooConfig(version="19.0")) as server:
        destination = _odoo_destination(server)
        destination.ensure_fields("m", [
            NewFieldRequest("crm.lead", "x_legacy_source", "selection", "Legacy source", ("web", "referral")),
            NewFieldRequest("crm.lead", "x_referrer_ids", "many2many", "Referrers", relation="res.partner"),
        ], apply=True)
        live = live_catalog(destination, models=["crm.lead"])
    source = live.field("crm.lead", "x_legacy_source")
    assert source.custom and source.kind == "select" and source.options == ("web", "referral")
    assert "legacy source" in source.aliases
    assert live.field("crm.lead", "x_referrer_ids").relation == "res.partner"
    assert not live.field("crm.lead", "name").custom


# --- the shipped mappings and the file format ---------------------------------------------------

def test_every_field_the_shipped_mappings_write_is_in_the_saved_catalog(twenty, odoo):
    catalogs = {"twenty": twenty, "odoo": odoo}
    missing = []
    for path in mapping_files(ROOT / "mappings"):
        spec = load_spec(path)
        catalog = catalogs[spec.destination.system]
        created: dict[str, set[str]] = {}
        for load in spec.loads:
            created.setdefault(load.target, set()).update(load.new_fields)
        for load in spec.loads:
            if load.target not in catalog.objects:
                assert load.target in spec.new_objects, (path.name, load.target)
                continue
            names = [*load.fields, *(link.field for link in load.explode)]
            for name in names:
                base = name.split(".")[0]
                if base in created[load.target] or base.removesuffix("Id") in created[load.target] \
                        or name.startswith("x_"):
                    continue  # created by the mapping itself
                if catalog.field(load.target, name) is None:
                    missing.append(f"{path.name}: {load.target}.{name}")
    assert not missing, missing


def test_catalog_round_trips_through_json(tmp_path, twenty, odoo):
    for catalog in (twenty, odoo):
        target = tmp_path / f"{catalog.system}.json"
        catalog.save(target)
        assert DestinationCatalog.load(target) == catalog
    with pytest.raises(ValueError):
        CatalogField("people", "x", "X", "colour", "TEXT")
    with pytest.raises(KeyError):
        twenty.fields("workspaceMembers")
    with pytest.raises(TypeError):
        live_catalog(object())
