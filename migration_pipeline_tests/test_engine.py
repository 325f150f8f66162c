"""The mapping engine on hand-made frames: owners, relations as source keys, fallbacks, fan-out."""

import pandas as pd

from migration_pipeline.mapping.contracts import check_destination, check_raw
from migration_pipeline.mapping.engine import KEY, NOTES, REF, MappingContext, explode, map_chunk


def frame(**columns):
    return pd.DataFrame(columns, dtype="str")


def test_owner_matches_by_email_or_falls_back(spec):
    context = MappingContext(spec=spec, owner_ids={"ann@firm.example": "member-ann"}, fallback_owner_id="member-boss")
    tasks = frame(task_id=["T-1", "T-2"], title=["a", "b"], assignee_email=[" Ann@Firm.example ", "gone@firm.example"])
    mapped = map_chunk(spec.load("tasks"), tasks, context)
    assert mapped.frame["assigneeId"].tolist() == ["member-ann", "member-boss"]
    assert "owner 'gone@firm.example' has no workspace member; assigned to the fallback member" in mapped.frame[NOTES][1]


def test_unmatched_owner_without_fallback_loads_unassigned(spec):
    mapped = map_chunk(spec.load("tasks"), frame(task_id=["T-1"], title=["a"], assignee_email=["gone@firm.example"]), MappingContext(spec=spec))
    assert mapped.frame["assigneeId"].tolist() == [None]
    assert "loaded without an owner" in mapped.frame[NOTES][0]


def test_relations_carry_the_source_key_for_the_ledger(spec):
    contacts = frame(contact_id=["P-1"], client_id=[" C-7 "], first_name=["Ann"], email=["ann@x.com"])
    mapped = map_chunk(spec.load("people"), contacts, MappingContext(spec=spec))
    assert mapped.frame[REF + "companyId"].tolist() == ["C-7"]
    assert mapped.frame[KEY].tolist() == ["P-1"]


def test_name_fallbacks_are_tried_in_order_and_noted(spec):
    contacts = frame(contact_id=["P-1", "P-2", "P-3"], first_name=["Ann", None, None], full_name=[None, "Bo Diddley", None],
                     email=["a@x.com", "b@x.com", "carla.mendes@x.com"])
    mapped = map_chunk(spec.load("people"), contacts, MappingContext(spec=spec))
    assert mapped.frame["name.firstName"].tolist() == ["Ann", "Bo Diddley", "Carla Mendes"]
    assert mapped.frame[NOTES][0] == ""
    assert "full name was kept" in mapped.frame[NOTES][1] and "made from the email" in mapped.frame[NOTES][2]


def test_stage_entered_time_from_history_or_opened_date(spec):
    context = MappingContext(spec=spec, lookups={"stage_entered_at": {"M-1|Closing": "2024-05-01T10:00:00"}})
    matters = frame(matter_id=["M-1", "M-2"], matter_name=["a", "b"], stage=["Closing", "Closing"], client_id=["C-1", "C-1"],
                    opened_at=["2024-01-01T09:00:00", "2024-02-01T09:00:00"])
    mapped = map_chunk(spec.load("opportunities"), matters, context)
    assert mapped.frame["stageEnteredAt"].tolist() == ["2024-05-01T00:00:00.000Z", "2024-01-31T22:00:00.000Z"]
    assert "stage history has no entry for the current stage" in mapped.frame[NOTES][1]


def test_custom_fields_become_destination_fields(spec):
    from migration_pipeline.mapping.engine import CustomField

    lender = CustomField("matter", "lender", "lender", "Lender", "SELECT", "upper_snake")
    context = MappingContext(spec=spec, custom_fields={"matter": [lender]})
    matters = frame(matter_id=["M-1"], matter_name=["a"], stage=["Intake"], client_id=["C-1"], lender=["Commonwealth Bank"])
    assert map_chunk(spec.load("opportunities"), matters, context).frame["lender"].tolist() == ["COMMONWEALTH_BANK"]


def test_fan_out_makes_one_target_per_link(spec):
    activities = frame(activity_id=["A-1", "A-2"], contact_id=["P-1", None], client_id=["C-1", "C-2"], matter_id=[None, None])
    pieces = explode(spec.load("note_targets"), activities, spec)
    keys = sorted(k for load, piece in pieces for k in map_chunk(load, piece, MappingContext(spec=spec)).frame[KEY])
    assert keys == ["A-1|companyId", "A-1|personId", "A-2|companyId"]


def test_problems_name_the_field_and_the_value(spec):
    matters = frame(matter_id=["M-1"], matter_name=["a"], stage=["Settlement Pending"], client_id=["C-1"], amount=["lots"])
    problems = map_chunk(spec.load("opportunities"), matters, MappingContext(spec=spec)).problems
    reasons = sorted(p.reason for p in problems)
    assert reasons == ["amount.amountMicros ← amount: 'lots' is not an amount",
                       "stage ← stage: 'Settlement Pending' has no entry in value map 'matter_stage'"]


def test_raw_contract_needs_keys_and_required_columns(spec):
    clients = spec.source.objects["clients"]
    keyless = frame(client_id=["C-1", None], client_name=["a", "b"])
    assert [(p.index, p.reason) for p in check_raw("clients", clients, "clients.csv", keyless)] == [(1, "contract: client_id is empty but required")]
    no_name_column = frame(client_id=["C-1"])
    [problem] = check_raw("clients", clients, "clients.csv", no_name_column)
    assert "column 'client_name' is missing from clients.csv" in problem.reason


def test_destination_contract_rejects_values_twenty_would_refuse(spec):
    mapped = pd.DataFrame({KEY: ["M-1", "M-2"], "name": ["ok", None], "stage": ["NEW", "ARCHIVED"]})
    reasons = sorted(p.reason for p in check_destination(spec, "opportunities", mapped))
    assert reasons == ["contract: name is empty but required", "contract: stage value 'ARCHIVED' is not an allowed option"]
