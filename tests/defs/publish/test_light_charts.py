"""The org pages' light SVG charts: every value drawn, a null never drawn as 0, every text escaped."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from orchestration.defs.publish.report import light_charts
from tests.html_page import svg_texts

values = st.lists(st.one_of(st.none(), st.floats(0, 50, allow_nan=False)), min_size=1, max_size=30)


def _runs(series: list[float | None]) -> list[int]:
    """The lengths of the runs of values between nulls."""
    lengths, current = [], 0
    for value in [*series, None]:
        if value is not None:
            current += 1
        elif current:
            lengths.append(current)
            current = 0
    return lengths


@given(values)
def test_a_line_has_a_dot_per_value_and_breaks_at_a_null(series):
    rows = [{"week": date(2026, 1, 5) + timedelta(weeks=index), "value": value} for index, value in enumerate(series)]
    svg = light_charts.line(rows, "week", "value", "t", "deploys")
    if all(value is None for value in series):
        assert "no published value yet" in svg and "<circle" not in svg
        return
    assert svg.count("<circle") == sum(value is not None for value in series)
    assert svg.count("<polyline") == sum(1 for length in _runs(series) if length > 1)


def test_a_null_bar_is_labelled_not_drawn_as_zero():
    texts = svg_texts(light_charts.bars([("1× to 2×", 3), ("no multiple", None)], "teams", "teams"))
    assert "3" in texts and "–" in texts and "0" not in texts


def test_every_text_is_escaped():
    hostile = "<script>alert(1)</script>"
    rows = [{"week": date(2026, 1, 5), "value": 1.0}]
    for svg in (
        light_charts.line(rows, "week", "value", hostile, hostile),
        light_charts.bars([(hostile, 1)], hostile, hostile),
        light_charts.strip([{"name": hostile, "velocity_multiple": 2.0}], hostile, [3.0, 10.0]),
    ):
        assert "<script" not in svg and "&lt;script&gt;" in svg
