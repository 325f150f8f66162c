"""Gold decisions read off the shipped mappings, and perturbed copies of the sample exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from migration_pipeline.mapping.spec import load_spec
from migration_pipeline.proposer.decisions import ColumnProposal
from migration_pipeline.proposer.evaluate import is_right
from migration_pipeline.proposer.gold import KINDS, GoldMapping, gold_decisions, renamed_gold
from migration_pipeline.proposer.perturb import STYLES, perturb_export
from migration_pipeline.sources.export import ExportArchive, normalize_header
from migration_pipeline_tests.conftest import ROOT

PAIRS = ("perfect_portal_to_twenty", "perfect_portal_to_odoo", "profi_to_twenty", "oplacrm_to_twenty",
         "backdocket_to_twenty")
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture(scope="module")
def golds() -> dict[str, GoldMapping]:
    found = {}
    for pair in PAIRS:
        spec = load_spec(ROOT / "mappings" / f"{pair}.yaml")
        found[pair] = gold_decisions(spec, ExportArchive(ROOT / spec.source.sample_export))
    return found


def test_perfect_portal_to_twenty_column_decisions(golds):
    gold = golds["perfect_portal_to_twenty"]
    email = gold.decision("contacts", "email")
    assert (email.kind, email.target_object, email.target_path) == ("field", "people", "emails.primaryEmail")
    client = gold.decision("contacts", "client_id")
    assert (client.kind, client.target_object, client.target_path) == ("relation", "people", "companyId")
    owner = gold.decision("clients", "owner_email")
    assert (owner.kind, owner.target_object, owner.target_path) == ("owner", "companies", "accountOwnerId")
    lender = gold.decision("matters", "lender")
    assert (lender.kind, lender.target_object, lender.new_field_name, lender.new_field_type) == (
        "custom", "opportunities", "lender", "SELECT")
    # A column the migration only writes to a field it creates is "custom" too.
    assert gold.decision("matters", "owner_email").kind == "custom"
    assert {d.kind for d in gold.decisions if d.source_object == "sms_log"} == {"skip"}
    assert gold.decision("documents", "size_bytes").kind == "skip"


def test_several_uses_keep_the_primary_and_list_the_rest(golds):
    gold = golds["perfect_portal_to_twenty"]
    created = gold.decision("clients", "created_at")
    assert created.target_path == "createdAt"
    assert [(u.kind, u.target_path, u.new_field_name) for u in created.also] == [
        ("custom", "sourceCreatedAt", "sourceCreatedAt")]
    # A fallback column, a template's columns and a lookup's columns in another file.
    assert gold.decision("contacts", "full_name").fallback
    assert gold.decision("activities", "subject").composite
    entered = gold.decision("matter_stage_history", "entered_at")
    assert (entered.kind, entered.target_object, entered.target_path, entered.composite) == (
        "custom", "opportunities", "stageEnteredAt", True)
    # A loaded object's key is the record's identity.
    key = gold.decision("tasks", "task_id")
    assert (key.kind, key.target_object, key.target_path, key.key) == ("field", "tasks", "id", True)
    assert ("relation", "taskTargets", "taskId") in [(u.kind, u.target_object, u.target_path) for u in key.also]
    # A third party's name goes to the person; the company named after them is only a fallback.
    first = gold.decision("third_party_access", "first_name")
    assert (first.target_object, first.target_path, first.fallback) == ("people", "name.firstName", False)


def test_a_key_identifies_every_record_its_row_makes_and_any_direct_use_is_right(golds):
    key = golds["profi_to_twenty"].decision("clients", "client_id")
    assert (key.target_object, key.target_path) == ("companies", "id")  # the earliest load of clients
    assert ("field", "people", "id") in [(u.kind, u.target_object, u.target_path) for u in key.also]

    def proposal(kind: str, target_object: str | None, target_path: str | None) -> ColumnProposal:
        return ColumnProposal("clients", "client_id", kind, target_object, target_path, 0.9, 0.3, "review")

    assert is_right(proposal("field", "people", "id"), key) and is_right(proposal("field", "companies", "id"), key)
    assert not is_right(proposal("field", "opportunities", "id"), key)
    assert not is_right(proposal("custom", "people", None), key)


def test_oplacrm_key_value_custom_fields(golds):
    gold = golds["oplacrm_to_twenty"]
    for column in ("record_type", "record_id", "field_key", "field_type", "value"):
        decision = gold.decision("custom_field_values", column)
        assert (decision.kind, decision.target_object) == ("custom", None)
    assert gold.decision("custom_field_values", "value_id").kind == "skip"
    fields = {(c.source_object, c.column): (c.target_object, c.name, c.type) for c in gold.custom_fields}
    assert fields[("accounts", "Credit Limit")] == ("companies", "creditLimit", "NUMBER")
    assert fields[("contacts", "City")] == ("people", "oplaCity", "TEXT")  # Twenty's own `city` is taken
    owner = gold.decision("contacts", "owner_id")
    assert (owner.kind, owner.composite) == ("owner", True)


def test_value_map_gold(golds):
    stages = [v for v in golds["perfect_portal_to_twenty"].value_maps if v.map_name == "matter_stage"]
    assert [(v.source_object, v.column, v.target_path) for v in stages] == [("matters", "stage", "stage")]
    assert ("Closed Won", "CUSTOMER") in stages[0].values
    # Through a lookup the map applies to the looked-up column: OplaCRM's stage labels.
    sale = next(v for v in golds["oplacrm_to_twenty"].value_maps if v.map_name == "sale_stage")
    assert (sale.source_object, sale.column) == ("sale_process_stages", "display_label")


def test_foreign_key_gold(golds):
    def pairs(pair):
        return {(f.file, f.column, f.target_file, f.target_column) for f in golds[pair].foreign_keys}

    assert ("contacts.csv", "client_id", "clients.csv", "client_id") in pairs("perfect_portal_to_twenty")
    assert ("matters.csv", "matter_id", "matter_stage_history.csv", "matter_id") in pairs("perfect_portal_to_twenty")
    assert ("clients.csv", "owner_email", "users.csv", "email") in pairs("perfect_portal_to_twenty")
    oplacrm = pairs("oplacrm_to_twenty")
    assert ("contacts.csv", "account_external_id", "accounts.csv", "external_id") in oplacrm
    assert ("contacts.csv", "account_id", "accounts.csv", "account_id") in oplacrm  # the relation's fallback
    assert ("custom_field_values.csv", "record_id", "accounts.csv", "account_id") in oplacrm
    assert ("cases.csv", "court_jurisdiction_id", "court_jurisdictions.csv", "jurisdiction_id") in pairs(
        "backdocket_to_twenty")
    assert ("sessions.csv", "session_id", "package_sessions.csv", "session_id") in pairs("profi_to_twenty")
    for gold in golds.values():  # a record's own key never points at itself
        assert all((f.source_object, f.column) != (f.target_object, f.target_column) for f in gold.foreign_keys)


@pytest.mark.parametrize("pair", PAIRS)
def test_every_column_gets_exactly_one_decision(golds, pair):
    gold = golds[pair]
    archive = ExportArchive(ROOT / load_spec(ROOT / "mappings" / f"{pair}.yaml").source.sample_export)
    columns = [(o.name, column) for o in gold.objects for column in archive.header(o.file)]
    decided = [(d.source_object, d.column) for d in gold.decisions]
    assert sorted(decided) == sorted(columns) and len(set(decided)) == len(decided)
    assert {d.kind for d in gold.decisions} <= set(KINDS)
    assert all(d.target_object for d in gold.decisions if d.kind in ("field", "relation"))
    assert json.loads(json.dumps(gold.to_dict()))["migration"] == pair


def _cells(path: Path) -> dict[str, list[str]]:
    """Each column's raw cells, as bytes read one character per byte."""
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    delimiter = ";" if raw.split("\n", 1)[0].count(";") > raw.split("\n", 1)[0].count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter) if row]
    return {normalize_header(name): [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


@pytest.mark.parametrize("style", STYLES)
def test_perturbed_copy_keeps_every_value(tmp_path, style):
    source = SAMPLES / "perfect_portal"
    renames = perturb_export(source, tmp_path / "a", seed=11, style=style)
    again = perturb_export(source, tmp_path / "b", seed=11, style=style)
    assert renames == again
    for path in sorted((tmp_path / "a").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    documents = sorted(p.relative_to(source) for p in (source / "files").rglob("*") if p.is_file())
    assert documents and all((source / d).read_bytes() == (tmp_path / "a" / d).read_bytes() for d in documents)

    copy = ExportArchive(tmp_path / "a")
    original = ExportArchive(source)
    for file, columns in renames.items():
        before, after = _cells(source / file), _cells(tmp_path / "a" / file)
        assert copy.header(file) == [normalize_header(h) for h in after]
        assert sorted(normalize_header(h) for h in columns.values()) == sorted(copy.header(file))
        old = pd.concat(chunk.frame for chunk in original.read_chunks(file))
        new = pd.concat(chunk.frame for chunk in copy.read_chunks(file))
        for column, header in columns.items():
            assert after[normalize_header(header)] == before[column], (file, column)  # byte for byte
            assert new[normalize_header(header)].equals(old[column])
        if len(columns) > 2:
            assert list(new.columns) != [normalize_header(h) for h in columns.values()]  # shuffled
    assert any(normalize_header(h) != c for columns in renames.values() for c, h in columns.items())


def test_styles_rename_as_a_person_would(tmp_path):
    source = SAMPLES / "perfect_portal"
    abbreviated = perturb_export(source, tmp_path / "abbr", 3, "abbreviated")["contacts.csv"]
    assert (abbreviated["first_name"], abbreviated["last_name"], abbreviated["phone"]) == ("fname", "lname", "tel")
    renamed = perturb_export(source, tmp_path / "syn", 3, "renamed")["contacts.csv"]
    assert (renamed["email"], renamed["first_name"]) == ("E-mail Address", "Given Name")
    glued = perturb_export(source, tmp_path / "glued", 3, "glued")["clients.csv"]
    assert glued["client_id"] == "ClientId"
    prefixed = perturb_export(source, tmp_path / "pre", 3, "prefixed")["clients.csv"]
    assert len({header.split("_")[0] for header in prefixed.values()}) == 1
    other_seed = perturb_export(source, tmp_path / "mixed2", 4, "mixed")
    assert perturb_export(source, tmp_path / "mixed1", 3, "mixed") != other_seed


@pytest.mark.parametrize("pair", ["perfect_portal_to_twenty", "oplacrm_to_twenty"])
def test_renamed_gold_follows_the_new_headers(golds, tmp_path, pair):
    gold = golds[pair]
    spec = load_spec(ROOT / "mappings" / f"{pair}.yaml")
    renames = perturb_export(ROOT / spec.source.sample_export, tmp_path, 5, "mixed")
    renamed = renamed_gold(gold, renames)
    copy = ExportArchive(tmp_path)
    columns = [(o.name, column) for o in renamed.objects for column in copy.header(o.file)]
    assert sorted((d.source_object, d.column) for d in renamed.decisions) == sorted(columns)
    for before, after in zip(gold.decisions, renamed.decisions):
        file = next(o.file for o in gold.objects if o.name == before.source_object)
        assert after.column == normalize_header(renames[file][before.column])
        assert (after.kind, after.target_path) == (before.kind, before.target_path)
    for foreign_key in renamed.foreign_keys:
        assert foreign_key.column in copy.header(foreign_key.file)
        assert foreign_key.target_column in copy.header(foreign_key.target_file)
    for value_map in renamed.value_maps:
        file = next(o.file for o in renamed.objects if o.name == value_map.source_object)
        assert value_map.column in copy.header(file)
    assert all(o.key in copy.header(o.file) for o in renamed.objects if copy.exists(o.file))
