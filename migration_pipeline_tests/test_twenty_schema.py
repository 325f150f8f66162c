"""Reading shapes from Twenty's metadata, checked on the metadata recorded from both versions."""

import json
from pathlib import Path

from migration_pipeline.destinations.twenty_schema import WorkspaceSchema, option_payload

CONTRACTS = Path(__file__).resolve().parents[2] / "shared" / "contracts"


def _recorded(folder, name):
    return json.loads((CONTRACTS / folder / f"{name}.json").read_text())["response"]["body"]["data"]


def v15():
    return WorkspaceSchema(_recorded("twenty", "rest__metadata__objects_list")["objects"])


def v24_attachments():
    return WorkspaceSchema([_recorded("twenty-next", "rest__metadata__objects_get_attachment")["object"]])


def test_v15_keeps_the_logical_names():
    schema = v15()
    assert schema.field_name("noteTargets", "personId") == "personId"
    assert schema.files_field_id is None
    record = {"id": "a", "name": "x.pdf", "fullPath": "attachment/x.pdf", "type": "application/pdf", "companyId": "c"}
    assert schema.adapt("attachments", record) == record


def test_v24_renames_targets_and_reshapes_attachments():
    schema = v24_attachments()
    assert schema.field_name("attachments", "companyId") == "targetCompanyId"
    assert schema.files_field_id
    adapted = schema.adapt("attachments", {"id": "a", "name": "x.pdf", "fullPath": "file-id-1", "type": "application/pdf",
                                           "companyId": "c", "opportunityId": "o"})
    assert adapted == {"id": "a", "name": "x.pdf", "file": [{"fileId": "file-id-1", "label": "x.pdf"}],
                       "targetCompanyId": "c", "targetOpportunityId": "o"}


def test_missing_fields_are_named():
    schema = v15()
    assert schema.missing_fields("opportunities", ["name", "amount.amountMicros", "companyId", "stage"]) == []
    assert schema.missing_fields("opportunities", ["name", "stageEnteredAt"]) == ["stageEnteredAt"]
    assert schema.missing_fields("attachments", ["name", "fullPath", "type", "personId"]) == []
    assert v24_attachments().missing_fields("attachments", ["name", "fullPath", "type", "personId"]) == []
    assert schema.missing_fields("widgets", ["name"]) == ["widgets (object)"]


def test_option_patch_keeps_existing_options_and_appends_new_ones():
    existing = [{"id": "1", "value": "NEW", "label": "New", "position": 0, "color": "red"}]
    options = option_payload(["NEW", "ON_HOLD"], existing)
    assert options[0] == existing[0]
    assert options[1]["value"] == "ON_HOLD" and options[1]["label"] == "On Hold" and options[1]["position"] == 1
