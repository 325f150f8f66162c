"""Perfect Portal → Odoo end to end, against the Odoo test server speaking JSON-2 (19.0) and
XML-RPC (17.0), and against a real Odoo when ODOO_URL / ODOO_DB / ODOO_API_KEY are set (`live`)."""

import base64
import csv
import os

import dagster as dg
import pytest
from pydantic import PrivateAttr

from migration_pipeline.defs.assets import build_migration_assets, plan_key
from migration_pipeline.defs.jobs import build_reconcile_job, build_sample_job
from migration_pipeline.destinations.odoo import OdooDestination
from migration_pipeline.mapping.spec import load_spec
from migration_pipeline_tests.conftest import ROOT, SAMPLE
from migration_pipeline_tests.helpers import check_results, materialize_all, resources
from migration_pipeline_tests.odoo_server import OdooConfig, OdooServer
from migration_pipeline_tests.test_rollback import run_rollback

KEY = "test-key-not-a-secret"
VERSIONS = ["19.0", "17.0"]
MODELS = ("res.partner", "crm.lead", "mail.message", "ir.attachment")


@pytest.fixture(scope="module")
def spec():
    return load_spec(ROOT / "mappings" / "perfect_portal_to_odoo.yaml")


def sample_users():
    with open(SAMPLE / "users.csv", encoding="utf-8") as handle:
        return [row["email"] for row in csv.DictReader(handle)][:-1]  # the last user has no Odoo account


def server_for(version):
    return OdooServer(OdooConfig(version=version, api_key=KEY, users=sample_users())).start()


def destination(server, **overrides):
    return OdooDestination(url=server.url, database=server.config.database, api_key=KEY, login="admin",
                           requests_per_minute=0, **overrides)


def _rows(server, model):
    return sorted(server.records(model), key=lambda r: r["id"])


def _snapshot(server):
    return {model: _rows(server, model) for model in MODELS}


def _load(spec, server, tmp_path, ledger_url, target=None):
    with dg.instance_for_test() as instance:
        return materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=target or destination(server))


@pytest.fixture(params=VERSIONS)
def loaded(request, spec, tmp_path):
    server = server_for(request.param)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    before = _snapshot(server)
    result = _load(spec, server, tmp_path, ledger_url)
    yield server, result, ledger_url, before
    server.stop()


def _by_source_id(server, model):
    return {r["x_pp_source_id"]: r for r in server.records(model) if r.get("x_pp_source_id")}


def test_the_sample_lands_in_odoo_with_full_accounting_and_every_link(loaded, spec):
    server, result, _, _ = loaded
    assert result.success
    checks = check_results(result)
    assert set(checks) == set(spec.load_order()) and all(c["passed"] for c in checks.values()), checks
    partners, leads = _by_source_id(server, "res.partner"), _by_source_id(server, "crm.lead")
    with open(SAMPLE / "matters.csv", encoding="utf-8-sig") as handle:
        matters = {row["matter_id"]: row for row in csv.DictReader(handle)}
    assert len(leads) == checks["opportunities"]["created"] > 0
    stages = {s["id"]: s["name"] for s in server.records("crm.stage")}
    fallback = partners["PP-UNRESOLVED"]  # the mapping's synthetic client for orphaned matters
    assert fallback["name"] == "Unresolved client (Perfect Portal)" and fallback["is_company"]
    orphans = [m for m, row in matters.items() if row["client_id"] not in partners]
    assert orphans and all(leads[m]["partner_id"] == fallback["id"] for m in orphans)
    for matter_id, lead in leads.items():
        client = partners.get(matters[matter_id]["client_id"], fallback)
        assert lead["partner_id"] == client["id"] and lead["type"] == "opportunity"
        assert stages[lead["stage_id"]] in set(spec.value_maps["matter_stage"].values.values())
    won = next(m for m, row in matters.items() if row["stage"] == "Settled" and m in leads)
    assert stages[leads[won]["stage_id"]] == "Won"
    contacts = [p for p in server.records("res.partner") if p.get("parent_id") and not p.get("x_third_party_referrer")]
    assert contacts and all(p["parent_id"] in {c["id"] for c in partners.values()} for p in contacts)
    referrers = [p for p in server.records("res.partner") if p.get("x_third_party_referrer")]
    assert len(referrers) == checks["referral_people"]["created"] + checks["referral_companies"]["created"]
    with open(SAMPLE / "third_party_access.csv", encoding="utf-8") as handle:
        access = [row for row in csv.DictReader(handle) if row["matter_id"] in leads]
    assert access  # each matter's referrers are linked on the lead (the many2many x_referrer_ids)
    for row in access:
        assert partners[row["party_id"]]["id"] in leads[row["matter_id"]]["x_referrer_ids"]


def test_notes_keep_their_date_and_author_and_files_their_bytes(loaded):
    server = loaded[0]
    leads = {r["id"]: r for r in server.records("crm.lead")}
    notes = [m for m in server.records("mail.message") if m.get("model") == "crm.lead" and m.get("message_type") == "comment"]
    assert notes and all(n["res_id"] in leads for n in notes)
    with open(SAMPLE / "activities.csv", encoding="utf-8") as handle:
        activity = next(r for r in csv.DictReader(handle) if r["matter_id"] and r["author_email"].startswith("david.russo"))
    users = {u["login"]: u for u in server.records("res.users")}
    stamped = [n for n in notes if str(n["date"]).startswith(activity["occurred_at"][:4])]
    assert stamped and any(n["author_id"] == users["david.russo@harbourlaw.example"]["partner_id"] for n in notes)
    subtypes = {s["id"]: s["name"] for s in server.records("mail.message.subtype")}
    messages = server.records("mail.message")
    assert not [m for m in messages if subtypes.get(m.get("subtype_id")) in ("Opportunity Created", "Stage Changed")]
    assert not [m for m in messages if "Contact created" in str(m.get("body"))]  # chatter noise off
    assert server.records("mail.tracking.value") == []
    with open(SAMPLE / "documents.csv", encoding="utf-8") as handle:
        files: dict[str, list[bytes]] = {}
        for row in csv.DictReader(handle):
            if (SAMPLE / row["file_path"]).exists():
                files.setdefault(row["file_name"], []).append((SAMPLE / row["file_path"]).read_bytes())
    attachments = [a for a in server.records("ir.attachment") if a.get("res_model") in ("crm.lead", "res.partner")]
    assert attachments and all(base64.b64decode(a["datas"]) in files[a["name"]] for a in attachments)


def test_a_rerun_creates_nothing_and_rollback_is_exact(loaded, spec, tmp_path):
    server, first, ledger_url, before = loaded
    after_first = _snapshot(server)
    again = _load(spec, server, tmp_path, ledger_url)
    assert again.success
    assert {m: len(rows) for m, rows in _snapshot(server).items()} == {m: len(rows) for m, rows in after_first.items()}
    assert all(c["created"] == 0 for c in check_results(again).values())
    with dg.instance_for_test() as instance:
        assert run_rollback(spec, destination(server), ledger_url, tmp_path, instance).success
    assert _snapshot(server) == before


class CrashingOdoo(OdooDestination):
    """Dies right after Odoo accepted a batch, before the ledger could record it."""

    crash_after_writes: int = 3
    _writes: int = PrivateAttr(default=0)

    def write(self, context, operation, records):
        outcomes = super().write(context, operation, records)
        self._writes += 1
        if self._writes == self.crash_after_writes:
            raise RuntimeError("simulated kill after the destination accepted a batch")
        return outcomes


@pytest.mark.parametrize("crash_after", [1, 4, 9])
def test_a_killed_load_resumes_to_the_same_state_with_no_duplicates(spec, tmp_path, crash_after):
    killed, clean = server_for("19.0"), server_for("19.0")
    try:
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        crashing = CrashingOdoo(url=killed.url, database=killed.config.database, api_key=KEY, requests_per_minute=0,
                                batch_size=10, crash_after_writes=crash_after)
        assert not _load(spec, killed, tmp_path, ledger_url, crashing).success
        assert _load(spec, killed, tmp_path, ledger_url, destination(killed, batch_size=10)).success
        assert _load(spec, clean, tmp_path / "clean", f"sqlite:///{tmp_path / 'clean.sqlite'}").success
        for model in MODELS:
            assert len(killed.records(model)) == len(clean.records(model)), model
        names = [x["name"] for x in killed.xmlids("migration_pipeline")]
        assert len(names) == len(set(names))
    finally:
        killed.stop()
        clean.stop()


@pytest.mark.live
def test_live_odoo_end_to_end(spec, tmp_path):
    needed = ("ODOO_URL", "ODOO_DB", "ODOO_API_KEY")
    if not all(os.environ.get(name) for name in needed):
        pytest.skip(f"set {', '.join(needed)} to run against a real Odoo")
    live = OdooDestination(url=os.environ["ODOO_URL"], database=os.environ["ODOO_DB"], api_key=os.environ["ODOO_API_KEY"],
                           login=os.environ.get("ODOO_LOGIN", "admin"))
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    with dg.instance_for_test() as instance:
        result = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=live)
        assert result.success and all(c["passed"] for c in check_results(result).values())
        again = materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=live)
        assert all(c["created"] == 0 for c in check_results(again).values())
        assert run_rollback(spec, live, ledger_url, tmp_path, instance).success


def test_the_sample_diff_and_reconciliation_agree_field_by_field(spec, tmp_path):
    server = server_for("19.0")
    try:
        ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        with dg.instance_for_test() as instance:
            sample = build_sample_job(spec, str(tmp_path)).execute_in_process(
                resources=resources(spec, SAMPLE, ledger_url, tmp_path, None, destination(server)), instance=instance)
            assert sample.success
            csv_path = next(e for e in sample.all_events if e.event_type_value == "STEP_OUTPUT").event_specific_data.metadata["diff_csv"].value
            with open(csv_path, encoding="utf-8") as handle:
                diffs = [d for d in csv.DictReader(handle) if d["expected"] != "(quarantined)"]
            compared = {(d["load"], d["field"]) for d in diffs}
            assert {("opportunities", "stage_id"), ("opportunities", "partner_id"), ("opportunities", "x_stage_entered_at"),
                    ("people", "parent_id"), ("matter_notes", "date"), ("matter_notes", "author_id")} <= compared
            assert [d for d in diffs if d["agree"] != "True"] == []
            assert materialize_all(spec, SAMPLE, ledger_url, tmp_path, None, instance, destination=destination(server)).success
            reconciled = build_reconcile_job(spec, str(tmp_path)).execute_in_process(
                resources=resources(spec, SAMPLE, ledger_url, tmp_path, None, destination(server)), instance=instance)
        assert reconciled.success
    finally:
        server.stop()


def test_the_plan_writes_nothing_to_odoo_and_lists_the_orphaned_matters(spec, tmp_path):
    server = server_for("19.0")
    try:
        assets = [a for a in build_migration_assets(spec, str(tmp_path)) if plan_key(spec) in a.keys]
        with dg.instance_for_test() as instance:
            result = dg.materialize(assets, resources=resources(spec, SAMPLE, "sqlite://", tmp_path, None, destination(server)),
                                    instance=instance)
        assert result.success
        writes = [call for call, _, _ in server.request_log()
                  if call.rsplit(".", 1)[-1] in ("create", "write", "unlink", "load", "message_post")]
        assert writes == []
        plan = (tmp_path / "reports" / spec.migration / "plan" / "plan.md").read_text(encoding="utf-8")
        assert "## Orphans linked to a fallback or to nothing" in plan and "fallback record 'PP-UNRESOLVED'" in plan
        assert "| res.partner | x_third_party_referrer | boolean |" in plan  # custom fields to create
        assert "Negotiation" in plan  # stages to create
    finally:
        server.stop()
