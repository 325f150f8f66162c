import pandas as pd
import pytest

from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.spec import ValueMap


def _plain(values):
    """Missing values as None, whichever missing marker the dtype uses."""
    return [None if not isinstance(v, list) and pd.isna(v) else v for v in values]


def run(name, values, **args):
    result = transforms.apply(name, pd.Series(values, dtype="str"), args)
    problems = [None] * len(values) if result.problems is None else _plain(result.problems)
    return _plain(result.values), problems


def test_text_trims_and_blanks_become_missing():
    assert run("text", ["  Acme  ", "", "   ", None])[0] == ["Acme", None, None, None]


def test_email_lowercases_and_explains_invalid_addresses():
    values, problems = run("email", [" John.Smith@Example.COM ", "john@@example.com", "n/a", None])
    assert values == ["john.smith@example.com", None, None, None]
    assert problems[0] is None and problems[3] is None
    assert "'john@@example.com' is not a valid email address" in problems[1]
    assert "'n/a' is not a valid email address" in problems[2]


def test_phone_normalises_any_written_form_to_e164():
    values, problems = run("phone", ["+61 2 9374 4000", "(02) 9374 4000", "0412 345 678", "call reception", "12"], region="AU")
    assert values[:3] == ["+61293744000", "+61293744000", "+61412345678"]
    assert values[3:] == [None, None]
    assert "not a phone number" in problems[3] and "not a possible phone number" in problems[4]


@pytest.mark.parametrize(
    "raw, expected",
    [("WWW.Acme.com/", "https://www.acme.com"), ("https://Acme.com/path/", "https://acme.com/path"), ("acme.com.au", "https://acme.com.au")],
)
def test_url_takes_the_form_twenty_stores(raw, expected):
    assert run("url", [raw])[0] == [expected]


def test_url_rejects_text_that_is_no_address():
    values, problems = run("url", ["see notes"])
    assert values == [None] and "is not a web address" in problems[0]


def test_money_becomes_micros():
    values, problems = run("money_micros", ["$1,250.50", "10", "abc", None])
    assert values == [1_250_500_000, 10_000_000, None, None]
    assert "'abc' is not an amount" in problems[2]


def test_money_with_decimal_comma():
    assert run("money_micros", ["1.250,50"], decimal=",")[0] == [1_250_500_000]


def test_datetime_reads_local_wall_clock_and_respects_zones():
    values, problems = run(
        "datetime",
        ["2023-01-02T10:00:00", "2023-01-02T10:00:00Z", "2023-01-02T10:00:00+10:00", "03/04/2021", "garbage"],
        timezone="Australia/Sydney", dayfirst=True,
    )
    assert values[:4] == ["2023-01-01T23:00:00.000Z", "2023-01-02T10:00:00.000Z", "2023-01-02T00:00:00.000Z", "2021-04-02T13:00:00.000Z"]
    assert values[4] is None and "'garbage' is not a date/time" in problems[4]


def test_date_keeps_the_calendar_day():
    assert run("date", ["2024-02-29", "03/04/2021"], dayfirst=True)[0] == ["2024-02-29", "2021-04-03"]


def test_boolean_and_number():
    assert run("boolean", ["yes", "No", "1", "maybe"])[0] == [True, False, True, None]
    assert run("number", ["1,234.5", "x"])[0] == [1234.5, None]


def test_value_map_is_case_insensitive_and_names_the_missing_entry():
    stages = ValueMap(values={"Intake": "NEW", "Closing": "PROPOSAL"})
    values, problems = run("value_map", ["intake", "CLOSING", "Settlement Pending"], map=stages, map_name="matter_stage")
    assert values == ["NEW", "PROPOSAL", None]
    assert problems[2] == "'Settlement Pending' has no entry in value map 'matter_stage'"


def test_value_map_default_fills_unknown_values():
    roles = ValueMap(values={"agent": "Agent"}, default="Third party")
    assert run("value_map", ["agent", "plumber", None], map=roles, map_name="r")[0] == ["Agent", "Third party", None]


def test_select_values_follow_twentys_upper_snake_convention():
    assert run("upper_snake", ["Wills & Estates", "2nd opinion"])[0] == ["WILLS_ESTATES", "OPTION_2ND_OPINION"]
    assert run("multi_select", ["Litigation; Wills & Estates", None])[0] == [["LITIGATION", "WILLS_ESTATES"], None]


def test_template_fills_columns_and_trims_empty_parts():
    frame = pd.DataFrame({"kind": ["call", "email", None], "subject": ["Hello", None, None]}, dtype="str")
    result = transforms.apply("template", frame, {"format": "{kind}: {subject}"})
    assert _plain(result.values) == ["call: Hello", "email", None]


def test_html_becomes_markdown_and_inline_images_are_marked():
    body = '<p>Hi <b>John</b></p><ul><li>one</li></ul><img src="data:image/png;base64,iVBORw0KGgo=">'
    markdown = transforms.html_body_to_markdown(body)
    assert "Hi **John**" in markdown and "- one" in markdown
    assert "[inline image 1]" in markdown and "base64" not in markdown
    assert transforms.html_body_to_markdown("plain text\nsecond line") == "plain text\nsecond line"


def test_unknown_transform_names_the_known_ones():
    with pytest.raises(KeyError, match="unknown transform 'nope'"):
        transforms.get("nope")
