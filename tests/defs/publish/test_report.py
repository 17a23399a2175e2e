"""The static report: the company first, then its orgs, how teams spread over the target tiers and a page per
org; headlines from complete periods only; nulls never 0; every page (and the quality page and dbt docs)
renders offline in headless Chromium without a request leaving the machine, for the demo and for a wide
organisation."""

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from orchestration.defs.publish.report import ReportData, charts, read_report_data, render_pages
from orchestration.defs.publish.report.model import buckets_for, build_model
from orchestration.lib.workspace import Workspace
from orchestration.tools.demo.generator import DemoSpec, generate
from tests.browser import CHROMIUM, load_offline
from tests.conftest import run_isolated
from tests.html_page import svg_texts, table, tables

# Another shape than the demo: many narrow teams (about 6 to an org), a last week and month the data only
# starts.
WIDE = DemoSpec(teams=96, engineers_per_team=5, days=38, seed=5)


@pytest.fixture(scope="module")
def published(demo_run) -> Path:
    assert demo_run.succeeded, "the demo run must publish for the report to exist"
    return demo_run.workspace.published


@pytest.fixture(scope="module")
def release_data(published) -> ReportData:
    return read_report_data(published / "current" / "marts.duckdb")


@pytest.fixture(scope="module")
def manifest(published) -> dict:
    return json.loads((published / "manifest.json").read_text())


def _expected_checks(manifest: dict) -> str:
    results: dict[tuple[str, str], list[dict]] = {}
    for check in manifest["checks"]:
        results.setdefault((check["asset"], check["check"]), []).append(check)
    failed = [key for key, runs in results.items() if not all(run["passed"] for run in runs)]
    blocking = sum(1 for runs in results.values() if runs[-1]["severity"] == "ERROR")
    text = f"{len(results)} checks ({blocking} blocking): {len(results) - len(failed)} passed"
    return text + (f", {len(failed)} warned (a published release has no blocking failure)" if failed else "")


def _headline_week(data: ReportData):
    complete = [row["week_start"] for row in data.company_weeks if row["is_complete"]]
    return max(complete or [row["week_start"] for row in data.company_weeks])


def _bucket_counts(data: ReportData) -> dict[str, int]:
    """Teams per velocity multiple bucket, counted here from the published rows and dim_teams' tiers."""
    tiers = sorted({float(team["velocity_target"]) for team in data.teams})
    bounds = sorted({1.0, 2.0, *tiers})
    week = _headline_week(data)
    counts = {"no multiple": 0, **{f"{bound:g}": 0 for bound in [0.0, *bounds]}}
    for row in data.team_weeks:
        if row["week_start"] != week:
            continue
        multiple = row["velocity_multiple"]
        if multiple is None:
            counts["no multiple"] += 1
        else:
            counts[f"{max([0.0, *(bound for bound in bounds if bound <= multiple)]):g}"] += 1
    return counts


def test_every_publication_writes_the_report_of_the_current_release(demo_run, published, manifest):
    page = (published / "report" / "index.html").read_text()
    release = {row[0]: row[1] for row in next(one for one in tables(page) if one["name"] == "release")["rows"]}
    assert release["Release"] == (published / "current").resolve().name
    assert release["Run"] == manifest["run_id"]
    assert release["Data window"] == (
        f"{manifest['data_window']['first_day']} to {manifest['data_window']['last_day']} (UTC days)"
    )
    assert release["Checks"] == _expected_checks(manifest)
    # published_marts is unpartitioned: its run window comes from the run's range tags
    assert manifest["run_window"] == {"first_day": demo_run.first.isoformat(), "last_day": demo_run.last.isoformat()}
    assert not list((published / "report").rglob(".*.tmp")), "pages are written through a temporary file"


def test_the_company_headline_is_the_latest_complete_week_of_mart_company_weekly(published, release_data):
    page = (published / "report" / "index.html").read_text()
    row = next(row for row in release_data.company_weeks if row["week_start"] == _headline_week(release_data))
    company = {row["Measure"]: row for row in table(page, "company")}
    assert company["Engineers"]["Value"] == f"{row['headcount']:,}"
    assert company["Adoption rate"]["Context"] == (
        f"{row['adopting_teams']:,} of {row['publishable_teams']:,} publishable teams"
    )
    orgs = table(page, "orgs-table")
    by_org = {org["org"]: org for org in release_data.org_weeks if org["week_start"] == row["week_start"]}
    assert [org["Org"] for org in orgs] == sorted(by_org)
    assert all(org["Engineers"] == f"{by_org[org['Org']]['headcount']:,}" for org in orgs)


def test_a_partial_last_week_is_marked_and_not_headlined(release_data, manifest):
    last = max(row["week_start"] for row in release_data.company_weeks)
    partial = {**next(row for row in release_data.company_weeks if row["week_start"] == last)}
    partial.update(week_start=last + timedelta(days=7), is_complete=False, headcount=1)
    data = replace(release_data, company_weeks=[*release_data.company_weeks, partial])
    model = build_model(data)
    assert model.headline_week == _headline_week(release_data) and model.partial_weeks[-1] == partial["week_start"]
    page = render_pages(data, manifest, "r")["index.html"]
    assert table(page, "company")[0]["Value"] != "1"


def test_every_org_has_a_page_listing_each_of_its_teams_by_display_name(published, release_data):
    page = (published / "report" / "index.html").read_text()
    links = next(one for one in tables(page) if one["name"] == "orgs-table")["links"]
    orgs = sorted({team["org"] for team in release_data.teams})
    assert len(links) == len(orgs)
    for org, link in zip(orgs, links, strict=True):
        org_page = (published / "report" / link).read_text()
        names = [row["Team"] for row in table(org_page, "teams")]
        expected = [team["team_name"] for team in release_data.teams if team["org"] == org]
        assert sorted(names, key=str.lower) == sorted(expected, key=str.lower)
        assert not {team["team_id"] for team in release_data.teams} & set(names)


def _hours(value) -> str:
    return "–" if value is None else f"{value:,.1f} h"


def test_each_org_shows_the_four_dora_keys_and_its_ai_assisted_and_other_pull_requests(published, release_data):
    week = _headline_week(release_data)
    page = (published / "report" / "index.html").read_text()
    by_org = {row["org"]: row for row in release_data.org_weeks if row["week_start"] == week}
    for shown in table(page, "orgs-table"):
        row = by_org[shown["Org"]]
        assert shown["Deploys / engineer"] == f"{row['deploys_per_engineer']:.2f}"
        assert shown["Lead time"] == _hours(row["lead_time_hours_p50"])
        assert shown["CFR"] == f"{100 * row['change_failure_rate']:.0f}%"
        assert shown["Time to restore"] == _hours(row["time_to_restore_hours_p50"])
        assert (
            shown["AI-assisted PRs"] == f"{100 * row['ai_assisted_pr_share']:.0f}% of {row['merged_pull_requests']:,}"
        )
    names = {team["team_id"]: team["team_name"] for team in release_data.teams}
    links = next(one for one in tables(page) if one["name"] == "orgs-table")["links"]
    shown_rows = [row for link in links for row in table((published / "report" / link).read_text(), "pull-requests")]
    published_rows = [row for row in release_data.pull_request_weeks if row["week_start"] == week]
    assert sorted((row["Team"], row["Pull requests"], row["Merged"], row["Lead time"]) for row in shown_rows) == sorted(
        (
            names[row["team_id"]],
            "AI-assisted" if row["is_ai_assisted"] else "other",
            f"{row['merged_pull_requests']:,}",
            _hours(row["lead_time_hours_p50"]),
        )
        for row in published_rows
    )
    assert {row["Pull requests"] for row in shown_rows} == {"AI-assisted", "other"}


def test_the_distribution_counts_every_team_against_the_tiers_in_the_data(published, release_data):
    page = (published / "report" / "index.html").read_text()
    shown = [int(row["Teams"].replace(",", "")) for row in table(page, "distribution")]
    counts = _bucket_counts(release_data)
    assert sum(shown) == len(release_data.teams)
    assert shown[-1] == counts["no multiple"]
    assert shown[:-1] == [count for key, count in counts.items() if key != "no multiple"]


def test_tiers_come_from_the_teams_targets_not_from_the_code(release_data, manifest):
    assert [bucket.label for bucket in buckets_for([4.0, 12.0])] == [
        "below 1×",
        "1× to 2×",
        "2× to 4×",
        "4× to 12×",
        "12× and above",
    ]
    teams = [{**team, "velocity_target": 4 if index % 2 else 12} for index, team in enumerate(release_data.teams)]
    page = render_pages(replace(release_data, teams=teams), manifest, "r")["index.html"]
    assert [row["Velocity multiple"] for row in table(page, "distribution")][2:5] == [
        "2× to 4×",
        "4× to 12×",
        "12× and above",
    ]


def test_nulls_show_as_suppressed_or_dash_never_as_zero(release_data, manifest):
    team = release_data.teams[0]
    week = _headline_week(release_data)
    metrics = ("deploys_per_engineer", "velocity_multiple", "change_failure_rate", "weekly_active_ai_users")
    team_weeks = [
        {**row, **dict.fromkeys(metrics), "is_suppressed": True}
        if (row["team_id"], row["week_start"]) == (team["team_id"], week)
        else row
        for row in release_data.team_weeks
    ]
    tool_months = [{**row, "nps": None, "nps_responses": 3} for row in release_data.tool_months]
    pages = render_pages(replace(release_data, team_weeks=team_weeks, tool_months=tool_months), manifest, "r")
    org_page = next(page for page in pages.values() if f"<h1>{team['org']}</h1>" in page)
    row = next(row for row in table(org_page, "teams") if row["Team"] == team["team_name"])
    for column in ("Deploys / engineer", "Velocity multiple", "CFR", "Weekly active", "On track"):
        assert row[column] == "suppressed"
    assert {tool["NPS"] for tool in table(pages["index.html"], "tools-table")} == {"suppressed (3 responses)"}


def test_the_spend_section_shows_each_tools_cost_and_names_the_consolidation_candidates(release_data, manifest):
    month = build_model(release_data).headline_month
    page = render_pages(release_data, manifest, "r")["index.html"]
    spend = {row["Tool"]: row for row in table(page, "spend-table")}
    published = {row["tool"]: row for row in release_data.tool_spend_months if row["month_start"] == month}
    assert spend.keys() == published.keys()
    for tool, row in published.items():
        assert spend[tool]["Total"] == f"${row['total_cost']:,.0f}"
        shown = spend[tool]["Cost / active engineer"]
        assert shown == ("suppressed" if row["is_suppressed"] else f"${row['cost_per_active_user']:,.0f}")
    sprawl = {row["Org"]: row for row in table(page, "sprawl-table")}
    orgs = [row for row in release_data.sprawl_months if row["month_start"] == month]
    assert sprawl.keys() == {"Company" if row["scope"] == "company" else row["scope_id"] for row in orgs}
    for row in orgs:
        shown = sprawl["Company" if row["scope"] == "company" else row["scope_id"]]["Consolidation candidates"]
        if not row["is_suppressed"]:
            assert shown == (row["consolidation_candidates_list"] or "none")
    assert any(row["consolidation_candidates_list"] for row in orgs)  # the demo has a niche tool


def test_a_line_chart_draws_every_series_it_is_given():
    rows = [
        {"week_start": week, "team": f"team {index:02d}", "value": float(index)}
        for index in range(1, 13)
        for week in ("2026-03-02", "2026-03-09")
    ]
    texts = svg_texts(charts.lines(rows, "week_start", "value", "team", "twelve teams", "value"))
    assert {f"team {index:02d}" for index in range(1, 13)} <= set(texts)


def _impact_row(**values) -> dict:
    row = {
        "outcome": "deploys_per_engineer",
        "scope": "all_teams",
        "estimator": "callaway_santanna",
        "effect_window": "0..+8",
        "event_week": None,
        "estimate": None,
        "std_error": None,
        "ci_low": None,
        "ci_high": None,
        "n_treated_teams": 12,
        "n_control_teams": 20,
        "n_team_weeks": 480,
        "pretrend_p": None,
        "is_reliable": False,
        "reason": None,
    }
    return {**row, **values}


def test_the_impact_section_says_each_estimate_in_a_sentence_and_charts_its_band():
    weeks = [
        _impact_row(
            effect_window=f"{week:+d}",
            event_week=week,
            estimate=0.4 if week >= 0 else 0.0,
            ci_low=(0.4 if week >= 0 else 0.0) - 0.2,
            ci_high=(0.4 if week >= 0 else 0.0) + 0.2,
            is_reliable=True,
        )
        for week in range(-8, 9)
    ]
    impact = [
        _impact_row(estimate=0.4, ci_low=0.1, ci_high=0.7, pretrend_p=0.6, is_reliable=True),
        *weeks,
        _impact_row(estimator="naive_before_after", estimate=0.65, ci_low=0.5, ci_high=0.8, reason="not an effect"),
        _impact_row(scope="org:Payments", reason="too few adopting teams with this outcome in every week: 2"),
    ]
    data = ReportData([], [], [], [], [], [], [], [], impact=impact, cohorts=[{"cohort": "adopted", "teams": 12}])
    page = render_pages(data, {"run_id": "x", "checks": []}, "r")["index.html"]
    assert (
        "All teams: after adopting, teams had 0.40 more quality-adjusted deploys per engineer per week than the teams "
        "not yet or never adopting (95% CI +0.10 to +0.70, 12 adopting teams); before adopting they moved like "
        "those teams (p = 0.60). A before/after of the same teams would have said +0.65."
    ) in page
    assert "Org Payments: no estimate published: too few adopting teams with this outcome in every week: 2." in page
    assert "adopted 12" in page
    chart = charts.event_study(weeks, "band", "deploys")
    assert "weeks since the team adopted (0 = adoption week)" in svg_texts(chart)


def test_an_empty_publication_renders():
    pages = render_pages(ReportData([], [], [], [], [], [], [], []), {"run_id": "x", "checks": []}, "r")
    assert sorted(pages) == ["index.html", "search-index.js"]
    assert table(pages["index.html"], "distribution")[-1]["Teams"] == "0"


def _assert_offline(page: Path, profile: Path, expressions: dict | None = None) -> dict:
    load = load_offline(page, profile, expressions)
    assert load.remote_requests == [], f"{page} asks the network for {load.remote_requests}"
    assert load.failed_requests == [] and load.errors == [], (page, load.failed_requests, load.errors)
    return load.values


SEARCH = """(() => {{
  const box = document.getElementById("search");
  box.value = {query};
  box.dispatchEvent(new Event("input"));
  return [...document.querySelectorAll("#search-results a")].map(link => link.textContent);
}})()"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian: apt-get install -y chromium)")
def test_report_quality_page_and_dbt_docs_render_offline_in_headless_chromium(published, release_data, tmp_path):
    index = published / "report" / "index.html"
    team = release_data.teams[-1]["team_name"]
    values = _assert_offline(
        index,
        tmp_path / "report",
        {
            "charts": "document.querySelectorAll('figure svg').length",
            "found": SEARCH.format(query=json.dumps(team.upper())),
        },
    )
    assert values["charts"] == index.read_text().count("<figure><svg")
    assert team in values["found"]
    for org_page in sorted((published / "report" / "orgs").glob("*.html"))[:2]:
        _assert_offline(org_page, tmp_path / org_page.stem)
    quality = _assert_offline(
        published / "quality" / "index.html",
        tmp_path / "quality",
        {"results": "document.querySelectorAll('#validations tbody a').length"},
    )
    assert quality["results"] > 0
    validation = next((published / "quality" / "validations").rglob("*.html"))
    _assert_offline(validation, tmp_path / "validation")
    docs = _assert_offline(
        published / "docs" / "index.html",
        tmp_path / "docs",
        {"overview": "document.body.innerText.includes('What to read')"},
    )
    assert docs["overview"] is True


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("wide")
    workspace = Workspace(landing=root / "landing", workdir=root / "work")
    summary = generate(WIDE, workspace.landing, root / "ground_truth.json", progress=lambda line: None)
    assert run_isolated(workspace, date.fromisoformat(summary["start"]), date.fromisoformat(summary["end"]))
    return workspace


def test_a_wide_organisation_gets_a_readable_report(wide_run, tmp_path):
    published = wide_run.published
    data = read_report_data(published / "current" / "marts.duckdb")
    page = (published / "report" / "index.html").read_text()
    orgs = sorted({team["org"] for team in data.teams})
    assert len(data.teams) == WIDE.teams and len(orgs) > 10
    # the company page ranks a few teams and links every org; the teams are on their orgs' pages
    assert len(table(page, "top-teams")) <= 10 and len(table(page, "orgs-table")) == len(orgs)
    assert sum(len(one["rows"]) for one in tables(page)) < 150
    team_names = []
    for org_page in (published / "report" / "orgs").glob("*.html"):
        team_names += [row["Team"] for row in table(org_page.read_text(), "teams")]
    assert sorted(team_names) == sorted(team["team_name"] for team in data.teams)
    assert sum(int(row["Teams"]) for row in table(page, "distribution")) == WIDE.teams
    # 38 days from a Monday: the last week is partial and not the headline; the one before has velocity
    # multiples (the baseline is the first four weeks)
    partial = max(row["week_start"] for row in data.company_weeks)
    assert not next(row for row in data.company_weeks if row["week_start"] == partial)["is_complete"]
    assert build_model(data).headline_week == partial - timedelta(days=7)
    if CHROMIUM:
        _assert_offline(published / "report" / "index.html", tmp_path / "wide")
