"""What the report says, computed from the published rows: the headline period, the company and org views,
how teams spread over the velocity tiers, the top and bottom teams. No metric is re-derived here: every
number is a published column; this module only picks periods, groups and ranks.

Headlines use complete periods only (is_complete): a week or month the data only starts or ends in is
computed on the days present and would compare a few days with a whole period.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from orchestration.defs.publish.report.queries import ReportData

RANKED_TEAMS = 10  # top and bottom teams on the company page
NO_MULTIPLE = "no multiple (suppressed or no baseline yet)"


def is_null(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Bucket:
    label: str
    low: float | None  # inclusive
    high: float | None  # exclusive


@dataclass(frozen=True)
class TeamRow:
    team_id: str
    name: str
    org: str
    org_slug: str
    week: dict  # the team's mart_team_weekly row of the headline week


@dataclass(frozen=True)
class PullRequestRow:
    team: TeamRow
    week: dict  # the team's mart_pull_requests_weekly row of the headline week, AI-assisted or other


@dataclass(frozen=True)
class OrgView:
    org: str
    slug: str
    latest: dict | None  # mart_org_weekly row of the headline week
    weeks: list[dict]  # every week of the org, oldest first
    teams: list[TeamRow]  # every team of the org, by name
    distribution: list[tuple[str, int]]
    pull_requests: list[PullRequestRow]  # per team, its AI-assisted row then its other row


@dataclass(frozen=True)
class ReportModel:
    tiers: list[float]
    buckets: list[Bucket]
    headline_week: date | None
    headline_week_is_complete: bool
    partial_weeks: list[date]
    company: dict | None
    previous_company: dict | None
    company_weeks: list[dict]
    orgs: list[OrgView]
    distribution: list[tuple[str, int]]
    top_teams: list[TeamRow]
    bottom_teams: list[TeamRow]
    headline_month: date | None
    headline_month_is_complete: bool
    partial_months: list[date]
    tools: list[dict]  # mart_tool_monthly rows of the headline month
    tool_months: list[dict]  # every complete month
    teams_total: int


def slug(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned or "org"


def _unique_slugs(orgs: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for org in orgs:
        base = slug(org)
        seen[base] += 1
        slugs[org] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return slugs


def tiers_of(data: ReportData) -> list[float]:
    """The velocity target tiers the teams are held to (dim_teams.velocity_target, from the seed)."""
    return sorted({float(team["velocity_target"]) for team in data.teams if not is_null(team["velocity_target"])})


def buckets_for(tiers: list[float]) -> list[Bucket]:
    """Below 1x, 1x to 2x, 2x up to the first tier, then one bucket per tier."""
    bounds = sorted({1.0, 2.0, *tiers})
    buckets = [Bucket(f"below {_multiple(bounds[0])}", None, bounds[0])]
    for low, high in zip(bounds, bounds[1:], strict=False):
        buckets.append(Bucket(f"{_multiple(low)} to {_multiple(high)}", low, high))
    buckets.append(Bucket(f"{_multiple(bounds[-1])} and above", bounds[-1], None))
    return buckets


def _multiple(value: float) -> str:
    return f"{value:g}×"


def bucket_of(value: object, buckets: list[Bucket]) -> str:
    if is_null(value):
        return NO_MULTIPLE
    for bucket in buckets:
        if (bucket.low is None or value >= bucket.low) and (bucket.high is None or value < bucket.high):
            return bucket.label
    return buckets[-1].label


def distribution(rows: list[dict], buckets: list[Bucket]) -> list[tuple[str, int]]:
    counts = Counter(bucket_of(row["velocity_multiple"], buckets) for row in rows)
    return [(bucket.label, counts[bucket.label]) for bucket in buckets] + [(NO_MULTIPLE, counts[NO_MULTIPLE])]


def _headline(rows: list[dict], key: str) -> tuple[object, bool]:
    """The latest complete period, else the latest one (flagged as partial)."""
    complete = [row[key] for row in rows if row.get("is_complete")]
    if complete:
        return max(complete), True
    periods = [row[key] for row in rows]
    return (max(periods) if periods else None), False


def build_model(data: ReportData) -> ReportModel:
    tiers = tiers_of(data)
    buckets = buckets_for(tiers)
    week_rows = data.company_weeks or data.org_weeks or data.team_weeks
    headline_week, week_complete = _headline(week_rows, "week_start")
    partial_weeks = sorted({row["week_start"] for row in week_rows if not row.get("is_complete")})
    company_by_week = {row["week_start"]: row for row in data.company_weeks}
    earlier = sorted(
        week for week, row in company_by_week.items() if row["is_complete"] and week < (headline_week or date.max)
    )
    slugs = _unique_slugs(sorted({team["org"] for team in data.teams} | {row["org"] for row in data.org_weeks}))
    names = {team["team_id"]: team for team in data.teams}
    team_rows = [
        TeamRow(
            row["team_id"],
            names.get(row["team_id"], {}).get("team_name") or row["team_id"],
            names.get(row["team_id"], {}).get("org") or "",
            slugs.get(names.get(row["team_id"], {}).get("org") or "", "org"),
            row,
        )
        for row in data.team_weeks
        if row["week_start"] == headline_week
    ]
    team_rows.sort(key=lambda team: (team.org, team.name.lower()))
    pull_requests_of = {
        (row["team_id"], row["is_ai_assisted"]): row
        for row in data.pull_request_weeks
        if row["week_start"] == headline_week
    }
    orgs = []
    for org, org_slug in slugs.items():
        weeks = [row for row in data.org_weeks if row["org"] == org]
        teams = [team for team in team_rows if team.org == org]
        pull_requests = [
            PullRequestRow(team, pull_requests_of[(team.team_id, is_ai_assisted)])
            for team in teams
            for is_ai_assisted in (True, False)
            if (team.team_id, is_ai_assisted) in pull_requests_of
        ]
        orgs.append(
            OrgView(
                org,
                org_slug,
                next((row for row in weeks if row["week_start"] == headline_week), None),
                weeks,
                teams,
                distribution([team.week for team in teams], buckets),
                pull_requests,
            )
        )
    ranked = sorted(
        (team for team in team_rows if not is_null(team.week["velocity_multiple"])),
        key=lambda team: (-team.week["velocity_multiple"], team.name.lower()),
    )
    top = ranked[:RANKED_TEAMS]
    bottom = list(reversed(ranked[-RANKED_TEAMS:])) if len(ranked) > RANKED_TEAMS else []
    headline_month, month_complete = _headline(data.tool_months, "month_start")
    complete_months = [row for row in data.tool_months if row.get("is_complete")]
    return ReportModel(
        tiers=tiers,
        buckets=buckets,
        headline_week=headline_week,
        headline_week_is_complete=week_complete,
        partial_weeks=partial_weeks,
        company=company_by_week.get(headline_week),
        previous_company=company_by_week.get(earlier[-1]) if earlier else None,
        company_weeks=data.company_weeks,
        orgs=orgs,
        distribution=distribution([team.week for team in team_rows], buckets),
        top_teams=top,
        bottom_teams=bottom,
        headline_month=headline_month,
        headline_month_is_complete=month_complete,
        partial_months=sorted({row["month_start"] for row in data.tool_months if not row.get("is_complete")}),
        tools=[row for row in data.tool_months if row["month_start"] == headline_month],
        tool_months=complete_months,
        teams_total=len(data.teams),
    )
