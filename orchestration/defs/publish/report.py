"""The static HTML report of a publication: published/report/index.html, rewritten on every publication.

One self-contained page (inline CSS and SVG charts drawn here; no script, no CDN, no web font) that works
offline. It reads the release's marts.duckdb read-only and its manifest.json, and shows the headline numbers
over time with the guard signals (mart_guard_signals) beside the numbers they guard. A null (suppressed or
not computable) shows as "suppressed" or "–", never as 0. The report never re-derives a metric: every
number on it is a published column (only a team chart's target line is drawn, at baseline x target tier).
"""

import html
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.status import left_out_lines

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
MAX_TEAM_CHARTS = 24  # small multiples; every team is still in the tables
MAX_LINES = 10  # lines per chart; the rest are in the tables
MAX_SIGNAL_EXAMPLES = 5
MAX_SIGNAL_ROWS = 200
MATRIX_WEEKS = 8  # team x week tables show the last weeks

# Which guard signals sit beside which numbers (DESIGN.md, Guards).
GUARDS = {
    "deploy_spam": "Service-days with too many (or zero-line) production deploys: all their deploys are excluded.",
    "redeploy": "The same commit deployed again to the same environment: counted once.",
    "usage_without_outcome": "AI usage up 2x against the baseline while deploys per engineer stayed within 1.1x.",
    "baseline_drift": "A frozen velocity baseline whose window data has changed since it was frozen.",
    "bot_activity": "Identities with bot-like bursts of value-deriving events: all their activity is excluded.",
    "unattributed_identity": "Activity of identities not on the roster as engineers: reported, excluded.",
    "licence_padding": "Many grants of one tool on one day, never used: they stay in (and show up as idle).",
    "survey_stuffing": "Several responses per respondent and survey: only the latest counts.",
}

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0;
  background: #f6f6f4; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 18px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
figure { margin: 0; } figcaption { font-size: 12px; color: #555; margin-bottom: 2px; }
svg { width: 100%; max-width: 760px; height: auto; display: block; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f0; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
td.text, th.text { text-align: left; white-space: normal; }
.scroll { overflow-x: auto; max-height: 480px; overflow-y: auto; }
.meta td, .meta th { text-align: left; }
.muted { color: #666; } .suppressed { color: #888; font-style: italic; }
.ok { color: #2b7a3d; } .warn { color: #a85d00; } .bad { color: #b3261e; }
aside.guards { background: #fbf8ef; border: 1px solid #e8dfc3; border-radius: 6px; padding: 8px 12px;
  font-size: 13px; align-self: start; overflow-wrap: anywhere; margin-bottom: 12px; }
aside.guards h3 { margin-top: 2px; }
aside.guards table { width: 100%; font-size: 12px; } aside.guards td, aside.guards th { padding: 2px 4px; }
aside.guards ul { padding-left: 16px; margin: 4px 0; }
.signal { margin: 8px 0; } .signal b { font-family: ui-monospace, monospace; font-size: 12px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
"""


# ---- formatting --------------------------------------------------------------------------------


def _is_null(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_count(value: object) -> str:
    return "–" if _is_null(value) else f"{int(value):,}"


def fmt_ratio(value: object) -> str:
    return "–" if _is_null(value) else f"{value:.2f}"


def fmt_percent(value: object) -> str:
    return "–" if _is_null(value) else f"{100 * value:.0f}%"


def fmt_multiple(value: object) -> str:
    return "–" if _is_null(value) else f"{value:.2f}×"


def fmt_usd(value: object) -> str:
    return "–" if _is_null(value) else f"${value:,.0f}"


def fmt_nps(value: object) -> str:
    if _is_null(value):
        return "–"
    return f"{value:+.0f}" if round(value) else "0"


def fmt_bool(value: object) -> str:
    return "–" if _is_null(value) else ("yes" if value else "no")


def _esc(value: object) -> str:
    return html.escape(str(value))


# ---- charts (inline SVG) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    dash: str = ""


@dataclass(frozen=True)
class Reference:
    """A horizontal line across the chart (a target, a threshold)."""

    label: str
    value: float


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


@dataclass
class _Frame:
    """Plot area and y scale shared by the line and bar charts."""

    width: int
    height: int
    y_min: float
    y_max: float
    y_format: Callable[[float], str]
    left: int = 52
    right: int = 150
    top: int = 12
    bottom: int = 30
    parts: list[str] = field(default_factory=list)

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float) -> float:
        span = (self.y_max - self.y_min) or 1.0
        return self.top + self.plot_height * (1 - (value - self.y_min) / span)

    def axes(self, x_labels: Sequence[str], x_at: Callable[[int], float]) -> None:
        step = _nice_step(self.y_max - self.y_min)
        tick = math.floor(self.y_min / step) * step
        while tick <= self.y_max + step * 1e-9:
            y = self.y(tick)
            self.parts.append(
                f'<line x1="{self.left}" x2="{self.left + self.plot_width}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="#e6e6e6"/><text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                f'font-size="11" fill="#555">{_esc(self.y_format(tick))}</text>'
            )
            tick += step
        every = max(1, math.ceil(len(x_labels) / 7))
        for index, label in enumerate(x_labels):
            if index % every == 0 or index == len(x_labels) - 1 and len(x_labels) <= 7:
                self.parts.append(
                    f'<text x="{x_at(index):.1f}" y="{self.height - 10}" text-anchor="middle" font-size="11" '
                    f'fill="#555">{_esc(label)}</text>'
                )
        self.parts.append(
            f'<line x1="{self.left}" x2="{self.left}" y1="{self.top}" y2="{self.top + self.plot_height}" '
            'stroke="#999"/>'
        )

    def legend(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """entries: (label, colour, dash)."""
        x = self.left + self.plot_width + 12
        for index, (label, colour, dash) in enumerate(entries):
            y = self.top + 8 + 16 * index
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(
                f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"{dashed}/>'
                f'<text x="{x + 24}" y="{y + 4}" font-size="11" fill="#333">{_esc(label[:26])}</text>'
            )

    def svg(self, title: str) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-label="{_esc(title)}"><title>{_esc(title)}</title>' + "".join(self.parts) + "</svg>"
        )


def _empty_chart(title: str, message: str, width: int, height: int) -> str:
    height = min(height, 90)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(title)}"><title>{_esc(title)}</title>'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fafafa" stroke="#e4e4e4"/>'
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="13" fill="#777">'
        f"{_esc(message)}</text></svg>"
    )


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_format: Callable[[float], str] = fmt_ratio,
    references: Sequence[Reference] = (),
    y_range: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 220,
    empty_message: str = "no published value yet (–)",
) -> str:
    """Lines over evenly spaced x labels; a null breaks the line (it is never drawn as 0)."""
    values = [value for one in series for value in one.values if not _is_null(value)]
    if not x_labels or not values:
        return _empty_chart(title, empty_message, width, height)
    shown_references = [reference for reference in references if not _is_null(reference.value)]
    if y_range:
        y_min, y_max = y_range
    else:
        y_min = min(0.0, *values)
        y_max = max(*values, *(reference.value for reference in shown_references), y_min + 1e-9) * 1.1
    frame = _Frame(width, height, y_min, y_max, y_format)
    count = len(x_labels)

    def x_at(index: int) -> float:
        return frame.left + frame.plot_width * (0.5 if count == 1 else index / (count - 1))

    frame.axes(x_labels, x_at)
    legend = []
    for index, reference in enumerate(shown_references):
        y = frame.y(reference.value)
        colour = "#b3261e" if index else "#777"
        frame.parts.append(
            f'<line x1="{frame.left}" x2="{frame.left + frame.plot_width}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-dasharray="2 3" stroke-width="1.5"><title>{_esc(reference.label)}: '
            f"{_esc(y_format(reference.value))}</title></line>"
        )
        legend.append((f"{reference.label} {y_format(reference.value)}", colour, "2 3"))
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        dashed = f' stroke-dasharray="{one.dash}"' if one.dash else ""
        segment: list[str] = []
        segments = [segment]
        for position, value in enumerate(one.values):
            if _is_null(value):
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{x_at(position):.1f},{frame.y(value):.1f}")
            frame.parts.append(
                f'<circle cx="{x_at(position):.1f}" cy="{frame.y(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{_esc(one.label)} {_esc(x_labels[position])}: {_esc(y_format(value))}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                frame.parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashed} points="{" ".join(points)}"/>'
                )
        legend.append((one.label, colour, one.dash))
    frame.legend(legend)
    return frame.svg(title)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    y_format: Callable[[float], str] = fmt_count,
    y_range: tuple[float, float] | None = None,
    null_label: str = "–",
    width: int = 640,
    height: int = 220,
) -> str:
    """Grouped bars; a null is labelled (null_label) at the axis, never drawn as a 0 bar."""
    values = [value for one in series for value in one.values if not _is_null(value)]
    if not categories or not series:
        return _empty_chart(title, "nothing published yet (–)", width, height)
    if y_range:
        y_min, y_max = y_range
    else:
        y_min = min(0.0, *values) if values else 0.0
        y_max = max(0.0, *values) * 1.1 if values else 1.0
        y_max = y_max or 1.0
    frame = _Frame(width, height, y_min, y_max, y_format)
    slot = frame.plot_width / len(categories)
    bar = max(2.0, slot * 0.8 / len(series))

    def x_at(index: int) -> float:
        return frame.left + slot * (index + 0.5)

    frame.axes(categories, x_at)
    zero = frame.y(max(y_min, 0.0))
    labelled = len(categories) * len(series) <= 24  # values on the bars, so 0 and null are told apart
    for series_index, one in enumerate(series):
        colour = PALETTE[series_index % len(PALETTE)]
        for index, value in enumerate(one.values):
            x = frame.left + slot * index + slot * 0.1 + bar * series_index
            tooltip = f"{one.label} {categories[index]}: {y_format(value) if not _is_null(value) else null_label}"
            if _is_null(value):
                frame.parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{zero - 4:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="#888"><title>{_esc(tooltip)}</title>{_esc(null_label)}</text>'
                )
                continue
            top, bottom = sorted((frame.y(value), zero))
            frame.parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{max(bottom - top, 0.5):.1f}" '
                f'fill="{colour}"><title>{_esc(tooltip)}</title></rect>'
            )
            if labelled:
                label_y = bottom + 12 if value < 0 else top - 4
                frame.parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="#333">{_esc(y_format(value))}</text>'
                )
    frame.parts.append(
        f'<line x1="{frame.left}" x2="{frame.left + frame.plot_width}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#999"/>'
    )
    frame.legend([(one.label, PALETTE[index % len(PALETTE)], "") for index, one in enumerate(series)])
    return frame.svg(title)


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{_esc(caption)}</figcaption>{svg}</figure>"


# ---- data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """The published marts the report shows, as lists of dicts: a few rows per team and week or tool and day;
    guard signals are counted in SQL and only the latest MAX_SIGNAL_ROWS of each type and state are read."""

    team_weeks: list[dict]
    org_weeks: list[dict]
    tool_months: list[dict]
    tool_days: list[dict]
    signals: list[dict]
    unattributed: list[dict]
    signal_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> open, acknowledged, excluded


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_report_data(marts: Path) -> ReportData:
    with duckdb.connect(str(marts), read_only=True) as con:
        return ReportData(
            team_weeks=_rows(con, "select * from mart_team_weekly order by team_id, week_start"),
            org_weeks=_rows(con, "select * from mart_org_weekly order by org, week_start"),
            tool_months=_rows(con, "select * from mart_tool_monthly order by tool, month_start"),
            tool_days=_rows(con, 'select * from mart_tool_daily order by tool, "date"'),
            signals=_rows(
                con,
                "select * from mart_guard_signals qualify row_number() over (partition by signal_type, "
                f"is_acknowledged order by period_start desc, entity_id) <= {MAX_SIGNAL_ROWS} "
                "order by signal_type, is_acknowledged, period_start desc, entity_id",
            ),
            signal_counts={
                row["signal_type"]: row
                for row in _rows(
                    con,
                    "select signal_type, count(*) filter (where not is_acknowledged) as open, "
                    "count(*) filter (where is_acknowledged) as acknowledged, "
                    "count(*) filter (where is_excluded) as excluded from mart_guard_signals group by signal_type",
                )
            },
            unattributed=_rows(
                con,
                "select attribution_status, tool, sum(identities) as identity_days, "
                "sum(activity_count) as activity_count from mart_unattributed_activity "
                "group by attribution_status, tool order by attribution_status, tool",
            ),
        )


def _by(rows: list[dict], key: str) -> dict[object, list[dict]]:
    grouped: dict[object, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _series(rows: list[dict], x_key: str, x_values: Sequence, value_key: str) -> list[float | None]:
    by_x = {row[x_key]: row[value_key] for row in rows}
    return [by_x.get(x) for x in x_values]


def _label(day: date) -> str:
    return day.strftime("%d %b")


# ---- sections --------------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], text_columns: Sequence[int] = ()) -> str:
    """rows hold HTML already escaped (cells are produced by _cell)."""
    head = "".join(
        f'<th class="text">{_esc(header)}</th>' if index in text_columns else f"<th>{_esc(header)}</th>"
        for index, header in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="text">{cell}</td>' if index in text_columns else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _latest_team_table(
    teams: dict[object, list[dict]], columns: Sequence[tuple[str, str, Callable[[object], str], bool]]
) -> str:
    """One row per team, its latest week: team, week, headcount, then (header, column, format, is_metric);
    a metric of a suppressed team-week shows as suppressed."""
    rows = []
    for team, weeks in teams.items():
        latest = weeks[-1]
        hidden = bool(latest["is_suppressed"])
        rows.append(
            [_esc(team), _esc(latest["week_start"]), _cell(latest["headcount"], fmt_count)]
            + [_cell(latest[column], fmt, hidden and is_metric) for _, column, fmt, is_metric in columns]
        )
    return _table(["Team", "Week", "Headcount", *(header for header, *_ in columns)], rows)


def _cell(value: object, formatter: Callable[[object], str], suppressed: bool = False) -> str:
    if suppressed:
        return '<span class="suppressed">suppressed</span>'
    if _is_null(value):
        return '<span class="muted">–</span>'
    return _esc(formatter(value))


def _signal_counts(data: ReportData) -> dict[str, dict[str, int]]:
    """Counts by signal type: read in SQL from the marts, or counted from the rows at hand."""
    if data.signal_counts:
        return data.signal_counts
    counts: dict[str, dict[str, int]] = {}
    for row in data.signals:
        count = counts.setdefault(row["signal_type"], {"open": 0, "acknowledged": 0, "excluded": 0})
        count["acknowledged" if row["is_acknowledged"] else "open"] += 1
        count["excluded"] += bool(row["is_excluded"])
    return counts


def _guard_panel(data: ReportData, signal_types: Sequence[str]) -> str:
    by_type = _by(data.signals, "signal_type")
    counts = _signal_counts(data)
    items = []
    for signal_type in signal_types:
        rows = by_type.get(signal_type, [])
        open_rows = [row for row in rows if not row["is_acknowledged"]]
        count = counts.get(signal_type, {"open": 0, "acknowledged": 0})
        total, acknowledged = count["open"] + count["acknowledged"], count["acknowledged"]
        status = (
            f'<span class="warn">{count["open"]:,} open</span>'
            if count["open"]
            else '<span class="ok">none open</span>'
        )
        if acknowledged:
            status += f', <span class="muted">{acknowledged:,} acknowledged</span>'
        examples = "".join(
            f"<li>{_esc(row['entity_id'])} · {_esc(row['period_start'])}: {_esc(row['detail'])}"
            f"{' (excluded)' if row['is_excluded'] else ''}{' (acknowledged)' if row['is_acknowledged'] else ''}</li>"
            for row in (open_rows + [row for row in rows if row["is_acknowledged"]])[:MAX_SIGNAL_EXAMPLES]
        )
        more = f'<li class="muted">… {total - MAX_SIGNAL_EXAMPLES:,} more</li>' if total > MAX_SIGNAL_EXAMPLES else ""
        items.append(
            f'<div class="signal"><b>{_esc(signal_type)}</b>: {status}<br><span class="muted">'
            f"{_esc(GUARDS.get(signal_type, ''))}</span>{f'<ul>{examples}{more}</ul>' if examples else ''}</div>"
        )
    return f'<aside class="guards"><h3>Guard signals</h3>{"".join(items)}</aside>'


def _section(anchor: str, title: str, body: str, side: str = "", wide: str = "") -> str:
    """body beside the side column (the guard signals), then wide (tables) across the whole section."""
    inner = f'<div class="grid"><div>{body}</div><div>{side}</div></div>' if side else body
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2>{inner}{wide}</section>'


def _header(manifest: dict, release: str) -> str:
    checks: dict[tuple[str, str], dict] = {}
    for check in manifest.get("checks", []):
        seen = checks.setdefault((check["asset"], check["check"]), {"passed": True, "severity": check["severity"]})
        if not check["passed"]:
            seen.update(passed=False, severity=check["severity"])
    failed = {key: value for key, value in checks.items() if not value["passed"]}
    blocking = sum(1 for value in checks.values() if value["severity"] == "ERROR")
    summary = f"{len(checks)} checks ({blocking} blocking): {len(checks) - len(failed)} passed"
    for severity in sorted({value["severity"] for value in failed.values()}):
        summary += f", {sum(1 for value in failed.values() if value['severity'] == severity)} failed ({severity})"
    failed_list = "".join(
        f'<li class="{"bad" if value["severity"] == "ERROR" else "warn"}">[{_esc(value["severity"])}] '
        f"{_esc(asset)} {_esc(check)}</li>"
        for (asset, check), value in sorted(failed.items())
    )
    data_window = manifest.get("data_window") or {}
    run_window = manifest.get("run_window") or {}
    rows = [
        ("Release", release),
        ("Run", manifest.get("run_id", "–")),
        ("Published at", manifest.get("published_at", "–")),
        ("Data window", f"{data_window.get('first_day', '–')} to {data_window.get('last_day', '–')} (UTC days)"),
        ("Run window", f"{run_window.get('first_day', '–')} to {run_window.get('last_day', '–')}"),
        ("Metric definitions", manifest.get("metric_definitions_version", "–")),
        ("Checks", summary),
        *(("Records left out", line) for line in left_out_lines(manifest.get("records_left_out", {}))),
    ]
    meta = "".join(f"<tr><th>{_esc(name)}</th><td>{_esc(value)}</td></tr>" for name, value in rows)
    failed_html = f"<ul>{failed_list}</ul>" if failed_list else ""
    return (
        "<header><h1>AI adoption: published metrics</h1>"
        '<p class="muted">Every number here is a column of the published marts (published/current/marts.duckdb). '
        "A dash (–) or <i>suppressed</i> is a null: withheld for privacy or not computable, never zero.</p>"
        f'<table class="meta">{meta}</table>{failed_html}</header>'
    )


def _headlines(data: ReportData) -> str:
    rows = []
    for org, weeks in _by(data.org_weeks, "org").items():
        latest = weeks[-1]
        rows.append(
            [
                _esc(org),
                _esc(latest["week_start"]),
                _cell(latest["headcount"], fmt_count),
                _cell(latest["deploys_per_engineer"], fmt_ratio),
                f"{fmt_count(latest['teams_on_track'])} of {fmt_count(latest['teams'])}",
                _cell(latest["adoption_rate"], fmt_percent),
                f"{fmt_count(latest['ai_native_teams'])} of {fmt_count(latest['teams'])}",
                _cell(latest["change_failure_rate"], fmt_percent),
                _cell(latest["value_deriving_events"], fmt_count),
            ]
        )
    org_table = _table(
        [
            "Org",
            "Week",
            "Engineers",
            "Deploys / engineer",
            "Teams on track",
            "Adoption rate",
            "AI-native teams",
            "Change failure rate",
            "VDE",
        ],
        rows,
    )
    tool_rows = []
    for tool, months in _by(data.tool_months, "tool").items():
        latest = months[-1]
        tool_rows.append(
            [
                _esc(tool),
                _esc(latest["month_start"].strftime("%b %Y")),
                _cell(latest["monthly_active_users"], fmt_count),
                _cell(latest["licence_utilisation"], fmt_percent),
                _cell(latest["idle_seats"], fmt_count),
                _cell(latest["idle_cost_usd"], fmt_usd),
                _cell(latest["value_deriving_events"], fmt_count),
                _nps_cell(latest),
            ]
        )
    tool_table = _table(
        ["Tool", "Month", "MAU", "Licence utilisation", "Idle seats", "Idle cost / month", "VDE", "NPS"], tool_rows
    )
    return _section(
        "headlines",
        "Headlines",
        f"<h3>Latest week per org</h3>{org_table}<h3>Latest month per tool</h3>{tool_table}",
    )


def _nps_cell(row: dict) -> str:
    if _is_null(row["nps"]):
        if row["nps_responses"]:
            return f'<span class="suppressed">suppressed ({fmt_count(row["nps_responses"])} responses)</span>'
        return '<span class="muted">– (no responses)</span>'
    return f"{_esc(fmt_nps(row['nps']))} ({fmt_count(row['nps_responses'])})"


def _team_week_matrix(data: ReportData, weeks: list[date], column: str, formatter: Callable[[object], str]) -> str:
    """Teams x the last MATRIX_WEEKS weeks: a suppressed team-week reads "suppressed", a null "–"."""
    shown = weeks[-MATRIX_WEEKS:]
    rows = []
    for team, team_rows in _by(data.team_weeks, "team_id").items():
        by_week = {row["week_start"]: row for row in team_rows}
        cells = [
            _cell(by_week[week][column], formatter, bool(by_week[week]["is_suppressed"])) if week in by_week else "–"
            for week in shown
        ]
        rows.append([_esc(team), *cells])
    return _table(["Team", *(_label(week) for week in shown)], rows)


def _delivery(data: ReportData, weeks: list[date]) -> str:
    labels = [_label(week) for week in weeks]
    orgs = _by(data.org_weeks, "org")
    org_chart = line_chart(
        "Deploys per engineer by org",
        labels,
        [Series(org, _series(rows, "week_start", weeks, "deploys_per_engineer")) for org, rows in orgs.items()][
            :MAX_LINES
        ],
    )
    teams = _by(data.team_weeks, "team_id")
    team_figures = []
    for team, rows in list(teams.items())[:MAX_TEAM_CHARTS]:
        latest = rows[-1]
        baseline = next(
            (row["baseline_deploys_per_engineer"] for row in reversed(rows) if not row["is_suppressed"]), None
        )
        target = latest["velocity_target"]
        references = []
        if not _is_null(baseline):
            references = [Reference("baseline", baseline), Reference(f"{target}× target", baseline * target)]
        team_figures.append(
            _figure(
                f"{team}: deploys per engineer vs baseline and {target}× target",
                line_chart(
                    f"{team} deploys per engineer",
                    labels,
                    [Series("deploys / engineer", _series(rows, "week_start", weeks, "deploys_per_engineer"))],
                    references=references,
                    width=460,
                    height=200,
                    empty_message="suppressed or no value (–)",
                ),
            )
        )
    more = (
        f'<p class="muted">Charts for the first {MAX_TEAM_CHARTS} of {len(teams)} teams; every team is in the '
        "table below.</p>"
        if len(teams) > MAX_TEAM_CHARTS
        else ""
    )
    multiple_chart = line_chart(
        "Velocity multiple by team",
        labels,
        [
            Series(team, _series(rows, "week_start", weeks, "velocity_multiple"))
            for team, rows in list(teams.items())[:MAX_LINES]
        ],
        y_format=fmt_multiple,
        references=[Reference("3× tier", 3.0), Reference("10× tier", 10.0)],
        empty_message="no velocity multiple yet: it needs 4 weeks of data and a baseline (–)",
    )
    table = _latest_team_table(
        teams,
        [
            ("Production deploys", "production_deploys", fmt_count, True),
            ("Quality-adjusted", "quality_adjusted_deploys", fmt_count, True),
            ("Deploys / engineer", "deploys_per_engineer", fmt_ratio, True),
            ("Baseline", "baseline_deploys_per_engineer", fmt_ratio, True),
            ("Velocity multiple", "velocity_multiple", fmt_multiple, True),
            ("Target", "velocity_target", lambda target: f"{target}×", False),
            ("On track", "is_on_track", fmt_bool, True),
            ("CFR", "change_failure_rate", fmt_percent, True),
        ],
    )
    body = (
        '<p class="muted">Weekly production deployments per engineer = quality-adjusted deploys / headcount; '
        "the velocity multiple pools the week and the 3 before against the team's baseline window. "
        "Target tiers: 3× and 10×.</p>"
        f"{_figure('Deploys per engineer, by org', org_chart)}"
        f"{_figure('Velocity multiple by team, against the 3× and 10× tiers', multiple_chart)}"
        f'<h3>Deploys per engineer by team</h3>{more}<div class="charts">{"".join(team_figures)}</div>'
    )
    guards = _guard_panel(data, ["deploy_spam", "redeploy", "usage_without_outcome", "baseline_drift"])
    return _section(
        "delivery",
        "Delivery: deploys per engineer and the velocity multiple",
        body,
        guards,
        f"<h3>Teams, latest week</h3>{table}"
        f"<h3>Deploys per engineer by team and week</h3>"
        f"{_team_week_matrix(data, weeks, 'deploys_per_engineer', fmt_ratio)}",
    )


def _adoption(data: ReportData, weeks: list[date]) -> str:
    labels = [_label(week) for week in weeks]
    orgs = _by(data.org_weeks, "org")
    adoption = line_chart(
        "Adoption rate by org",
        labels,
        [Series(org, _series(rows, "week_start", weeks, "adoption_rate")) for org, rows in orgs.items()][:MAX_LINES],
        y_format=fmt_percent,
        y_range=(0.0, 1.0),
    )
    native_figures = [
        _figure(
            f"{org}: AI-native and adopting teams",
            bar_chart(
                f"{org} AI-native and adopting teams",
                labels,
                [
                    Series("teams", _series(rows, "week_start", weeks, "teams")),
                    Series("adopting", _series(rows, "week_start", weeks, "adopting_teams")),
                    Series("AI-native", _series(rows, "week_start", weeks, "ai_native_teams")),
                ],
                width=460,
                height=200,
            ),
        )
        for org, rows in list(orgs.items())[:MAX_TEAM_CHARTS]
    ]
    teams = _by(data.team_weeks, "team_id")
    table = _latest_team_table(
        teams,
        [
            ("Weekly active", "weekly_active_ai_users", fmt_count, True),
            ("Adopting", "is_adopting", fmt_bool, True),
            ("Lifecycle stages", "lifecycle_stages_covered", fmt_count, True),
            ("AI-native", "is_ai_native", fmt_bool, True),
        ],
    )
    body = (
        '<p class="muted">A team-week adopts when weekly active engineers reach half its headcount; it is AI-native '
        "when the tools its engineers actively used cover at least 3 lifecycle stages. Teams below the minimum "
        "group size are suppressed and left out of the rate's denominator.</p>"
        f"{_figure('Adoption rate (adopting teams / teams at or above the minimum group size)', adoption)}"
        f'<div class="charts">{"".join(native_figures)}</div>'
    )
    guards = _guard_panel(data, ["unattributed_identity"]) + _unattributed_table(data)
    wide = (
        f"<h3>Teams, latest week</h3>{table}<h3>Weekly active engineers by team and week</h3>"
        f"{_team_week_matrix(data, weeks, 'weekly_active_ai_users', fmt_count)}"
    )
    return _section("adoption", "Adoption and AI-native teams", body, guards, wide)


def _unattributed_table(data: ReportData) -> str:
    if not data.unattributed:
        return ""
    rows = [
        [_esc(row["attribution_status"]), _esc(row["tool"]), _cell(row["activity_count"], fmt_count)]
        for row in data.unattributed
    ]
    return (
        '<aside class="guards"><h3>Unattributed activity</h3><p class="muted">Counted for no engineer '
        "(mart_unattributed_activity), over the data window.</p>"
        f"{_table(['Reason', 'Tool', 'Events'], rows)}</aside>"
    )


def _tools(data: ReportData) -> str:
    tools = _by(data.tool_months, "tool")
    months = sorted({row["month_start"] for row in data.tool_months})[-3:]
    mau = bar_chart(
        "Monthly active users per tool",
        list(tools),
        [
            Series(
                month.strftime("%b %Y"),
                [_series(rows, "month_start", [month], "monthly_active_users")[0] for rows in tools.values()],
            )
            for month in months
        ],
    )
    days = sorted({row["date"] for row in data.tool_days})
    daily = _by(data.tool_days, "tool")
    rolling = line_chart(
        "Active users in the rolling 28 days per tool",
        [_label(day) for day in days],
        [Series(tool, _series(rows, "date", days, "rolling_28d_active_users")) for tool, rows in daily.items()][
            :MAX_LINES
        ],
        y_format=fmt_count,
    )
    body = (
        '<p class="muted">MAU: distinct engineers with at least one active activity of the tool in the calendar '
        "month (attributed activity only; bots and identities not on the roster excluded).</p>"
        f"{_figure('Monthly active users per tool', mau)}"
        f"{_figure('Active users in the rolling 28 days', rolling)}"
    )
    guards = _guard_panel(data, ["unattributed_identity"])
    return _section("tools", "Monthly active users per tool", body, guards)


def _licences(data: ReportData) -> str:
    days = sorted({row["date"] for row in data.tool_days})
    licensed_tools = {
        tool: rows
        for tool, rows in _by(data.tool_days, "tool").items()
        if any(not _is_null(row["licensed_engineers"]) for row in rows)
    }
    utilisation = line_chart(
        "Licence utilisation per tool",
        [_label(day) for day in days],
        [Series(tool, _series(rows, "date", days, "licence_utilisation")) for tool, rows in licensed_tools.items()][
            :MAX_LINES
        ],
        y_format=fmt_percent,
        y_range=(0.0, 1.0),
    )
    tools = _by(data.tool_months, "tool")
    latest = [rows[-1] for rows in tools.values()]
    idle_cost = bar_chart(
        "Idle cost per tool, latest month",
        [row["tool"] for row in latest],
        [Series("idle cost / month", [row["idle_cost_usd"] for row in latest])],
        y_format=fmt_usd,
        null_label="n/a",
    )
    rows = [
        [
            _esc(row["tool"]),
            _esc(row["month_start"].strftime("%b %Y")),
            _cell(row["licensed_engineers"], fmt_count),
            _cell(row["active_licensed_engineers"], fmt_count),
            _cell(row["licence_utilisation"], fmt_percent),
            _cell(row["idle_seats"], fmt_count),
            _cell(row["idle_cost_usd"], fmt_usd),
            _cell(row["shadow_users"], fmt_count),
        ]
        for months in tools.values()
        for row in months
    ]
    table = _table(
        ["Tool", "Month", "Licensed", "Active (28 days)", "Utilisation", "Idle seats", "Idle cost / month", "Shadow"],
        rows,
    )
    body = (
        '<p class="muted">Utilisation = licensed engineers active in the trailing 28 days / licensed engineers. '
        "An idle seat is a grant at least 27 days old with no active use in the trailing 28 days; idle cost = idle "
        "seats × monthly cost. Monthly figures are taken on the month's last day in the data. Tools without "
        "licences show – (n/a).</p>"
        f"{_figure('Licence utilisation per day', utilisation)}{_figure('Idle cost, latest month', idle_cost)}{table}"
    )
    guards = _guard_panel(data, ["licence_padding"])
    return _section("licences", "Licence utilisation and idle cost", body, guards)


def _value(data: ReportData, weeks: list[date]) -> str:
    orgs = _by(data.org_weeks, "org")
    vde = bar_chart(
        "Value-deriving events per week by org",
        [_label(week) for week in weeks],
        [Series(org, _series(rows, "week_start", weeks, "value_deriving_events")) for org, rows in orgs.items()][
            :MAX_LINES
        ],
    )
    rows = [
        [
            _esc(row["tool"]),
            _esc(row["month_start"].strftime("%b %Y")),
            _cell(row["value_deriving_events"], fmt_count),
            _cell(row["monthly_active_users"], fmt_count),
            _cell(row["vde_per_active_user"], fmt_ratio),
        ]
        for months in _by(data.tool_months, "tool").values()
        for row in months
    ]
    table = _table(["Tool", "Month", "VDE", "MAU", "VDE per active user"], rows)
    body = (
        '<p class="muted">VDE: the summed quantity of value-deriving activity types (accepted suggestions, '
        "applied edits, ...), attributed activity only; bot-like identities are excluded.</p>"
        f"{_figure('Value-deriving events per week, by org', vde)}{table}"
    )
    return _section("vde", "Value-deriving events (VDE)", body, _guard_panel(data, ["bot_activity"]))


def _nps(data: ReportData) -> str:
    tools = _by(data.tool_months, "tool")
    months = sorted({row["month_start"] for row in data.tool_months})[-3:]
    chart = bar_chart(
        "NPS per tool",
        list(tools),
        [
            Series(
                month.strftime("%b %Y"), [_series(rows, "month_start", [month], "nps")[0] for rows in tools.values()]
            )
            for month in months
        ],
        y_format=fmt_nps,
        y_range=(-100.0, 100.0),
        null_label="suppr.",
    )
    rows = [
        [_esc(row["tool"]), _esc(row["month_start"].strftime("%b %Y")), _nps_cell(row)]
        for months_rows in tools.values()
        for row in months_rows
    ]
    body = (
        '<p class="muted">NPS = 100 × (share scoring 9–10 − share scoring 0–6), one response per survey and '
        "respondent (the latest); withheld (suppressed) below the minimum group size of responses.</p>"
        f"{_figure('NPS per tool and month (suppr. = withheld, not zero)', chart)}"
        f"{_table(['Tool', 'Month', 'NPS (responses)'], rows)}"
    )
    return _section("nps", "Net promoter score (NPS)", body, _guard_panel(data, ["survey_stuffing"]))


def _change_failure(data: ReportData, weeks: list[date]) -> str:
    orgs = _by(data.org_weeks, "org")
    chart = line_chart(
        "Change failure rate by org",
        [_label(week) for week in weeks],
        [Series(org, _series(rows, "week_start", weeks, "change_failure_rate")) for org, rows in orgs.items()][
            :MAX_LINES
        ],
        y_format=fmt_percent,
        y_range=(0.0, 1.0),
    )
    body = (
        '<p class="muted">Change failure rate = (failed + reverted) / (production + failed) deploys, guard-flagged '
        "deploys excluded; – when there was no deploy.</p>"
        f"{_figure('Change failure rate, by org', chart)}"
    )
    return _section("cfr", "Change failure rate (CFR)", body, _guard_panel(data, ["deploy_spam", "redeploy"]))


def _all_signals(data: ReportData) -> str:
    signal_counts = _signal_counts(data)
    counts = [
        [_esc(signal_type), fmt_count(count["open"]), fmt_count(count["acknowledged"]), fmt_count(count["excluded"])]
        for signal_type, count in sorted(signal_counts.items())
    ]
    open_rows = [row for row in data.signals if not row["is_acknowledged"]]
    open_total = sum(count["open"] for count in signal_counts.values())
    listed = [
        [
            _esc(row["signal_type"]),
            _esc(row["entity_type"]),
            _esc(row["entity_id"]),
            _esc(row["period_start"]),
            _esc(row["detail"]),
            fmt_bool(row["is_excluded"]),
        ]
        for row in open_rows[:MAX_SIGNAL_ROWS]
    ]
    more = (
        f'<p class="muted">{min(len(open_rows), MAX_SIGNAL_ROWS):,} of {open_total:,} open signals listed; '
        "all are in mart_guard_signals.</p>"
        if open_total > MAX_SIGNAL_ROWS
        else ""
    )
    body = (
        '<p class="muted">Every guard signal of the publication (mart_guard_signals). Acknowledged signals were '
        "accepted by a person in guard_acknowledgements.csv.</p>"
        f"{_table(['Signal', 'Open', 'Acknowledged', 'Excluded from metrics'], counts)}"
        "<h3>Open signals</h3>"
        f"{_table(['Signal', 'Entity', 'Id', 'Period', 'Detail', 'Excluded'], listed, (1, 2, 4))}"
        f"{more}"
    )
    return _section("guards", "Guard signals", body)


def render_report(data: ReportData, manifest: dict, release: str) -> str:
    weeks = sorted({row["week_start"] for row in data.team_weeks} | {row["week_start"] for row in data.org_weeks})
    nav = " · ".join(
        f'<a href="#{anchor}">{_esc(name)}</a>'
        for anchor, name in [
            ("headlines", "Headlines"),
            ("delivery", "Delivery"),
            ("adoption", "Adoption"),
            ("tools", "MAU"),
            ("licences", "Licences"),
            ("vde", "VDE"),
            ("nps", "NPS"),
            ("cfr", "CFR"),
            ("guards", "Guard signals"),
        ]
    )
    sections = [
        _header(manifest, release),
        f"<nav>{nav}</nav>",
        _headlines(data),
        _delivery(data, weeks),
        _adoption(data, weeks),
        _tools(data),
        _licences(data),
        _value(data, weeks),
        _nps(data),
        _change_failure(data, weeks),
        _all_signals(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>AI adoption report · {_esc(release)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(sections)}"
        f'<footer class="muted">Generated from releases/{_esc(release)}/marts.duckdb. Metric definitions: the dbt docs '
        "(published/docs/index.html) and DESIGN.md.</footer></main></body></html>\n"
    )


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_report(release: Path, published: Path) -> Path:
    """Render the release's report to published/report/index.html (atomically: a reader sees the old page or
    the new one). Call it once the release is current."""
    manifest = json.loads((release / "manifest.json").read_text())
    page = render_report(read_report_data(release / "marts.duckdb"), manifest, release.name)
    target = published / "report" / "index.html"
    _write_atomically(target, page)
    return target
