import pytest

from migration_pipeline.mapping.spec import SpecError, load_spec
from migration_pipeline_tests.conftest import MAPPING


def test_the_shipped_mapping_loads_with_a_content_hash(spec):
    assert spec.migration == "perfect_portal_to_twenty"
    assert len(spec.content_hash) == 64
    assert spec.load_order()[:2] == ["companies", "people"]


def test_the_shipped_mapping_covers_every_object_of_the_seed(spec):
    targets = {load.name: load.target for load in spec.loads}
    assert targets["companies"] == "companies"  # Client → Company
    assert targets["opportunities"] == "opportunities"  # Matter → Opportunity
    assert targets["people"] == "people"  # Contact → People
    assert targets["notes"] == "notes" and targets["note_targets"] == "noteTargets"  # Activity Log → Note
    assert targets["tasks"] == "tasks"  # Task → Task
    assert targets["attachments"] == "attachments"  # Document → file
    assert targets["referral_people"] == "people" and targets["referral_companies"] == "companies"
    opportunity = spec.load("opportunities")
    assert opportunity.fields["stage"].args["map"] == "matter_stage"  # Matter Stage → stage value map
    assert opportunity.fields["stageEnteredAt"].lookup == "stage_entered_at"
    assert opportunity.custom_fields and spec.load("people").custom_fields  # custom matter/contact fields
    assert spec.load("tasks").fields["assigneeId"].owner  # Owner → workspace member


def test_hash_changes_with_content(tmp_path, spec):
    copy = tmp_path / "copy.yaml"
    copy.write_text(MAPPING.read_text() + "\n# a comment\n")
    assert load_spec(copy).content_hash != spec.content_hash


def _broken(tmp_path, old, new):
    text = MAPPING.read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("relation: companies, on_missing", "relation: nowhere, on_missing", r"loads\[1\] \(people\)\.fields\.companyId\.relation: 'nowhere' is not a load listed before it"),
        ("args: {map: matter_stage}", "args: {map: nope}", r"fields\.stage\.args\.map: unknown value map 'nope'"),
        ("source: clients\n", "source: customers\n", r"loads\[0\] \(companies\)\.source: unknown source object 'customers'"),
        ("migration: perfect_portal_to_twenty", "migratoin: perfect_portal_to_twenty", r"key migration: Field required; key migratoin: Extra inputs are not permitted"),
        ("on_missing: \"null\"}\n      createdAt", "on_missing: maybe}\n      createdAt", r"key loads\.1\.fields\.companyId\.on_missing"),
    ],
)
def test_a_bad_spec_names_the_file_and_the_key(tmp_path, old, new, message):
    path = _broken(tmp_path, old, new)
    with pytest.raises(SpecError, match=message) as raised:
        load_spec(path)
    assert str(path) in str(raised.value)


def test_invalid_yaml_and_missing_file_are_spec_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("loads: [\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
    with pytest.raises(SpecError, match="cannot read the mapping file"):
        load_spec(tmp_path / "absent.yaml")
