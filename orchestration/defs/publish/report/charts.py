"""The report's charts: Vega-Lite specifications (altair) rendered to static SVG offline (vl-convert), so the
page needs no script or network to show them. Every chart plots every series it is given; a caption says
what a chart leaves out, and a null (suppressed or not computable) is left out of a line, never drawn as 0.
"""

from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert

WIDTH = 560
HEIGHT = 200


def _svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_dict(validate=False))  # altair builds valid specs; its check is slow


def _frame(rows: Sequence[dict], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame([{column: row.get(column) for column in columns} for row in rows], columns=list(columns))
    return frame


def empty(title: str, message: str) -> str:
    chart = (
        alt.Chart(pd.DataFrame({"message": [message]}))
        .mark_text(size=13, color="#777")
        .encode(text="message:N")
        .properties(title=title, width=WIDTH, height=40)
    )
    return _svg(chart)


def lines(
    rows: Sequence[dict],
    x: str,
    y: str,
    series: str | None,
    title: str,
    y_title: str,
    y_format: str = ".2f",
    rules: Sequence[tuple[str, float]] = (),
    y_domain: tuple[float, float] | None = None,
    empty_message: str = "no published value yet (–)",
) -> str:
    """One line per value of `series` (every one of them), over the periods in x."""
    columns = [x, y, *([series] if series else [])]
    frame = _frame(rows, columns).dropna(subset=[y])
    if frame.empty:
        return empty(title, empty_message)
    frame[x] = pd.to_datetime(frame[x])
    scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Undefined
    encoding = {
        "x": alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%d %b")),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format), scale=scale),
    }
    if series:
        count = frame[series].nunique()
        encoding["color"] = alt.Color(
            f"{series}:N",
            title=None,
            scale=alt.Scale(scheme="tableau20" if count > 10 else "tableau10"),
            legend=alt.Legend(columns=1 if count <= 20 else 2, labelLimit=160, symbolLimit=0),
        )
    chart = alt.Chart(frame).mark_line(point=True).encode(**encoding)
    layers = [chart]
    for label, value in rules:
        rule_frame = pd.DataFrame({"value": [value], "label": [label]})
        layers.append(
            alt.Chart(rule_frame).mark_rule(strokeDash=[3, 3], color="#b3261e").encode(y="value:Q")
            + alt.Chart(rule_frame)
            .mark_text(align="left", dx=4, dy=-6, color="#b3261e", fontSize=11)
            .encode(y="value:Q", x=alt.value(0), text="label:N")
        )
    return _svg(alt.layer(*layers).properties(title=title, width=WIDTH, height=HEIGHT))


def bars(categories: Sequence[tuple[str, float | None]], title: str, x_title: str, value_format: str = ",d") -> str:
    """One bar per category, in the order given, labelled with its value; a null is labelled "–", not 0."""
    if not categories:
        return empty(title, "nothing published yet (–)")
    frame = pd.DataFrame(
        [
            {"category": name, "value": value, "label": "–" if value is None else format(value, value_format)}
            for name, value in categories
        ]
    )
    order = [name for name, _ in categories]
    base = alt.Chart(frame).encode(
        y=alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", title=x_title),
    )
    chart = base.mark_bar(color="#4e79a7") + base.mark_text(align="left", dx=3, fontSize=11).encode(text="label:N")
    return _svg(chart.properties(title=title, width=WIDTH - 200, height=max(60, 18 * len(categories))))


def strip(rows: Sequence[dict], title: str, tiers: Sequence[float]) -> str:
    """Every team's velocity multiple as one dot (all teams of the rows), with the target tiers as rules."""
    frame = _frame(rows, ["name", "velocity_multiple"]).dropna(subset=["velocity_multiple"])
    if frame.empty:
        return empty(title, "no velocity multiple yet: it needs 4 weeks of data and a baseline (–)")
    dots = (
        alt.Chart(frame)
        .mark_tick(thickness=2, size=18, color="#4e79a7", opacity=0.7)
        .encode(x=alt.X("velocity_multiple:Q", title="velocity multiple (×)"), tooltip=["name:N"])
    )
    rules = pd.DataFrame({"tier": list(tiers), "label": [f"{tier:g}× tier" for tier in tiers]})
    tier_rules = alt.Chart(rules).mark_rule(strokeDash=[3, 3], color="#b3261e").encode(x="tier:Q")
    tier_labels = alt.Chart(rules).mark_text(dy=-16, color="#b3261e", fontSize=11).encode(x="tier:Q", text="label:N")
    return _svg((dots + tier_rules + tier_labels).properties(title=title, width=WIDTH, height=40))


def event_study(rows: Sequence[dict], title: str, y_title: str, y_format: str = ".2f") -> str:
    """Estimates by week since adoption (event_week) with their 95% band, a zero line and the adoption week
    marked; weeks without an estimate are left out, never drawn as 0."""
    frame = _frame(rows, ["event_week", "estimate", "ci_low", "ci_high"]).dropna(subset=["estimate"])
    if frame.empty:
        return empty(title, "no estimate: see the reason below (–)")
    x = alt.X("event_week:Q", title="weeks since the team adopted (0 = adoption week)", axis=alt.Axis(tickMinStep=1))
    base = alt.Chart(frame).encode(x=x)
    band = base.mark_area(opacity=0.25, color="#4e79a7").encode(
        y=alt.Y("ci_low:Q", title=y_title, axis=alt.Axis(format=y_format)), y2="ci_high:Q"
    )
    line = base.mark_line(point=True, color="#4e79a7").encode(y="estimate:Q")
    zero = alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color="#555").encode(y="value:Q")
    adoption = (
        alt.Chart(pd.DataFrame({"week": [-0.5]})).mark_rule(strokeDash=[3, 3], color="#b3261e").encode(x="week:Q")
    )
    return _svg(alt.layer(band, line, zero, adoption).properties(title=title, width=WIDTH, height=HEIGHT))
