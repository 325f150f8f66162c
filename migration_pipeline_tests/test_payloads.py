import uuid

import pandas as pd

from migration_pipeline.mapping.spec import FieldRule
from migration_pipeline.pipeline.payloads import build_payloads, destination_id, payload_hash


def test_ids_are_stable_and_distinct_per_migration_load_and_key():
    first = destination_id("pp_to_twenty", "people", "P-1")
    assert first == destination_id("pp_to_twenty", "people", "P-1")
    assert uuid.UUID(first).version == 5
    assert len({first, destination_id("pp_to_twenty", "people", "P-2"), destination_id("pp_to_twenty", "referral_people", "P-1"),
                destination_id("other", "people", "P-1")}) == 4


def test_hash_ignores_key_order_but_not_values():
    assert payload_hash({"a": 1, "b": {"c": 2}}) == payload_hash({"b": {"c": 2}, "a": 1})
    assert payload_hash({"a": 1}) != payload_hash({"a": 2})


def test_payloads_nest_composites_drop_missing_and_render_deferred_fields():
    frame = pd.DataFrame({
        "name.firstName": ["Ann", None],
        "name.lastName": ["Lee", "Bo"],
        "amount.amountMicros": pd.array([1_500_000, None], dtype="Int64"),
        "tags": [["A", "B"], None],
        "bodyV2.markdown": ["<p>Hi <b>there</b></p>", None],
        "_key": ["P-1", "P-2"],
    })
    deferred = {"bodyV2.markdown": FieldRule.model_validate({"from": "body", "transform": "html_to_markdown"})}
    records = build_payloads(frame, ["name.firstName", "name.lastName", "amount.amountMicros", "tags", "bodyV2.markdown", "absent"], deferred)
    assert records == [
        {"name": {"firstName": "Ann", "lastName": "Lee"}, "amount": {"amountMicros": 1_500_000}, "tags": ["A", "B"],
         "bodyV2": {"markdown": "Hi **there**"}},
        {"name": {"lastName": "Bo"}},
    ]
    assert type(records[0]["amount"]["amountMicros"]) is int
