"""Render the report's pages from the Jinja2 templates beside this module (autoescaped): the company page
(report/index.html) and one page per org (report/orgs/<org>.html), written atomically."""

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jinja2

from orchestration.defs.publish.report import charts, light_charts
from orchestration.defs.publish.report.impact import impact_views
from orchestration.defs.publish.report.model import ReportModel, build_model, is_null
from orchestration.defs.publish.report.queries import ReportData, read_report_data
from orchestration.defs.publish.report.spend import spend_view
from orchestration.lib.status import left_out_lines

MAX_SIGNAL_EXAMPLES = 5
SEARCH_INDEX = "search-index.js"  # beside the company page, loaded by every page
MAX_ORG_LINES = 20  # lines one chart can tell apart (the tableau20 palette)

# Which guard signals sit beside which numbers: each can distort the numbers of its section.
GUARDS = {
    "deploy_spam": "Service-days with too many (or zero-line) production deploys: all their deploys are excluded.",
    "redeploy": "The same commit deployed again to the same environment: counted once.",
    "usage_without_outcome": "AI usage up 2x against the baseline while deploys per engineer stayed within 1.1x.",
    "baseline_drift": "A frozen velocity baseline whose window data has changed since it was frozen.",
    "bot_activity": "Identities with bot-like bursts of value-deriving events: all their activity is excluded.",
    "unattributed_identity": "Activity of identities not on the roster as engineers: reported, excluded.",
    "licence_padding": "Many grants of one tool on one day, never used: they stay in (and show up as idle).",
    "survey_stuffing": "Several responses per respondent and survey: only the latest counts.",
    "spend_spike": "A day's usage cost of a key, user or tool far above its days before: leaked key, runaway agent?",
}
SECTION_GUARDS = {
    "delivery": ("deploy_spam", "redeploy", "usage_without_outcome", "baseline_drift"),
    "adoption": ("unattributed_identity",),
    "tools": ("unattributed_identity", "licence_padding", "bot_activity", "survey_stuffing"),
    "spend": ("spend_spike",),
}


def _formatter(pattern: Callable[[object], str]) -> Callable[[object], str]:
    return lambda value: "–" if is_null(value) else pattern(value)


FILTERS = {
    "count": _formatter(lambda value: f"{int(value):,}"),
    "ratio": _formatter(lambda value: f"{value:.2f}"),
    "percent": _formatter(lambda value: f"{100 * value:.0f}%"),
    "multiple": _formatter(lambda value: f"{value:.2f}×"),
    "hours": _formatter(lambda value: f"{value:,.1f} h"),
    "rounded": _formatter(lambda value: f"{value:,.0f}"),
    "usd": _formatter(lambda value: f"${value:,.0f}"),
    "usd_cents": _formatter(lambda value: f"${value:,.2f}"),
    "nps": _formatter(lambda value: f"{value:+.0f}" if round(value) else "0"),
    "yesno": _formatter(lambda value: "yes" if value else "no"),
    "day": _formatter(lambda value: value.isoformat() if isinstance(value, date) else str(value)),
    "month": _formatter(lambda value: value.strftime("%b %Y")),
}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters["fmt"] = lambda value, name: FILTERS[name](value)
    return env


def check_summary(manifest: dict) -> dict:
    checks: dict[tuple[str, str], dict] = {}
    for check in manifest.get("checks", []):
        seen = checks.setdefault((check["asset"], check["check"]), {"passed": True, "severity": check["severity"]})
        if not check["passed"]:
            seen.update(passed=False, severity=check["severity"])
    failed = [
        {"asset": asset, "check": name, "severity": value["severity"]}
        for (asset, name), value in sorted(checks.items())
        if not value["passed"]
    ]
    return {
        "total": len(checks),
        "blocking": sum(1 for value in checks.values() if value["severity"] == "ERROR"),
        "passed": len(checks) - len(failed),
        "failed": failed,
    }


def guard_panels(data: ReportData) -> dict[str, list[dict]]:
    counts = data.signal_counts or {}
    panels = {}
    for section, signal_types in SECTION_GUARDS.items():
        panels[section] = []
        for signal_type in signal_types:
            rows = [row for row in data.signals if row["signal_type"] == signal_type]
            count = counts.get(signal_type) or {
                "open": sum(1 for row in rows if not row["is_acknowledged"]),
                "acknowledged": sum(1 for row in rows if row["is_acknowledged"]),
            }
            ordered = sorted(rows, key=lambda row: bool(row["is_acknowledged"]))  # open ones first
            panels[section].append(
                {
                    "type": signal_type,
                    "meaning": GUARDS[signal_type],
                    "open": count["open"],
                    "acknowledged": count["acknowledged"],
                    "examples": ordered[:MAX_SIGNAL_EXAMPLES],
                    "more": count["open"] + count["acknowledged"] - min(len(ordered), MAX_SIGNAL_EXAMPLES),
                }
            )
    return panels


def largest_orgs(model: ReportModel) -> list[str]:
    """The orgs a chart of org lines shows: all of them up to MAX_ORG_LINES, else the largest by headcount
    in the headline week (the chart's title says how many of how many)."""
    by_size = sorted(model.orgs, key=lambda org: (-(org.latest["headcount"] if org.latest else 0), org.org.lower()))
    return [org.org for org in by_size[:MAX_ORG_LINES]]


def _company_charts(model: ReportModel, data: ReportData) -> dict[str, str]:
    orgs = len({row["org"] for row in data.org_weeks})
    shown = set(largest_orgs(model))
    org_title = (
        f"Deploys per engineer, all {orgs} orgs"
        if len(shown) >= orgs
        else f"Deploys per engineer, the {len(shown)} largest of {orgs} orgs (every org is in the table)"
    )
    tool_count = len({row["tool"] for row in data.tool_months})
    return {
        "distribution": charts.bars(
            model.distribution, f"Teams by velocity multiple, week of {model.headline_week}", "teams"
        ),
        "company_deploys": charts.lines(
            model.company_weeks, "week_start", "deploys_per_engineer", None, "Company: deploys per engineer", "deploys"
        ),
        "company_adoption": charts.lines(
            model.company_weeks,
            "week_start",
            "adoption_rate",
            None,
            "Company: adoption rate",
            "adopting / publishable teams",
            ".0%",
            y_domain=(0.0, 1.0),
        ),
        "org_deploys": charts.lines(
            [row for row in data.org_weeks if row["org"] in shown],
            "week_start",
            "deploys_per_engineer",
            "org",
            org_title,
            "deploys",
        ),
        "tool_mau": charts.lines(
            model.tool_months,
            "month_start",
            "monthly_active_users",
            "tool",
            f"Monthly active users, all {tool_count} tools, complete months",
            "engineers",
            ",d",
            empty_message="no complete month in the data yet (–)",
        ),
    }


def _org_charts(org, tiers) -> dict[str, str]:
    # drawn by light_charts: a page per org is hundreds of pages a night in a large organisation
    return {
        "distribution": light_charts.bars(org.distribution, f"{org.org}: teams by velocity multiple", "teams"),
        "strip": light_charts.strip(
            [{"name": team.name, **team.week} for team in org.teams],
            f"{org.org}: every team's velocity multiple",
            tiers,
        ),
        "deploys": light_charts.line(
            org.weeks, "week_start", "deploys_per_engineer", f"{org.org}: deploys per engineer", "deploys"
        ),
        "adoption": light_charts.line(
            org.weeks,
            "week_start",
            "adoption_rate",
            f"{org.org}: adoption rate",
            "adopting / publishable teams",
            ".0%",
            y_domain=(0.0, 1.0),
        ),
    }


def search_index(model: ReportModel) -> str:
    """What the search box looks through: orgs and teams (display names), each with the page it is on.

    One script that every page loads, rather than a copy inside each page: with thousands of teams the copies
    were most of the report's size and of its rendering time.
    """
    entries = [{"name": org.org, "kind": "org", "href": f"orgs/{org.slug}.html"} for org in model.orgs]
    entries += [
        {"name": team.name, "kind": f"team · {team.org}", "href": f"orgs/{team.org_slug}.html#team-{team.team_id}"}
        for org in model.orgs
        for team in org.teams
    ]
    return f"var SEARCH_INDEX = {json.dumps(entries)};\n"


def render_pages(data: ReportData, manifest: dict, release: str) -> dict[str, str]:
    """Every page of the report by its path under report/."""
    env = environment()
    model = build_model(data)
    common = {
        "release": release,
        "manifest": manifest,
        "checks": check_summary(manifest),
        "left_out": left_out_lines(manifest.get("records_left_out", {})),
        "model": model,
        "tiers": ", ".join(f"{tier:g}×" for tier in model.tiers) or "none",
        "search_index": SEARCH_INDEX,
    }
    org_links = env.get_template("macros.html").module.org_links
    pages = {
        SEARCH_INDEX: search_index(model),
        "index.html": env.get_template("index.html").render(
            **common,
            root="",
            org_links=org_links(model.orgs, ""),
            data=data,
            guards=guard_panels(data),
            charts=_company_charts(model, data),
            impact=impact_views(data.impact),
            spend=spend_view(data, model.headline_month),
            signal_counts=sorted((data.signal_counts or {}).items()),
        ),
    }
    from_an_org = org_links(model.orgs, "../")
    for org in model.orgs:
        pages[f"orgs/{org.slug}.html"] = env.get_template("org.html").render(
            **common, root="../", org_links=from_an_org, org=org, charts=_org_charts(org, model.tiers)
        )
    return pages


def render_report(data: ReportData, manifest: dict, release: str) -> str:
    """The company page alone (index.html)."""
    return render_pages(data, manifest, release)["index.html"]


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_report(release: Path, published: Path) -> Path:
    """Render the release's report under published/report/ (each page atomically; the org pages before the
    index that links them, and org pages of orgs no longer published removed). Call it once the release is
    current."""
    manifest = json.loads((release / "manifest.json").read_text())
    pages = render_pages(read_report_data(release / "marts.duckdb"), manifest, release.name)
    target = published / "report"
    # the search index first, as every page loads it; the company page last, as it links the org pages
    for relative, page in sorted(pages.items(), key=lambda item: (item[0] != SEARCH_INDEX, item[0] == "index.html")):
        _write_atomically(target / relative, page)
    for stale in (target / "orgs").glob("*.html"):
        if f"orgs/{stale.name}" not in pages:
            stale.unlink()
    return target / "index.html"
