"""The OplaCRM export generator: reproducible, streaming, and carrying every dirty case.

The mapping's tests and the committed sample rely on these exports, so the properties they rely
on are pinned here: same seed ⇒ same bytes, the returned counts are true, references resolve
except where a dirty case breaks them on purpose, each dirty case really occurs (and none at a
dirty rate of 0), and memory does not grow with the export's size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import phonenumbers
import pytest

from migration_pipeline.generator.oplacrm import generate_export
from migration_pipeline_tests import generator_checks as checks
from migration_pipeline_tests.generator_checks import Rows

CSV_FILES = {"users.csv", "accounts.csv", "contacts.csv", "sale_process_stages.csv",
             "opportunities.csv", "products.csv", "invoices.csv", "custom_field_values.csv"}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
STAMP = re.compile(r"202[1-5]-\d\d-\d\dT\d\d:\d\d:00")
MONEY = re.compile(r"(?:S\$|US\$)\d{1,3}(?:,\d{3})*\.\d\d|\d+(?:\.\d\d)?")
EMAIL = re.compile(r"[a-z0-9.]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
FIELD_TYPES = {"Credit Limit": "NUMBER", "Contract Renewal": "DATE", "Employees": "NUMBER",
               "Interests": "MULTI_SELECT", "Preferred Channel": "TEXT", "Newsletter Opt In": "CHECKBOX",
               "City": "TEXT", "Lead Source": "TEXT"}
RECORD_FILES = {"account": ("accounts.csv", "account_id"), "contact": ("contacts.csv", "contact_id"),
                "opportunity": ("opportunities.csv", "opportunity_id")}
ADDRESS = ("name", "street", "city", "postal_code", "country")  # what the no-ERP-id duplicate check folds
OWNED = {"accounts.csv": "account_id", "contacts.csv": "contact_id", "opportunities.csv": "opportunity_id"}


def read_rows(export: Path, name: str) -> list[dict[str, str]]:
    return checks.read_csv(export / name)


def folded(text: str) -> str:
    """What a duplicate check compares: case and runs of spaces folded."""
    return " ".join(text.split()).casefold()


def parses(field_type: str, value: str) -> bool:
    if field_type == "NUMBER":
        return re.fullmatch(r"\d+(?:\.\d+)?", value) is not None
    if field_type == "DATE":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    if field_type == "CHECKBOX":
        return value in ("true", "false")
    return True


def messy(tags: str) -> bool:
    items = tags.split(",")
    kept = [item.strip().casefold() for item in items if item.strip()]
    return bool(tags) and (len(kept) != len(items) or len(set(kept)) != len(kept)
                           or any(item != item.strip() for item in items))


def valid_phone(phone: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, "SG"))
    except phonenumbers.NumberParseException:
        return False


def find_dirt(rows: Rows) -> dict[str, list[str]]:
    """Every dirty case → the ids of the rows that carry it, found from the files alone (this is
    also how the sample's table in data/samples/README.md was made)."""
    users = {user["user_id"]: user["active"] for user in rows["users.csv"]}
    ids = {kind: {row[column] for row in rows[file]} for kind, (file, column) in RECORD_FILES.items()}
    external_ids = {row["external_id"] for row in rows["accounts.csv"]}
    stages = {row["stage_code"] for row in rows["sale_process_stages.csv"]}
    found: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for account in rows["accounts.csv"]:
        if account["external_id"]:
            key, case = account["external_id"], "duplicate_external_id"
        else:
            key = "|".join(folded(account[column]) for column in ADDRESS)
            case = "duplicate_without_external_id"
        if key in seen:
            found[case].append(account["account_id"])
        seen.add(key)
    seen.clear()
    for contact in rows["contacts.csv"]:
        tidy = contact["email"].strip().lower()
        if tidy in seen and contact["email"] != tidy:
            found["duplicate_email"].append(contact["contact_id"])
        seen.add(tidy)
        if contact["account_id"] and contact["account_id"] not in ids["account"]:
            assert contact["account_external_id"] not in external_ids, contact
            found["unknown_account"].append(contact["contact_id"])
        if not EMAIL.fullmatch(tidy):
            found["bad_email"].append(contact["contact_id"])
        if not valid_phone(contact["phone"]):
            found["bad_phone"].append(contact["contact_id"])
    for file, key in OWNED.items():
        for row in rows[file]:
            if row["owner_id"] not in users:
                found[f"unknown_owner ({file})"].append(row[key])
            elif users[row["owner_id"]] == "false":
                found[f"inactive_owner ({file})"].append(row[key])
            if messy(row["tags"]):
                found[f"messy_tags ({file})"].append(row[key])
    for opportunity in rows["opportunities.csv"]:
        joint_id = opportunity["opportunities_joint_id"]
        if joint_id and joint_id not in ids["opportunity"]:
            found["missing_joint"].append(opportunity["opportunity_id"])
        if opportunity["sale_process_stage"] not in stages:
            found["odd_stage"].append(opportunity["opportunity_id"])
    for value in rows["custom_field_values.csv"]:
        if not parses(value["field_type"], value["value"]):
            found["unparsable_value"].append(value["value_id"])
        if value["record_id"] not in ids[value["record_type"]]:
            found["unknown_record"].append(value["value_id"])
    for invoice in rows["invoices.csv"]:
        if invoice["opportunity_id"] not in ids["opportunity"]:
            found["missing_opportunity"].append(invoice["invoice_id"])
    return found


DIRTY_CASES = ("duplicate_external_id", "duplicate_without_external_id", "duplicate_email", "unknown_account",
               *(f"{case} ({file})" for case in ("unknown_owner", "inactive_owner", "messy_tags")
                 for file in OWNED),
               "missing_joint", "odd_stage", "unparsable_value", "unknown_record", "missing_opportunity",
               "bad_email", "bad_phone")


export, rows = checks.export_fixtures(generate_export, CSV_FILES, read_rows)


@pytest.fixture(scope="module")
def dirt(rows: Rows) -> dict[str, list[str]]:
    return find_dirt(rows)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    files = checks.assert_same_seed_gives_identical_bytes(generate_export, tmp_path)
    assert set(files) == CSV_FILES  # OplaCRM exports carry no documents


def test_returned_counts_match_the_files(export, rows) -> None:
    checks.assert_counts_match_the_files(export[1], rows, CSV_FILES)


def test_rows_are_split_as_requested(export) -> None:
    _, counts = export
    assert counts["accounts.csv"] == 60 and counts["contacts.csv"] == 110
    assert counts["opportunities.csv"] == 80 and counts["products.csv"] == 25
    assert counts["invoices.csv"] == 35 and counts["custom_field_values.csv"] == 190
    assert counts["users.csv"] == 6 and counts["sale_process_stages.csv"] == 7


def test_keys_are_unique_and_well_formed(rows) -> None:
    keys = {"accounts.csv": ("account_id", UUID), "contacts.csv": ("contact_id", UUID),
            "opportunities.csv": ("opportunity_id", UUID), "products.csv": ("product_id", UUID),
            "invoices.csv": ("invoice_id", UUID), "custom_field_values.csv": ("value_id", UUID),
            "users.csv": ("user_id", r"U-\d{3}"), "sale_process_stages.csv": ("stage_code", r"[A-Z_]+")}
    checks.assert_keys_are_unique_and_well_formed(rows, keys)
    numbers = [invoice["invoice_number"] for invoice in rows["invoices.csv"]]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"INV/202\d/\d{5}", number) for number in numbers)
    skus = [product["sku"] for product in rows["products.csv"]]
    assert len(set(skus)) == len(skus)


def test_timestamps_are_iso_and_never_updated_before_created(rows) -> None:
    created = {name: "created_at" for name in
               ("accounts.csv", "contacts.csv", "opportunities.csv", "products.csv", "invoices.csv")}
    checks.assert_never_changed_before_created(rows, created, "updated_at", STAMP)
    for invoice in rows["invoices.csv"]:
        assert date.fromisoformat(invoice["issued_on"]) < date.fromisoformat(invoice["due_on"])
        assert invoice["created_at"].startswith(invoice["issued_on"])
    for opportunity in rows["opportunities.csv"]:
        assert opportunity["close_date"] > opportunity["created_at"][:10]


def test_users_and_stages(rows) -> None:
    users = rows["users.csv"]
    assert [user["role"] for user in users[:2]] == ["admin", "sales_manager"]
    assert {user["role"] for user in users} == {"admin", "sales_manager", "sales_rep"}
    inactive = [user["email"] for user in users if user["active"] == "false"]
    assert inactive == ["former.rep@tanjongsupply.example"]
    stages = rows["sale_process_stages.csv"]
    assert [stage["stage_code"] for stage in stages] == [
        "NEW_LEAD", "QUALIFIED", "DEMO", "PROPOSAL", "NEGOTIATION", "CLOSE_WON", "CLOSE_LOST"]
    assert [stage["is_closed"] for stage in stages] == ["false"] * 5 + ["true"] * 2


def test_status_and_close_reason_follow_the_stage(rows) -> None:
    for opportunity in rows["opportunities.csv"]:
        status = {"CLOSE_WON": "won", "CLOSE_LOST": "lost"}.get(opportunity["sale_process_stage"], "open")
        assert opportunity["status"] == status
        assert bool(opportunity["close_reason"]) == (status != "open")
    assert {o["status"] for o in rows["opportunities.csv"]} == {"open", "won", "lost"}


def test_amounts_and_currencies(rows) -> None:
    money = (("opportunities.csv", "amount"), ("invoices.csv", "amount"), ("products.csv", "list_price"))
    for name, column in money:
        for row in rows[name]:
            assert MONEY.fullmatch(row[column]), row
            assert row["currency"] in ("SGD", "USD")
            assert not row[column].startswith("S$") or row["currency"] == "SGD"
            assert not row[column].startswith("US$") or row["currency"] == "USD"
    amounts = [o["amount"] for o in rows["opportunities.csv"]]
    assert any(a.startswith("S$") for a in amounts) and any("." not in a for a in amounts)


def test_about_thirty_percent_of_accounts_have_no_external_id(rows) -> None:
    accounts = rows["accounts.csv"]
    without = [account for account in accounts if not account["external_id"]]
    assert 0.15 < len(without) / len(accounts) < 0.45
    assert all(re.fullmatch(r"ERP-\d{5}", a["external_id"]) for a in accounts if a["external_id"])


def test_references_resolve_except_the_dirty_ones(rows, dirt) -> None:
    accounts = {account["account_id"]: account for account in rows["accounts.csv"]}
    contacts = {contact["contact_id"] for contact in rows["contacts.csv"]}
    for contact in rows["contacts.csv"]:
        account = accounts.get(contact["account_id"])
        if account:
            assert contact["account_external_id"] == account["external_id"]
        elif contact["account_id"]:
            assert contact["contact_id"] in dirt["unknown_account"]
        else:
            assert not contact["account_external_id"]
    for opportunity in rows["opportunities.csv"]:
        assert opportunity["account_id"] in accounts
        assert not opportunity["primary_contact_id"] or opportunity["primary_contact_id"] in contacts
    opportunities = {o["opportunity_id"] for o in rows["opportunities.csv"]}
    broken = [i for i in rows["invoices.csv"] if i["opportunity_id"] not in opportunities]
    assert {i["invoice_id"] for i in broken} == set(dirt["missing_opportunity"])


def test_joint_opportunities_point_at_each_other(rows, dirt) -> None:
    joint = {o["opportunity_id"]: o["opportunities_joint_id"] for o in rows["opportunities.csv"]}
    pairs = [(a, b) for a, b in joint.items() if b in joint]
    assert len(pairs) >= 2
    assert all(joint[b] == a for a, b in pairs)
    assert {a for a, b in joint.items() if b and b not in joint} == set(dirt["missing_joint"])


def test_invoices_are_mostly_for_won_opportunities(rows) -> None:
    stage = {o["opportunity_id"]: o["sale_process_stage"] for o in rows["opportunities.csv"]}
    linked = [stage[i["opportunity_id"]] for i in rows["invoices.csv"] if i["opportunity_id"] in stage]
    assert Counter(linked)["CLOSE_WON"] > 0.7 * len(linked)
    assert set(linked) <= {"CLOSE_WON", "NEGOTIATION"}  # deposits aside, only won deals are invoiced


def test_custom_field_values_have_stable_keys_and_types(rows) -> None:
    values = rows["custom_field_values.csv"]
    assert {(v["field_key"], v["field_type"]) for v in values} == set(FIELD_TYPES.items())
    pairs = [(v["record_id"], v["field_key"]) for v in values]
    assert len(set(pairs)) == len(pairs)
    record_of_key = {"Credit Limit": "account", "Contract Renewal": "account", "Employees": "account",
                     "Interests": "account", "Preferred Channel": "contact", "Newsletter Opt In": "contact",
                     "City": "contact", "Lead Source": "opportunity"}
    assert all(v["record_type"] == record_of_key[v["field_key"]] for v in values)
    interests = {item for v in values if v["field_key"] == "Interests" for item in v["value"].split(",")}
    assert interests <= {"Packaging", "Cold Chain", "Industrial Safety", "Cleaning Supplies",
                         "Warehouse Equipment", "Labels & Printing"}


def test_locked_records_and_normal_phones(rows) -> None:
    for name in OWNED:
        assert Counter(row["locked"] for row in rows[name]).keys() == {"true", "false"}
    assert all(valid_phone(account["phone"]) for account in rows["accounts.csv"])
    phones = [contact["phone"] for contact in rows["contacts.csv"]]
    assert any(p.startswith("+65 6") for p in phones)
    assert any(re.fullmatch(r"[689]\d{3} \d{4}", p) for p in phones)  # written without +65


# --- dirty cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DIRTY_CASES)
def test_every_dirty_case_occurs_at_least_twice(dirt, case) -> None:
    assert len(dirt[case]) >= 2, (case, dirt[case])


def test_duplicate_accounts_differ_only_in_case_and_spaces(rows, dirt) -> None:
    accounts = rows["accounts.csv"]
    for account_id in dirt["duplicate_external_id"] + dirt["duplicate_without_external_id"]:
        copy = next(a for a in accounts if a["account_id"] == account_id)
        original = next(a for a in accounts if a["postal_code"] == copy["postal_code"]
                        and folded(a["name"]) == folded(copy["name"]) and a is not copy)
        assert copy["name"] != original["name"] and copy["external_id"] == original["external_id"]


def test_bad_values_are_the_documented_ones(rows, dirt) -> None:
    contacts = {c["contact_id"]: c for c in rows["contacts.csv"]}
    assert {contacts[c]["email"] for c in dirt["bad_email"]} <= {
        "tan.weiming@@gmail.com", "n/a", "wm.tan@", "lim at company dot sg"}
    assert {contacts[c]["phone"] for c in dirt["bad_phone"]} <= {"ask reception", "12", "+65 123", "tel"}
    assert {o["sale_process_stage"] for o in rows["opportunities.csv"]} - {
        s["stage_code"] for s in rows["sale_process_stages.csv"]} == {"ON_HOLD"}
    values = {v["value_id"]: v["value"] for v in rows["custom_field_values.csv"]}
    assert {values[v] for v in dirt["unparsable_value"]} <= {"n/a", "TBC", "31/02/2024", "30/02/2025"}


def test_no_dirt_at_rate_zero(tmp_path: Path) -> None:
    generate_export(tmp_path, records=500, dirty_rate=0)
    found = find_dirt(checks.read_export(tmp_path, CSV_FILES, read_rows))
    assert not any(found.values()), dict(found)


# --- streaming ----------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    checks.assert_memory_does_not_grow("migration_pipeline.generator.oplacrm", tmp_path)
