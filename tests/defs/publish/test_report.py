"""The static report: written on every publication, offline, guards beside their numbers, nulls never 0,
and it renders in headless Chromium without a console error."""

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.defs.publish.report import (
    ReportData,
    Series,
    bar_chart,
    line_chart,
    read_report_data,
    render_report,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SECTIONS = ("headlines", "delivery", "adoption", "tools", "licences", "vde", "nps", "cfr", "guards")
# which guard signals must sit in which section (DESIGN.md, Guards)
GUARDED = {
    "delivery": ("deploy_spam", "redeploy", "usage_without_outcome"),
    "adoption": ("unattributed_identity",),
    "tools": ("unattributed_identity",),
    "licences": ("licence_padding",),
    "vde": ("bot_activity",),
    "nps": ("survey_stuffing",),
}


@pytest.fixture(scope="module")
def report(demo_run) -> Path:
    assert demo_run.succeeded, "the demo run must publish for the report to exist"
    return demo_run.workspace.published / "report" / "index.html"


def _sections(page: str) -> dict[str, str]:
    parts = re.split(r'<section id="', page)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def test_every_publication_writes_the_report_of_the_current_release(demo_run, report):
    assert report.is_file()
    page = report.read_text()
    manifest = json.loads((demo_run.workspace.published / "manifest.json").read_text())
    current = (demo_run.workspace.published / "current").resolve().name
    assert manifest["run_id"] in page and current in page
    assert manifest["data_window"]["first_day"] in page and manifest["data_window"]["last_day"] in page
    # published_marts is unpartitioned: its run window comes from the run's range tags
    assert manifest["run_window"] == {"first_day": demo_run.first.isoformat(), "last_day": demo_run.last.isoformat()}
    assert "checks" in page.lower() and "passed" in page
    assert not list(report.parent.glob(".*.tmp")), "the report is written through a temporary file and renamed"


def test_report_has_the_headline_sections_with_inline_svg_charts_and_works_offline(report):
    page = report.read_text()
    sections = _sections(page)
    assert set(SECTIONS) <= set(sections)
    for name in ("delivery", "adoption", "tools", "licences", "vde", "nps", "cfr"):
        assert "<svg" in sections[name], f"section {name} has no chart"
    assert page.count("<svg") >= 10
    # offline: nothing fetched (no script, stylesheet link, image or font from anywhere)
    assert not re.search(r"<script|<link|<img|@import|url\(", page, re.I)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)


def test_guard_signals_sit_beside_the_numbers_they_guard(report):
    sections = _sections(report.read_text())
    for section, signal_types in GUARDED.items():
        for signal_type in signal_types:
            assert f"<b>{signal_type}</b>" in sections[section], f"{signal_type} missing beside {section}"


def test_nulls_show_as_suppressed_or_dash_never_as_zero(demo_run):
    release = (demo_run.workspace.published / "current").resolve()
    data = read_report_data(release / "marts.duckdb")
    team = data.team_weeks[0]["team_id"]
    latest = max(row["week_start"] for row in data.team_weeks if row["team_id"] == team)
    metrics = ("production_deploys", "quality_adjusted_deploys", "deploys_per_engineer", "change_failure_rate")
    team_weeks = [
        {**row, **dict.fromkeys(metrics), "is_suppressed": True}
        if (row["team_id"], row["week_start"]) == (team, latest)
        else row
        for row in data.team_weeks
    ]
    tool_months = [{**row, "nps": None, "nps_responses": 3} for row in data.tool_months]
    page = render_report(
        replace(data, team_weeks=team_weeks, tool_months=tool_months),
        json.loads((release / "manifest.json").read_text()),
        "r",
    )
    delivery = _sections(page)["delivery"]
    team_row = re.search(rf"<tr><td>{team}</td>.*?</tr>", delivery.split("Teams, latest week")[1]).group(0)
    assert team_row.count("suppressed") >= 4 and ">0<" not in team_row and "0.00" not in team_row
    assert "suppressed (3 responses)" in _sections(page)["nps"]


def test_charts_break_lines_and_label_bars_at_nulls_instead_of_drawing_zero():
    chart = line_chart("t", ["a", "b", "c"], [Series("s", [1.0, None, 2.0])])
    assert chart.count("<circle") == 2 and "<polyline" not in chart  # two lone points, no line through the gap
    bars = bar_chart("t", ["a", "b"], [Series("s", [3.0, None])], null_label="suppr.")
    assert bars.count("<rect") == 1 and "suppr." in bars
    assert "<svg" in line_chart("t", ["a"], [Series("s", [None])])  # an empty chart still renders, with a message


def test_empty_publication_renders():
    page = render_report(ReportData([], [], [], [], [], []), {"run_id": "x", "checks": []}, "r")
    assert "<svg" in page and "Headlines" in page


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (CI: apt-get update && apt-get install -y chromium); the browser check is skipped",
)
def test_report_renders_in_headless_chromium_without_console_errors(report, tmp_path):
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert dom.count("<svg") == report.read_text().count("<svg") >= 10
    assert all(f'id="{section}"' in dom for section in SECTIONS)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert not console, console
