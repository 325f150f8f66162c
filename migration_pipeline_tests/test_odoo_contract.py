"""Contract tests of the Odoo test double: replay of the recorded exchanges, then focused checks.

The recordings (`../shared/contracts/odoo`) were made against one Odoo 19.0 database in three
runs — XML-RPC, then JSON-2, then JSON-RPC — each creating its own records and cleaning up after
itself; the state of one run carries into the next (the JSON-2 run's first `search_count` sees
the three partners the XML-RPC run left: company, Administrator and the no-rights user's
partner). So they are replayed in `REPLAY_ORDER` (response timestamps to the second, then the
ids the server handed out, then JSON-RPC's request ids) against one double, and the
`fields_get` dumps last, when every custom field is gone again, as when they were recorded.

Ids of the recording run are translated to the double's (`replay.IdMap`); the fixed ones
(partners 1 and 3, uid 2, stages 1-4, subtypes 2/5/6, ir.model 421, team and company 1) are the
same on both. Every exchange is checked for its status and content type, the result value by
value (ids through the map, strict types), error names/messages/arguments exactly, and
tracebacks by shape: they start with `Traceback (most recent call last):` and end with the
recorded exception line(s).

Replay adaptations, all deliberate:
- The recording database had a temporary internal user without Sales rights (uid 9, partner
  8658, login `ct_norights`); the double is started with the same user (`OdooUser`,
  `sales_rights=False`) and its recorded uid/partner are mapped to the double's.
- Secrets: `<PASSWORD>` is admin's password (the no-rights user's in that user's calls),
  `<API_KEY>` the API key; the database is named `crm_target` as recorded.
- `psycopg2.errors.InvalidTextRepresentation` messages quote the SQL INSERT statement the real
  server built; only their first line (`invalid input syntax for type integer: "not-an-id"`) is
  compared.
- Timestamps of the recording day are the double's "now": they must be UTC datetimes
  `YYYY-MM-DD HH:MM:SS`, not equal. Other dates (a historic message date) must be equal.

No recording is skipped (`SKIPPED` is empty).
"""

from __future__ import annotations

import threading
import xmlrpc.client
from pathlib import Path
from typing import Any

import httpx
import pytest

from migration_pipeline_tests.odoo_server import OdooConfig, OdooServer, OdooUser
from migration_pipeline_tests.odoo_server.replay import IdMap, Replay, Secrets, load

CONTRACTS = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "odoo"
DATABASE = "crm_target"
PASSWORD, API_KEY, NO_RIGHTS_PASSWORD = "admin-password", "test-key-not-a-secret", "no-rights-password"
NO_RIGHTS = OdooUser(email="ct.norights@example.com", login="ct_norights", name="CT No Rights User",
                     password=NO_RIGHTS_PASSWORD, sales_rights=False)

# Recordings the double cannot reproduce, with the reason. Keep it empty if at all possible.
SKIPPED: dict[str, str] = {}


def _names(text: str) -> list[str]:
    """Recording names separated by whitespace; lines starting with `#` title a section."""
    return [name for line in text.splitlines() if not line.strip().startswith("#") for name in line.split()]


REPLAY_ORDER = _names("""
    # XML-RPC run (19:13:23-32): version and authentication
    xmlrpc__common__authenticate_ok xmlrpc__common__version xmlrpc__common__authenticate_with_api_key
    xmlrpc__common__authenticate_wrong_password
    # res.partner
    xmlrpc__res.partner__create_company xmlrpc__res.partner__create_batch xmlrpc__res.partner__create_list_of_one
    xmlrpc__res.partner__create_child xmlrpc__mail.message__search_read_after_partner_create
    xmlrpc__res.partner__create_missing_name xmlrpc__res.partner__create_name_false_company
    xmlrpc__res.partner__create_nonexistent_parent xmlrpc__res.partner__create_unknown_field
    xmlrpc__res.partner__create_wrong_type xmlrpc__res.partner__get_external_id xmlrpc__res.partner__search_read
    xmlrpc__res.partner__search_read_no_match xmlrpc__res.partner__search_count xmlrpc__res.partner__search
    xmlrpc__res.partner__read xmlrpc__res.partner__write xmlrpc__res.partner__read_after_write
    xmlrpc__res.partner__unlink xmlrpc__res.partner__read_deleted_id
    xmlrpc__res.partner__read_mixed_existing_and_deleted xmlrpc__res.partner__write_deleted_id
    xmlrpc__res.partner__unlink_deleted_id
    # res.users, crm.stage, crm.lead and tracking
    xmlrpc__res.users__search_read_by_login xmlrpc__res.users__search_read_by_email
    xmlrpc__res.users__fields_get_subset xmlrpc__crm.stage__search_read xmlrpc__crm.stage__create
    xmlrpc__crm.lead__create_opportunity xmlrpc__crm.lead__create_opportunity_no_tracking
    xmlrpc__mail.message__search_read_after_lead_create xmlrpc__crm.lead__create_batch
    xmlrpc__crm.lead__create_batch_no_tracking xmlrpc__crm.lead__read xmlrpc__crm.lead__write_stage
    xmlrpc__crm.lead__write_stage_no_tracking xmlrpc__crm.lead__read_after_write_stage
    xmlrpc__mail.message__search_read_after_lead_write xmlrpc__mail.tracking.value__read_tracking_values
    # chatter and attachments
    xmlrpc__ir.model.data__search_read_mt_note xmlrpc__mail.message__create xmlrpc__crm.lead__message_post
    xmlrpc__crm.lead__message_post_with_author xmlrpc__mail.message__search_read xmlrpc__ir.attachment__create
    xmlrpc__ir.attachment__read xmlrpc__ir.attachment__create_no_mimetype
    xmlrpc__ir.attachment__search_read_by_record
    # external ids and load()
    xmlrpc__ir.model.data__create_import xmlrpc__ir.model.data__create_custom_module
    xmlrpc__ir.model.data__create_duplicate xmlrpc__ir.model.data__search_read
    xmlrpc__res.partner__get_external_id_after_create xmlrpc__res.partner__load_first
    xmlrpc__ir.model.data__search_read_after_load xmlrpc__res.partner__load_second
    xmlrpc__res.partner__load_bad_row xmlrpc__res.partner__read_after_failed_load
    xmlrpc__ir.model.data__search_read_after_failed_load xmlrpc__res.partner__load_bad_boolean
    xmlrpc__res.partner__load_unknown_column
    # custom fields
    xmlrpc__ir.model__search_read_crm_lead xmlrpc__ir.model.fields__create_char
    xmlrpc__ir.model.fields__create_selection_ids xmlrpc__ir.model.fields__create_selection_string
    xmlrpc__ir.model.fields__create_datetime xmlrpc__ir.model.fields__create_boolean
    xmlrpc__ir.model.fields__create_many2many xmlrpc__ir.model.fields__create_no_x_prefix
    xmlrpc__ir.model.fields__read_custom_fields xmlrpc__crm.lead__fields_get_custom
    xmlrpc__crm.lead__write_custom_fields xmlrpc__crm.lead__read_custom_fields xmlrpc__crm.lead__write_bad_selection
    xmlrpc__ir.model.fields__unlink_custom_fields xmlrpc__crm.lead__fields_get_after_unlink
    # error shapes
    xmlrpc__no.such.model__search_read xmlrpc__res.partner__no_such_method xmlrpc__res.partner__private_method
    xmlrpc__crm.lead__search_read_no_rights xmlrpc__res.partner__bad_domain
    xmlrpc__res.partner__search_count_with_api_key xmlrpc__res.partner__search_count_wrong_password
    xmlrpc__crm.lead__create_no_rights
    # clean-up
    xmlrpc__crm.lead__unlink xmlrpc__mail.message__search_count_after_lead_unlink
    xmlrpc__ir.attachment__search_count_after_lead_unlink xmlrpc__mail.message__read_after_lead_unlink
    xmlrpc__crm.stage__unlink xmlrpc__res.partner__unlink_children_then_parents xmlrpc__res.partner__unlink_parents
    xmlrpc__ir.model.data__search_read_after_partner_unlink

    # JSON-2 run (19:13:32-35)
    json2__res.users__context_get json2__auth__wrong_key json2__auth__password_as_bearer
    json2__auth__no_authorization_header json2__auth__no_database_header json2__common__version
    json2__res.partner__create_company json2__res.partner__create_batch json2__res.partner__create_child
    json2__mail.message__search_read_after_partner_create json2__res.partner__create_missing_name
    json2__res.partner__create_name_false_company json2__res.partner__create_nonexistent_parent
    json2__res.partner__create_unknown_field json2__res.partner__create_wrong_type json2__res.partner__get_external_id
    json2__res.partner__search_read json2__res.partner__search_read_no_match json2__res.partner__search_count
    json2__res.partner__search json2__res.partner__read json2__res.partner__write json2__res.partner__read_after_write
    json2__res.partner__unlink json2__res.partner__read_deleted_id json2__res.partner__read_mixed_existing_and_deleted
    json2__res.partner__write_deleted_id json2__res.partner__unlink_deleted_id
    json2__res.users__search_read_by_login json2__res.users__search_read_by_email json2__res.users__fields_get_subset
    json2__crm.stage__search_read json2__crm.stage__create json2__crm.lead__create_opportunity
    json2__crm.lead__create_opportunity_no_tracking json2__mail.message__search_read_after_lead_create
    json2__crm.lead__create_batch json2__crm.lead__create_batch_no_tracking json2__crm.lead__read
    json2__crm.lead__write_stage json2__crm.lead__write_stage_no_tracking json2__crm.lead__read_after_write_stage
    json2__mail.message__search_read_after_lead_write json2__mail.tracking.value__read_tracking_values
    json2__ir.model.data__search_read_mt_note json2__mail.message__create json2__crm.lead__message_post
    json2__crm.lead__message_post_with_author json2__mail.message__search_read json2__ir.attachment__create
    json2__ir.attachment__read json2__ir.attachment__create_no_mimetype json2__ir.attachment__search_read_by_record
    json2__ir.model.data__create_import json2__ir.model.data__create_custom_module
    json2__ir.model.data__create_duplicate json2__ir.model.data__search_read
    json2__res.partner__get_external_id_after_create json2__res.partner__load_first
    json2__ir.model.data__search_read_after_load json2__res.partner__load_second json2__res.partner__load_bad_row
    json2__res.partner__read_after_failed_load json2__ir.model.data__search_read_after_failed_load
    json2__res.partner__load_bad_boolean json2__res.partner__load_unknown_column
    json2__ir.model__search_read_crm_lead json2__ir.model.fields__create_char
    json2__ir.model.fields__create_selection_ids json2__ir.model.fields__create_selection_string
    json2__ir.model.fields__create_datetime json2__ir.model.fields__create_boolean
    json2__ir.model.fields__create_many2many json2__ir.model.fields__create_no_x_prefix
    json2__ir.model.fields__read_custom_fields json2__crm.lead__fields_get_custom json2__crm.lead__write_custom_fields
    json2__crm.lead__read_custom_fields json2__crm.lead__write_bad_selection
    json2__ir.model.fields__unlink_custom_fields json2__crm.lead__fields_get_after_unlink
    json2__no.such.model__search_read json2__res.partner__no_such_method json2__res.partner__private_method
    json2__res.partner__positional_args json2__res.partner__create_with_ids json2__res.partner__invalid_json
    json2__res.partner__bad_domain json2__res.partner__get_not_allowed
    json2__crm.lead__unlink json2__mail.message__search_count_after_lead_unlink
    json2__ir.attachment__search_count_after_lead_unlink json2__mail.message__read_after_lead_unlink
    json2__crm.stage__unlink json2__res.partner__unlink_children_then_parents json2__res.partner__unlink_parents
    json2__ir.model.data__search_read_after_partner_unlink

    # JSON-RPC run (19:13:36-39), in request-id order
    jsonrpc__common__version jsonrpc__common__authenticate_ok jsonrpc__common__authenticate_wrong_password
    jsonrpc__res.partner__create_company jsonrpc__res.partner__create_batch jsonrpc__res.partner__create_child
    jsonrpc__res.partner__search_read jsonrpc__res.partner__search_count jsonrpc__res.partner__read
    jsonrpc__res.partner__write jsonrpc__res.partner__unlink jsonrpc__res.partner__read_deleted_id
    jsonrpc__res.partner__create_unknown_field jsonrpc__res.partner__get_external_id jsonrpc__crm.stage__search_read
    jsonrpc__crm.stage__create jsonrpc__crm.lead__create_opportunity jsonrpc__crm.lead__read
    jsonrpc__crm.lead__write_stage jsonrpc__ir.model.data__search_read_mt_note jsonrpc__mail.message__create
    jsonrpc__crm.lead__message_post jsonrpc__mail.message__search_read jsonrpc__ir.attachment__create
    jsonrpc__ir.attachment__read jsonrpc__ir.model.data__create_import jsonrpc__ir.model.data__create_custom_module
    jsonrpc__ir.model.data__search_read jsonrpc__res.partner__load_first jsonrpc__res.partner__load_second
    jsonrpc__res.partner__load_bad_row jsonrpc__res.partner__read_after_failed_load
    jsonrpc__ir.model.data__search_read_after_failed_load jsonrpc__no.such.model__search_read
    jsonrpc__res.partner__private_method jsonrpc__res.partner__search_count_wrong_password
    jsonrpc__crm.lead__search_read_no_rights jsonrpc__crm.lead__unlink

    # fields_get dumps (19:13:40), after every custom field is gone
    fields_get__res.partner fields_get__crm.lead fields_get__crm.stage fields_get__mail.message
    fields_get__ir.attachment fields_get__ir.model.fields fields_get__ir.model.data fields_get__res.users
""")


def test_replay_order_covers_every_recording():
    recorded = sorted(path.stem for path in CONTRACTS.glob("*.json"))
    assert sorted(REPLAY_ORDER) == recorded
    assert len(set(REPLAY_ORDER)) == len(REPLAY_ORDER)


@pytest.fixture(scope="module")
def replay():
    server = OdooServer(OdooConfig(database=DATABASE, password=PASSWORD, api_key=API_KEY, users=[NO_RIGHTS])).start()
    ids = IdMap()
    for model, fixed in {"res.partner": [1, 3], "res.users": [2], "crm.stage": [1, 2, 3, 4], "crm.team": [1],
                         "res.company": [1], "mail.message.subtype": [2, 5, 6], "ir.model": [421]}.items():
        for rid in fixed:
            ids.seed(model, rid, rid)
    no_rights = next(u for u in server.records("res.users") if u["login"] == NO_RIGHTS.login)
    ids.seed("res.users", 9, no_rights["id"])
    ids.seed("res.partner", 8658, no_rights["partner_id"])
    runner = Replay(server, Secrets(PASSWORD, API_KEY, {9: NO_RIGHTS_PASSWORD}), ids)
    yield runner
    runner.close()
    server.stop()


REPLAYED = [name for name in REPLAY_ORDER if name not in SKIPPED]


@pytest.mark.parametrize("name", REPLAYED)
def test_replay(replay: Replay, name: str):
    recording = load(CONTRACTS, name)
    problems = replay.check(recording, replay.send(recording))
    assert not problems, "\n".join(problems)


# ---- focused behaviour tests ---------------------------------------------------------------------

@pytest.fixture
def odoo():
    with OdooServer(OdooConfig(users=["sarah.murphy@harbourlaw.example"])) as server:
        yield server


class Rpc:
    """execute_kw over XML-RPC, and JSON-2, as a migration client would call them."""

    def __init__(self, server: OdooServer):
        self.server = server
        self.proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=False)
        self.http = httpx.Client(base_url=server.url, timeout=10, headers={
            "Authorization": f"bearer {server.config.api_key}", "X-Odoo-Database": server.config.database})

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        config = self.server.config
        return self.proxy.execute_kw(config.database, 2, config.password, model, method, list(args), kwargs)

    def json2(self, model: str, method: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/json/2/{model}/{method}", json=params)


def test_versions_before_19_have_no_json2_and_return_one_message_id():
    for version in ("17.0", "18.0"):
        with OdooServer(OdooConfig(version=version)) as server:
            common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
            assert common.version()["server_version_info"][:2] == [int(version[:2]), 0]
            rpc = Rpc(server)
            assert rpc.http.get("/json/version").status_code == 404
            assert rpc.json2("res.partner", "search_count", domain=[]).status_code == 404
            lead = rpc("crm.lead", "create", {"name": "Deal"})
            assert isinstance(rpc("crm.lead", "message_post", [lead], body="hi"), int)
    with OdooServer(OdooConfig()) as server:
        rpc = Rpc(server)
        assert rpc.http.get("/json/version").json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
        lead = rpc("crm.lead", "create", {"name": "Deal"})
        posted = rpc("crm.lead", "message_post", [lead], body="hi")
        assert posted == rpc("mail.message", "search", [["model", "=", "crm.lead"], ["body", "=", "<p>hi</p>"]])


def test_fail_next_and_request_log(odoo):
    rpc = Rpc(odoo)
    odoo.fail_next(2, status=502)
    statuses = [rpc.json2("res.partner", "search_count", domain=[]).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    with pytest.raises(xmlrpc.client.ProtocolError):
        odoo.fail_next(1)
        rpc("res.partner", "search_count", [])
    assert odoo.request_log()[-4:] == [
        ("json2 res.partner.search_count", "/json/2/res.partner/search_count", 502),
        ("json2 res.partner.search_count", "/json/2/res.partner/search_count", 502),
        ("json2 res.partner.search_count", "/json/2/res.partner/search_count", 200),
        ("xmlrpc res.partner.search_count", "/xmlrpc/2/object", 503)]


def test_rate_limit_answers_429_with_retry_after():
    with OdooServer(OdooConfig(rate_limit=(3, 60.0))) as server:
        rpc = Rpc(server)
        answers = [rpc.json2("res.partner", "search_count", domain=[]) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60


def test_extra_users_are_internal_users_found_by_email(odoo):
    rpc = Rpc(odoo)
    users = rpc("res.users", "search_read", [["email", "=ilike", "SARAH.MURPHY@harbourlaw.example"]],
                fields=["login", "name", "share", "partner_id"])
    assert [(u["login"], u["name"], u["share"]) for u in users] == [
        ("sarah.murphy@harbourlaw.example", "Sarah Murphy", False)]
    lead = rpc("crm.lead", "create", {"name": "Owned", "user_id": users[0]["id"]})
    assert rpc("crm.lead", "read", [lead], fields=["user_id"])[0]["user_id"] == [users[0]["id"], "Sarah Murphy"]


def test_batch_create_is_all_or_nothing(odoo):
    rpc = Rpc(odoo)
    before = len(odoo.records("res.partner"))
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("res.partner", "create", [{"name": "A"}, {"name": "B"}, {"email": "no-name@x.example"}])
    assert fault.value.faultCode == 2 and "Contacts require a name" in fault.value.faultString
    assert len(odoo.records("res.partner")) == before


def test_load_is_all_or_nothing_and_keyed_by_external_id(odoo):
    rpc = Rpc(odoo)
    columns = ["id", "name", "is_company", "parent_id/id"]
    first = rpc("res.partner", "load", columns, [["migration_pipeline.co", "Co", "1", ""],
                                                 ["migration_pipeline.p", "P", "0", "migration_pipeline.co"]])
    assert first["messages"] == [] and len(first["ids"]) == 2
    bad = rpc("res.partner", "load", columns, [["migration_pipeline.new", "New", "0", ""],
                                               ["migration_pipeline.p", "P2", "maybe", ""]])
    assert bad["ids"] is False and bad["messages"][0]["record"] == 1
    assert [x["name"] for x in odoo.xmlids("migration_pipeline")] == ["co", "p"]
    assert [r["name"] for r in odoo.records("res.partner", ["name"]) if r["id"] in first["ids"]] == ["Co", "P"]
    again = rpc("res.partner", "load", columns, [["migration_pipeline.p", "P3", "0", ""]])
    assert again["ids"] == first["ids"][1:]
    assert odoo.records("res.partner", ["parent_id"])[-1]["parent_id"] is None


def test_unlink_removes_messages_attachments_and_external_ids(odoo):
    rpc = Rpc(odoo)
    lead = rpc("crm.lead", "create", {"name": "Deal"})
    rpc("ir.attachment", "create", {"name": "a.txt", "datas": "aGk=", "res_model": "crm.lead", "res_id": lead})
    rpc("crm.lead", "message_post", [lead], body="note")
    rpc("ir.model.data", "create", {"module": "migration_pipeline", "name": "lead_1", "model": "crm.lead",
                                    "res_id": lead})
    assert rpc("mail.message", "search_count", [["model", "=", "crm.lead"], ["res_id", "=", lead]]) == 2
    assert rpc("crm.lead", "unlink", [lead]) is True
    assert rpc("mail.message", "search_count", [["model", "=", "crm.lead"], ["res_id", "=", lead]]) == 0
    assert rpc("ir.attachment", "search_count", [["res_model", "=", "crm.lead"]]) == 0
    assert odoo.xmlids("migration_pipeline") == []
    assert odoo.records("mail.tracking.value") == []


def test_tracking_disable_context_keeps_the_chatter_empty(odoo):
    rpc = Rpc(odoo)
    quiet = {"context": {"tracking_disable": True}}
    partner = rpc("res.partner", "create", {"name": "Quiet"}, **quiet)
    lead = rpc("crm.lead", "create", {"name": "Quiet deal", "partner_id": partner}, **quiet)
    rpc("crm.lead", "write", [lead], {"stage_id": 4}, **quiet)
    assert rpc("mail.message", "search_count", [["res_id", "in", [partner, lead]]]) == 0
    loud = rpc("crm.lead", "create", {"name": "Loud deal"})
    rpc("crm.lead", "write", [loud], {"stage_id": 4})
    subtypes = [m["subtype_id"][1] for m in rpc("mail.message", "search_read", [["res_id", "=", loud],
                                                                              ["model", "=", "crm.lead"]],
                                                 fields=["subtype_id"], order="id")]
    assert subtypes == ["Opportunity Created", "Opportunity Won"]
    assert rpc("crm.lead", "read", [loud], fields=["probability"])[0]["probability"] == 100.0


def test_contact_takes_its_company_address_and_lead_writes_email_back(odoo):
    rpc = Rpc(odoo)
    company = rpc("res.partner", "create", {"name": "Acme", "is_company": True, "city": "Springfield"})
    contact = rpc("res.partner", "create", {"name": "Jane", "parent_id": company, "city": "Elsewhere",
                                            "email": "jane@acme.example"})
    assert rpc("res.partner", "read", [contact], fields=["city", "display_name"])[0] == {
        "id": contact, "city": "Springfield", "display_name": "Acme, Jane"}
    rpc("res.partner", "write", [company], {"city": "Shelbyville"})
    assert rpc("res.partner", "read", [contact], fields=["city"])[0]["city"] == "Shelbyville"
    rpc("crm.lead", "create", {"name": "Deal", "partner_id": contact, "email_from": "jane.doe@acme.example"})
    assert rpc("res.partner", "read", [contact], fields=["email"])[0]["email"] == "jane.doe@acme.example"


def test_domains_orders_and_missing_records(odoo):
    rpc = Rpc(odoo)
    ids = rpc("res.partner", "create", [{"name": "b", "email": "B@x.example"}, {"name": "a"}, {"name": "c"}])
    mine = ["id", "in", ids]
    assert rpc("res.partner", "search", [mine, ["email", "!=", False]]) == [ids[0]]
    assert rpc("res.partner", "search", [mine, ["email", "not ilike", "b@"]], order="name") == [ids[1], ids[2]]
    assert rpc("res.partner", "search", ["|", ["name", "=", "a"], ["name", "=like", "c%"], mine],
               order="name desc") == [ids[2], ids[1]]
    assert rpc("res.partner", "search_count", [mine, ["name", ">", "a"]]) == 2
    assert rpc("res.partner", "read", [ids[0], 999999], fields=["name"]) == [{"id": ids[0], "name": "b"}]
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("res.partner", "write", [999999], {"name": "x"})
    assert fault.value.faultCode == 2 and "res.partner(999999,)" in fault.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("res.partner", "search", [["nope", "=", 1]])
    assert fault.value.faultCode == 1 and fault.value.faultString.rstrip().endswith(
        "ValueError: Invalid field res.partner.nope in condition ('nope', '=', 1)")


def test_json2_named_arguments(odoo):
    rpc = Rpc(odoo)
    created = rpc.json2("res.partner", "create", vals_list={"name": "Solo"})
    assert created.status_code == 200 and len(created.json()) == 1
    missing = rpc.json2("res.partner", "create", vals={"name": "x"})
    assert (missing.status_code, missing.json()["message"]) == (422, "missing a required argument: 'vals_list'")
    stage = rpc.json2("crm.lead", "write", ids=[12345], vals={"name": "x"})
    assert stage.status_code == 404 and stage.json()["name"] == "odoo.exceptions.MissingError"
    assert rpc.json2("res.users", "context_get").json() == {"lang": "en_US", "tz": False, "uid": 2}


def test_concurrent_creates_are_all_kept(odoo):
    rpc_of = [Rpc(odoo) for _ in range(8)]
    errors: list[BaseException] = []

    def work(rpc: Rpc, index: int) -> None:
        try:
            for n in range(10):
                rpc("res.partner", "create", {"name": f"T{index}-{n}"})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(rpc, i)) for i, rpc in enumerate(rpc_of)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    names = [r["name"] for r in odoo.records("res.partner", ["name"]) if str(r["name"]).startswith("T")]
    assert len(names) == len(set(names)) == 80
