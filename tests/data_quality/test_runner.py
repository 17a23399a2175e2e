"""The Great Expectations store stays bounded, so rendering Data Docs does not slow down run after run;
values from the data reach the published Data Docs only as text."""

import html
import shutil

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from data_quality.runner import RESULTS_KEPT, FailedExpectation, Validator, _escaped
from tests.html_page import parsed


def test_docs_keep_only_the_latest_results_of_each_suite(tmp_path):
    checker = Validator(tmp_path / "gx", tmp_path / "docs")
    suite = gx.ExpectationSuite(name="landing__teams", expectations=[gxe.ExpectColumnToExist(column="team_id")])
    outcomes = [checker.validate(suite, pd.DataFrame({"team_id": [str(run)]})) for run in range(RESULTS_KEPT + 2)]
    failing = checker.validate(suite, pd.DataFrame({"other": [1]}))
    checker.build_docs()

    assert all(not outcome.failures for outcome in outcomes)
    assert [failure.expectation for failure in failing.failures] == ["expect_column_to_exist"]
    stored = list((tmp_path / "gx" / "gx" / "uncommitted" / "validations" / "landing__teams").glob("*/*/*.json"))
    pages = list((tmp_path / "docs" / "validations" / "landing__teams").glob("*/*/*.html"))
    assert len(stored) == len(pages) == RESULTS_KEPT
    assert (tmp_path / "docs" / "index.html").exists()


def test_a_step_renders_the_pages_of_its_own_results_and_the_index_links_every_kept_one(tmp_path):
    """Rendering every stored result again in each step was most of a gate step's time at the target scale."""
    suite = gx.ExpectationSuite(name="landing__teams", expectations=[gxe.ExpectColumnToExist(column="team_id")])
    first = Validator(tmp_path / "gx", tmp_path / "docs")
    first.validate(suite, pd.DataFrame({"team_id": ["a"]}))
    first.build_docs()
    (earlier,) = (tmp_path / "docs" / "validations" / "landing__teams").glob("*/*/*.html")
    rendered_at = earlier.stat().st_mtime_ns

    second = Validator(tmp_path / "gx", tmp_path / "docs")  # the next run's gate step
    second.validate(suite, pd.DataFrame({"other": [1]}))
    second.build_docs()

    pages = sorted((tmp_path / "docs" / "validations" / "landing__teams").glob("*/*/*.html"))
    assert len(pages) == 2 and earlier in pages
    assert earlier.stat().st_mtime_ns == rendered_at  # not rendered again
    index = (tmp_path / "docs" / "index.html").read_text()
    assert all(page.relative_to(tmp_path / "docs").as_posix() in index for page in pages)


HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_a_hostile_value_failing_a_warning_is_only_text_in_the_data_docs(tmp_path):
    checker = Validator(tmp_path / "gx", tmp_path / "docs")
    suite = gx.ExpectationSuite(
        name="landing__deployments",
        expectations=[gxe.ExpectColumnValuesToBeUnique(column="deployment_id", severity="warning")],
    )
    outcome = checker.validate(suite, pd.DataFrame({"deployment_id": [HOSTILE, HOSTILE, "d1"]}))
    checker.build_docs()

    assert [failure.severity for failure in outcome.failures] == ["warning"]
    assert outcome.failures[0].sample[0] == HOSTILE  # the run's own message keeps the raw value
    (page_path,) = (tmp_path / "docs" / "validations" / "landing__deployments").glob("*/*/*.html")
    page = parsed(page_path)
    assert page.injected("alert(") == []
    assert any(HOSTILE in text for text in page.text)  # shown, as text


nested = st.recursive(
    st.text() | st.integers() | st.none(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["value", "count"]), children),
    max_leaves=12,
)


@given(nested)
def test_escaping_leaves_no_markup_and_loses_nothing(value):
    escaped = _escaped(value)

    def strings(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for child in item.values():
                yield from strings(child)
        elif isinstance(item, list | tuple):
            for child in item:
                yield from strings(child)

    assert not any(character in text for text in strings(escaped) for character in "<>\"'")
    assert [html.unescape(text) for text in strings(escaped)] == list(strings(value))


def test_a_moved_or_copied_workdir_writes_data_docs_only_into_itself(tmp_path):
    """The GX project is created once per workdir; a copy of that workdir must not keep rendering pages
    into the original's published/quality (the original may be a live publication someone else serves)."""
    suite = gx.ExpectationSuite(name="landing__teams", expectations=[gxe.ExpectColumnToExist(column="team_id")])
    original = tmp_path / "original"
    first = Validator(original / "gx", original / "published" / "quality")
    first.validate(suite, pd.DataFrame({"team_id": ["a"]}))
    first.build_docs()
    before = sorted(path.relative_to(original) for path in (original / "published").rglob("*"))

    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    second = Validator(copy / "gx", copy / "published" / "quality")
    second.validate(suite, pd.DataFrame({"team_id": ["b"]}))
    second.build_docs()

    assert sorted(path.relative_to(original) for path in (original / "published").rglob("*")) == before
    copied_pages = list((copy / "published" / "quality" / "validations" / "landing__teams").glob("*/*/*.html"))
    assert len(copied_pages) == 2
    config = (copy / "gx" / "gx" / "great_expectations.yml").read_text()
    assert str(tmp_path) not in config


def test_a_failing_value_is_quoted_short_and_escaped():
    """A hostile deployment_id (terminal escapes, a megabyte of text) reached the run log whole."""
    hostile = "\x1b[2J<script>" + "x" * 1_000_000
    failure = FailedExpectation("expect_column_values_to_be_unique", "deployment_id", "warning", 2, [hostile])
    described = failure.describe()
    assert "\x1b" not in described and "\\x1b[2J<script>" in described and len(described) < 300
