"""Reference overrides: metric_vars merges per name over the seed; a bad row fails naming file and line."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib import reference
from orchestration.lib.workspace import SEEDS_DIR

SHIPPED = reference.metric_vars(Path("/nonexistent"))


def write_override(landing: Path, text: str) -> None:
    (landing / "reference").mkdir(parents=True, exist_ok=True)
    (landing / "reference" / "metric_vars.csv").write_text(text, encoding="utf-8")


def test_without_an_override_every_shipped_threshold_is_there():
    assert set(SHIPPED) == {row["name"] for row in reference.read_rows(SEEDS_DIR, "metric_vars")}
    assert SHIPPED["quarantine_tolerance"] == 0.01


def test_a_partial_override_changes_only_what_it_names(tmp_path):
    """What crashed the landing gates (KeyError: 'quarantine_tolerance') when it replaced the whole seed."""
    write_override(tmp_path, "name,value\ngaming_tolerance,0.2\nmin_group_size, 3 \n")
    assert reference.metric_vars(tmp_path) == SHIPPED | {"gaming_tolerance": 0.2, "min_group_size": 3.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name,value\nquarantine_tolerence,0.02\n",
            r"metric_vars.csv line 2: unknown threshold 'quarantine_tolerence'",
        ),
        (
            "name,value\nadoption_threshold,0.5\nmin_group_size,five\n",
            r"line 3: min_group_size = 'five' is not a number",
        ),
        ("name,value\nmin_group_size,nan\n", r"line 2: min_group_size = 'nan' is not a number"),
        ("name,value\nmin_group_size,4\nmin_group_size,6\n", r"line 3: min_group_size is set twice"),
        ("threshold;value\nmin_group_size;4\n", r"expected a header name,value"),
        (b"name,value\nmin_group_size,\xff\n", r"cannot be read as UTF-8 CSV"),
    ],
)
def test_a_bad_override_fails_naming_the_file_and_the_line(tmp_path, text, message):
    (tmp_path / "reference").mkdir()
    path = tmp_path / "reference" / "metric_vars.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(reference.ReferenceError, match=message):
        reference.metric_vars(tmp_path)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_any_override_bytes_give_thresholds_or_a_named_error(tmp_path_factory, data):
    landing = tmp_path_factory.mktemp("landing")
    (landing / "reference").mkdir()
    (landing / "reference" / "metric_vars.csv").write_bytes(data)
    try:
        merged = reference.metric_vars(landing)
    except reference.ReferenceError as error:
        assert "landing/reference/metric_vars.csv" in str(error)
    else:
        assert set(merged) == set(SHIPPED)


def test_the_shipped_attribution_rules_pass_their_own_check():
    rules = reference.attribution_rules(Path("/nonexistent"))
    assert {row["kind"] for row in rules} == set(reference.ATTRIBUTION_RULE_KINDS)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "x,commit_trailer,%made-with: cursor%,cursor,strong,",
            r"line 3: kind of 'x' = 'commit_trailer'; write one of",
        ),
        ("x,trailer,%made-with: cursor%,cursor,certain,", r"line 3: strength of 'x' = 'certain'; write one of strong"),
        ("x,usage_window,a day,,weak,", r"line 3: pattern of usage_window rule 'x' = 'a day'; write the window"),
        ("ok,label,ai,,strong,", r"line 3: rule_id 'ok' is set twice"),
    ],
)
def test_a_bad_attribution_rule_override_fails_naming_the_file_and_the_line(tmp_path, row, message):
    (tmp_path / "reference").mkdir()
    header = "rule_id,kind,pattern,tool,strength,description\nok,label,ai,,strong,\n"
    (tmp_path / "reference" / "ai_attribution_rules.csv").write_text(header + row + "\n")
    with pytest.raises(reference.ReferenceError, match=r"landing/reference/ai_attribution_rules.csv " + message):
        reference.attribution_rules(tmp_path)


def test_fx_rates_default_to_the_reporting_currency_and_take_an_override(tmp_path):
    assert reference.fx_rates(tmp_path) == {"USD": 1.0}
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "fx_rates.csv").write_text("currency,usd_per_unit,description\nEUR,1.08,\n")
    assert reference.fx_rates(tmp_path) == {"USD": 1.0, "EUR": 1.08}
    assert reference.load_catalogue(tmp_path).fx_rates == {"USD": 1.0, "EUR": 1.08}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("euro,1.08,", r"line 3: currency 'euro'; write its ISO 4217 code"),
        ("GBP,-1,", r"line 3: usd_per_unit of GBP = '-1'; write a positive number"),
        ("GBP,,", r"line 3: usd_per_unit of GBP = ''; write a positive number"),
        ("USD,0.9,", r"line 3: USD is the reporting currency, its usd_per_unit is 1"),
        ("EUR,1.1,", r"line 3: EUR is listed twice"),
    ],
)
def test_a_bad_fx_rate_fails_naming_the_file_and_the_line(tmp_path, row, message):
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "fx_rates.csv").write_text("currency,usd_per_unit,description\nEUR,1.08,\n" + row + "\n")
    with pytest.raises(reference.ReferenceError, match=r"landing/reference/fx_rates.csv " + message):
        reference.fx_rates(tmp_path)
