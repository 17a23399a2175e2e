"""An independent, plain-Python implementation of the metric definitions v1 (README, Metrics).

It reads a landing folder in the generic contract v1 (never the lake or the warehouse) and the reference
data (landing/reference/<name>.csv when present, else seeds/<name>.csv), and returns the rows the metric
marts must hold. It shares no code with the pipeline: a definition misread by the dbt models shows up as a
difference, not as the same mistake twice. It covers what the generic contract and the metric marts need
(no vendor formats, no guard-signal mart); the pull request metrics and the DORA times (lead time for changes,
time to restore) are computed by tests/pull_request_oracle.py from what this module reads.

Where a definition leaves room for reading, the reading taken is written down at that spot ("Reading:").
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.oracle_reading import (
    csv_rows,
    is_true,
    latest_by_key,
    month_start,
    ndjson_records,
    ratio,
    reference_rows,
    utc,
    week_start,
)
from tests.pull_request_oracle import PullRequestMetrics, mart_pull_requests_weekly

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"

MART_KEYS = {
    "mart_team_weekly": ("team_id", "week_start"),
    "mart_org_weekly": ("org", "week_start"),
    "mart_tool_monthly": ("tool", "month_start"),
    "mart_company_weekly": ("week_start",),
    "mart_tool_daily": ("tool", "activity_date"),
    "mart_pull_requests_weekly": ("team_id", "week_start", "is_ai_assisted"),
}

MART_COLUMNS = {
    "mart_team_weekly": (
        "team_id", "week_start", "headcount", "production_deploys", "quality_adjusted_deploys",
        "deploys_per_engineer", "change_failure_rate", "weekly_active_ai_users", "is_adopting",
        "lifecycle_stages_covered", "is_ai_native", "value_deriving_events", "vde_per_active_user",
        "baseline_deploys_per_engineer", "velocity_multiple", "velocity_target", "is_on_track",
        "merged_pull_requests", "ai_assisted_pr_share", "lead_time_hours_p50", "lead_time_hours_p90",
        "time_to_restore_hours_p50", "is_suppressed",
    ),
    "mart_org_weekly": (
        "org", "week_start", "is_complete", "teams", "publishable_teams", "adopting_teams", "adoption_rate",
        "ai_native_teams", "headcount", "deploys_per_engineer", "change_failure_rate", "teams_on_track",
        "value_deriving_events", "merged_pull_requests", "ai_assisted_pr_share", "lead_time_hours_p50",
        "lead_time_hours_p90", "time_to_restore_hours_p50",
    ),
    "mart_company_weekly": (
        "week_start", "is_complete", "teams", "publishable_teams", "adopting_teams", "adoption_rate",
        "ai_native_teams", "headcount", "deploys_per_engineer", "change_failure_rate", "teams_on_track",
        "value_deriving_events", "merged_pull_requests", "ai_assisted_pr_share", "lead_time_hours_p50",
        "lead_time_hours_p90", "time_to_restore_hours_p50",
    ),
    "mart_tool_monthly": (
        "tool", "month_start", "monthly_active_users", "licensed_engineers", "active_licensed_engineers",
        "licence_utilisation", "idle_seats", "idle_cost_usd", "shadow_users", "value_deriving_events",
        "vde_per_active_user", "nps", "nps_responses",
    ),
    "mart_tool_daily": (
        "tool", "activity_date", "daily_active_users", "rolling_28d_active_users", "licensed_engineers",
        "licence_utilisation",
    ),
    "mart_pull_requests_weekly": (
        "team_id", "week_start", "is_ai_assisted", "is_complete", "headcount", "merged_pull_requests",
        "deployed_pull_requests", "cycle_time_hours_p50", "review_wait_hours_p50", "size_lines_p50",
        "lead_time_hours_p50", "lead_time_hours_p90", "is_suppressed",
    ),
}  # fmt: skip


# ---- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    stages: frozenset[str]
    requires_licence: bool
    monthly_cost_usd: float


@dataclass(frozen=True)
class Activity:
    """One usage event that counts: attributed to an engineer on the roster that day, not from a bot."""

    engineer_id: str
    team_id: str
    tool: str
    day: date
    is_active: bool
    is_value_deriving: bool
    quantity: int


@dataclass
class Deploy:
    deployment_id: str
    service: str
    environment: str
    commit_sha: str
    status: str
    deployed_at: datetime
    lines_changed: int | None
    rollback_of: str | None

    @property
    def day(self) -> date:
        return self.deployed_at.date()


@dataclass(frozen=True)
class Grant:
    engineer_id: str | None
    tool: str
    granted_date: date
    revoked_date: date | None

    def covers(self, day: date) -> bool:
        return self.granted_date <= day and (self.revoked_date is None or day < self.revoked_date)


class Landing:
    """The landing folder and reference data, read and resolved as the generic contract describes."""

    def __init__(self, landing: Path, seeds: Path = SEEDS_DIR, first: date | None = None, last: date | None = None):
        self.landing = landing
        self.seeds = seeds
        # Reading: an organisation's metric_vars.csv changes the thresholds it names; the others keep the seed's.
        self.vars = {row["name"]: float(row["value"]) for row in csv_rows(seeds / "metric_vars.csv")}
        override = landing / "reference" / "metric_vars.csv"
        if override.exists():
            self.vars |= {row["name"]: float(row["value"]) for row in csv_rows(override)}
        self.tools = {
            row["tool"]: Tool(
                frozenset(stage for stage in row["lifecycle_stages"].split("|") if stage),
                is_true(row["requires_licence"]),
                float(row["monthly_cost_usd"] or 0),
            )
            for row in reference_rows(landing, seeds, "tools")
        }
        self.activity_types = {
            row["activity_type"]: (is_true(row["is_active"]), is_true(row["is_value_deriving"]))
            for row in reference_rows(landing, seeds, "activity_types")
        }
        self.production_environments = {
            row["environment"].lower()
            for row in reference_rows(landing, seeds, "environments")
            if is_true(row["is_production"])
        }
        # Reading: one programme row (the shipped seed has one); its window bounds are inclusive.
        programme = reference_rows(landing, seeds, "velocity_programme")[0]
        self.baseline_start = date.fromisoformat(programme["baseline_start"])
        self.baseline_end = date.fromisoformat(programme["baseline_end"])

        daily_days = [
            date.fromisoformat(path.name[:10])
            for folder in ("deployments", "usage")
            for path in (landing / folder).glob("*.ndjson")
        ]
        # Reading: "the data" is the window of daily files (deployments and usage), first to last day.
        self.first = first or min(daily_days)
        self.last = last or max(daily_days)
        self.days = [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
        self.weeks = sorted({week_start(day) for day in self.days})
        self.months = sorted({month_start(day) for day in self.days})

        self.teams = {row["team_id"]: row for row in csv_rows(landing / "teams" / "teams.csv")}
        self._read_roster()
        self._read_identities()
        self.service_rows = csv_rows(landing / "services" / "services.csv")
        self.service_owners = [
            (
                row["service"],
                row["team_id"],
                date.fromisoformat(row["valid_from"][:10]),
                date.fromisoformat(row["valid_to"][:10]) if row["valid_to"] else None,
            )
            for row in self.service_rows
        ]
        self.deploys = self._read_deploys()
        self.activity = self._read_usage()
        self.grants = self._read_grants()
        self.survey_responses = self._read_surveys()

    # -- roster and identities

    def _read_roster(self) -> None:
        self.snapshots: list[tuple[date, dict[str, dict]]] = []
        for path in sorted((self.landing / "roster").glob("roster_*.csv")):
            snapshot_date = date.fromisoformat(path.stem.removeprefix("roster_"))
            members = {row["engineer_id"]: row for row in csv_rows(path)}
            self.snapshots.append((snapshot_date, members))
        self.snapshots.sort(key=lambda snapshot: snapshot[0])

    def snapshot(self, day: date) -> dict[str, dict]:
        """The roster in force on `day`: the latest snapshot dated on or before it; before the first, the
        first."""
        members = self.snapshots[0][1]
        for snapshot_date, snapshot_members in self.snapshots:
            if snapshot_date <= day:
                members = snapshot_members
        return members

    def engineer_team(self, engineer_id: str | None, day: date) -> str | None:
        """The team of an engineer on `day`; None when not on that day's roster as an engineer."""
        member = self.snapshot(day).get(engineer_id or "")
        if member is None or not is_true(member["is_engineer"]):
            return None
        return member["team_id"]

    def is_week_complete(self, week: date) -> bool:
        """Every day of the ISO week is in the data."""
        return all(week + timedelta(days=offset) in self.days for offset in range(7))

    def headcount(self, team_id: str, monday: date) -> int:
        return sum(
            1
            for member in self.snapshot(monday).values()
            if member["team_id"] == team_id and is_true(member["is_engineer"])
        )

    def _read_identities(self) -> None:
        # An identity matches a roster email case-insensitively or a GitHub login (taken case-insensitively
        # too: GitHub logins are), in any snapshot; identities.csv adds vendor ids and aliases.
        self.identity_to_engineer: dict[str, str] = {}
        for _, members in self.snapshots:
            for engineer_id, member in members.items():
                self.identity_to_engineer[member["email"].lower()] = engineer_id
                if member["github_login"]:
                    self.identity_to_engineer[member["github_login"].lower()] = engineer_id
        path = self.landing / "identities" / "identities.csv"
        if path.exists():
            for row in csv_rows(path):
                self.identity_to_engineer[row["identity"].lower()] = row["engineer_id"]

    def resolve(self, identity: str | None) -> str | None:
        return self.identity_to_engineer.get((identity or "").strip().lower())

    # -- deployments

    def _read_deploys(self) -> list[Deploy]:
        records = []
        for day in self.days:
            for path in sorted((self.landing / "deployments").glob(f"{day.isoformat()}*.ndjson")):
                records.extend(ndjson_records(path))
        return [
            Deploy(
                deployment_id=record["deployment_id"],
                service=record["service"],
                environment=record["environment"].lower(),
                commit_sha=record["commit_sha"],
                status=record["status"],
                deployed_at=utc(record["deployed_at"]),
                lines_changed=record.get("lines_changed"),
                rollback_of=record.get("rollback_of") or None,
            )
            for record in latest_by_key(records, "deployment_id")
        ]

    def service_team(self, service: str, day: date) -> str | None:
        # Reading: valid_to is exclusive (the day a service changes hands belongs to its new owner), as
        # licence revocation is; the fixture has no deploy of a service on such a day.
        for name, team_id, valid_from, valid_to in self.service_owners:
            if name == service and valid_from <= day and (valid_to is None or day < valid_to):
                return team_id
        return None

    # -- usage

    def _read_usage(self) -> list[Activity]:
        events = []
        for day in self.days:
            for path in sorted((self.landing / "usage").glob(f"{day.isoformat()}*.ndjson")):
                events.extend(ndjson_records(path))
        events = latest_by_key(events, "event_id")

        # Bot rule: more than bot_max_value_events_per_minute value-deriving events of one identity in one
        # UTC minute makes the identity a bot, and all its activity (every day, every tool) is excluded.
        # Reading: events are counted (not summed quantities), over all tools and value-deriving types,
        # per identity string lower-cased (not per resolved engineer: the bot rule speaks of "an identity").
        per_minute: dict[tuple[str, datetime], int] = defaultdict(int)
        for event in events:
            if self.activity_types[event["event_type"]][1]:
                minute = utc(event["occurred_at"]).replace(second=0, microsecond=0)
                per_minute[(event["identity"].strip().lower(), minute)] += 1
        bots = {
            identity
            for (identity, _), count in per_minute.items()
            if count > self.vars["bot_max_value_events_per_minute"]
        }

        activity = []
        for event in events:
            identity = event["identity"].strip().lower()
            if identity in bots:
                continue
            day = utc(event["occurred_at"]).date()
            engineer_id = self.resolve(identity)
            team_id = self.engineer_team(engineer_id, day)
            if team_id is None:
                continue  # unattributed: not on the roster as an engineer that day
            is_active, is_value_deriving = self.activity_types[event["event_type"]]
            quantity = event.get("quantity")
            activity.append(
                Activity(
                    engineer_id=engineer_id,
                    team_id=team_id,
                    tool=event["tool"],
                    day=day,
                    is_active=is_active,
                    is_value_deriving=is_value_deriving,
                    quantity=1 if quantity is None else int(quantity),
                )
            )
        return activity

    # -- licences and surveys

    def _read_grants(self) -> list[Grant]:
        path = self.landing / "licences" / "grants.csv"
        if not path.exists():
            return []
        latest: dict[tuple, dict] = {}
        for row in csv_rows(path):  # one grant per identity + tool + granted_at, the latest row winning
            latest[(row["identity"].lower(), row["tool"], utc(row["granted_at"]))] = row
        return [
            Grant(
                engineer_id=self.resolve(row["identity"]),
                tool=row["tool"],
                granted_date=utc(row["granted_at"]).date(),
                revoked_date=utc(row["revoked_at"]).date() if row["revoked_at"] else None,
            )
            for row in latest.values()
        ]

    def _read_surveys(self) -> list[dict]:
        rows = []
        for path in sorted((self.landing / "surveys").glob("*.csv")):
            rows.extend(csv_rows(path))
        return latest_by_key(rows, "response_id")


# ---- deployments -------------------------------------------------------------------------------


@dataclass
class DeployFacts:
    """A counted deploy (production, or failed production) with the team and week it belongs to."""

    deploy: Deploy
    team_id: str | None
    week: date
    is_failed: bool = False
    is_reverted: bool = False
    is_flagged: bool = False


def deploy_facts(data: Landing) -> list[DeployFacts]:
    window_hours = data.vars["revert_window_hours"]
    production = [deploy for deploy in data.deploys if deploy.environment in data.production_environments]
    production.sort(key=lambda deploy: (deploy.deployed_at, deploy.deployment_id))

    # Production deploys: success or rolled_back, once per (service, environment, commit_sha), the earliest.
    # Failed production deploys: failure or error, once per (service, environment, commit_sha), the earliest.
    counted: dict[tuple, Deploy] = {}
    failed: dict[tuple, Deploy] = {}
    for deploy in production:
        key = (deploy.service, deploy.environment, deploy.commit_sha)
        if deploy.status in ("success", "rolled_back"):
            counted.setdefault(key, deploy)
        elif deploy.status in ("failure", "error"):
            failed.setdefault(key, deploy)

    successes = [deploy for deploy in production if deploy.status == "success"]

    def is_reverted(deploy: Deploy) -> bool:
        if deploy.status == "rolled_back":
            return True
        window_end = deploy.deployed_at + timedelta(hours=window_hours)
        # Reading: "within revert_window_hours after it" applies to both the rollback_of and the
        # previous-sha rule (the fixture's rollback_of deploy comes 5 hours later: both readings agree).
        for later in successes:
            if later.rollback_of == deploy.deployment_id and deploy.deployed_at < later.deployed_at <= window_end:
                return True
        # Its previous sha: the sha of the latest successful deploy of the same service and environment
        # before it with a different sha.
        before = [
            other
            for other in successes
            if (other.service, other.environment) == (deploy.service, deploy.environment)
            and other.deployed_at < deploy.deployed_at
            and other.commit_sha != deploy.commit_sha
        ]
        if not before:
            return False
        previous_sha = before[-1].commit_sha
        return any(
            (later.service, later.environment, later.commit_sha) == (deploy.service, deploy.environment, previous_sha)
            and deploy.deployed_at < later.deployed_at <= window_end
            for later in successes
        )

    # Deploy spam: a service-day (UTC) with more than deploy_spam_max_per_service_day production deploys, or
    # at least deploy_spam_min_zero_line_deploys of them with lines_changed = 0 (absent is not 0): all its
    # production deploys are flagged. Reading: counted over the deduplicated production deploys, all
    # production environments of the service together.
    per_service_day: dict[tuple[str, date], list[Deploy]] = defaultdict(list)
    for deploy in counted.values():
        per_service_day[(deploy.service, deploy.day)].append(deploy)
    flagged = {
        deploy.deployment_id
        for deploys in per_service_day.values()
        if len(deploys) > data.vars["deploy_spam_max_per_service_day"]
        or sum(1 for deploy in deploys if deploy.lines_changed == 0) >= data.vars["deploy_spam_min_zero_line_deploys"]
        for deploy in deploys
    }

    facts = [
        DeployFacts(
            deploy,
            data.service_team(deploy.service, deploy.day),
            week_start(deploy.day),
            is_reverted=is_reverted(deploy),
            is_flagged=deploy.deployment_id in flagged,
        )
        for deploy in counted.values()
    ]
    facts += [
        DeployFacts(deploy, data.service_team(deploy.service, deploy.day), week_start(deploy.day), is_failed=True)
        for deploy in failed.values()
    ]
    return facts


@dataclass
class DeployCounts:
    production: int = 0  # deduplicated, guard-flagged included
    quality_adjusted: int = 0
    unflagged_production: int = 0
    reverted: int = 0  # unflagged
    failed: int = 0

    def add(self, fact: DeployFacts) -> None:
        if fact.is_failed:
            self.failed += 1
            return
        self.production += 1
        if fact.is_flagged:
            return
        self.unflagged_production += 1
        if fact.is_reverted:
            self.reverted += 1
        else:
            self.quality_adjusted += 1

    def merged(self, other: "DeployCounts") -> "DeployCounts":
        return DeployCounts(*(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True)))

    @property
    def change_failure_rate(self) -> float | None:
        denominator = self.unflagged_production + self.failed
        return None if denominator == 0 else (self.failed + self.reverted) / denominator


# ---- team and org weeks ------------------------------------------------------------------------


@dataclass
class TeamWeek:
    """Everything about a team-week before suppression (org rows need the unsuppressed values)."""

    team_id: str
    week: date
    headcount: int
    deploys: DeployCounts
    active_engineers: set[str]
    stages: set[str]
    value_deriving_events: int


def team_weeks(data: Landing, deploys: list[DeployFacts]) -> dict[tuple[str, date], TeamWeek]:
    weeks = {
        (team_id, week): TeamWeek(team_id, week, data.headcount(team_id, week), DeployCounts(), set(), set(), 0)
        for team_id in data.teams
        for week in data.weeks
    }
    for fact in deploys:
        if (fact.team_id, fact.week) in weeks:
            weeks[(fact.team_id, fact.week)].deploys.add(fact)
    for activity in data.activity:
        team_week = weeks[(activity.team_id, week_start(activity.day))]
        if activity.is_active:
            team_week.active_engineers.add(activity.engineer_id)
            team_week.stages |= data.tools[activity.tool].stages
        if activity.is_value_deriving:
            team_week.value_deriving_events += activity.quantity
    return weeks


def _pooled(weeks: list[TeamWeek]) -> float | None:
    return ratio(sum(week.deploys.quality_adjusted for week in weeks), sum(week.headcount for week in weeks))


def mart_team_weekly(
    data: Landing, weeks: dict[tuple[str, date], TeamWeek], pull_requests: PullRequestMetrics
) -> list[dict]:
    min_group = data.vars["min_group_size"]
    rows = []
    for team_id, team in data.teams.items():
        # Baseline: pooled over the ISO weeks of the data starting inside the programme's baseline window.
        baseline = _pooled(
            [weeks[(team_id, week)] for week in data.weeks if data.baseline_start <= week <= data.baseline_end]
        )
        target = int(team["velocity_target"])
        for week in data.weeks:
            team_week = weeks[(team_id, week)]
            row = {
                "team_id": team_id,
                "week_start": week,
                "headcount": team_week.headcount,
                "velocity_target": target,
                "is_suppressed": team_week.headcount < min_group,
            }
            if row["is_suppressed"]:
                rows.append(row | {column: None for column in MART_COLUMNS["mart_team_weekly"] if column not in row})
                continue
            deploys = team_week.deploys
            active = len(team_week.active_engineers)
            pool = [week - timedelta(weeks=back) for back in range(3, -1, -1)]
            # Velocity: the week and the 3 before pooled, null unless all 4 are weeks of the data (the last,
            # partial week is "in the data"); null when the baseline is null or 0.
            multiple = None
            if all(pooled_week in data.weeks for pooled_week in pool) and baseline:
                recent = _pooled([weeks[(team_id, pooled_week)] for pooled_week in pool])
                multiple = None if recent is None else recent / baseline
            row |= {
                "production_deploys": deploys.production,
                "quality_adjusted_deploys": deploys.quality_adjusted,
                "deploys_per_engineer": ratio(deploys.quality_adjusted, team_week.headcount),
                "change_failure_rate": deploys.change_failure_rate,
                "weekly_active_ai_users": active,
                "is_adopting": active >= data.vars["adoption_threshold"] * team_week.headcount,
                "lifecycle_stages_covered": len(team_week.stages),
                "is_ai_native": len(team_week.stages) >= data.vars["ai_native_min_stages"],
                "value_deriving_events": team_week.value_deriving_events,
                "vde_per_active_user": ratio(team_week.value_deriving_events, active),
                "baseline_deploys_per_engineer": baseline,
                "velocity_multiple": multiple,
                # Reading: on-track is null (unknown) when the multiple is null, not false.
                "is_on_track": None if multiple is None else multiple >= target,
                **pull_requests.columns([team_id], week),
            }
            rows.append(row)
    return rows


def _rollup(
    data: Landing,
    weeks: dict[tuple[str, date], TeamWeek],
    pull_requests: PullRequestMetrics,
    published: dict,
    team_ids: list[str],
    week: date,
):
    team_weeks_ = [weeks[(team_id, week)] for team_id in team_ids]
    # Counts and the adoption rate's denominator use the teams at or above min_group_size (the
    # published, unsuppressed team rows); sums use all teams.
    visible = [published[(team_id, week)] for team_id in team_ids]
    visible = [row for row in visible if not row["is_suppressed"]]
    deploys = DeployCounts()
    for team_week in team_weeks_:
        deploys = deploys.merged(team_week.deploys)
    headcount = sum(team_week.headcount for team_week in team_weeks_)
    adopting = sum(1 for row in visible if row["is_adopting"])
    return {
        "week_start": week,
        "is_complete": data.is_week_complete(week),
        # Reading: `teams` counts every team (suppressed ones too).
        "teams": len(team_ids),
        "publishable_teams": len(visible),
        "adopting_teams": adopting,
        "adoption_rate": ratio(adopting, len(visible)),
        "ai_native_teams": sum(1 for row in visible if row["is_ai_native"]),
        "headcount": headcount,
        "deploys_per_engineer": ratio(deploys.quality_adjusted, headcount),
        "change_failure_rate": deploys.change_failure_rate,
        # Reading: a team with a null multiple is not on track (a count, never null).
        "teams_on_track": sum(1 for row in visible if row["is_on_track"]),
        "value_deriving_events": sum(team_week.value_deriving_events for team_week in team_weeks_),
        # merged pull requests summed over all the teams (suppressed ones too), the DORA times pooled over them
        **pull_requests.columns(team_ids, week),
    }


def mart_org_weekly(
    data: Landing, weeks: dict[tuple[str, date], TeamWeek], pull_requests: PullRequestMetrics, team_rows: list[dict]
) -> list[dict]:
    published = {(row["team_id"], row["week_start"]): row for row in team_rows}
    orgs: dict[str, list[str]] = defaultdict(list)
    for team_id, team in data.teams.items():
        orgs[team["org"]].append(team_id)
    return [
        {"org": org, **_rollup(data, weeks, pull_requests, published, team_ids, week)}
        for org, team_ids in sorted(orgs.items())
        for week in data.weeks
    ]


def mart_company_weekly(
    data: Landing, weeks: dict[tuple[str, date], TeamWeek], pull_requests: PullRequestMetrics, team_rows: list[dict]
) -> list[dict]:
    """Every team at once: the company roll-up is computed from the teams, never from the org rates."""
    published = {(row["team_id"], row["week_start"]): row for row in team_rows}
    return [_rollup(data, weeks, pull_requests, published, list(data.teams), week) for week in data.weeks]


# ---- tools -------------------------------------------------------------------------------------


class ToolDays:
    """Per tool: who was active on which day, and who held access on which day."""

    def __init__(self, data: Landing):
        self.data = data
        self.active: dict[tuple[str, date], set[str]] = defaultdict(set)
        self.value_events: dict[tuple[str, date], int] = defaultdict(int)
        for activity in data.activity:
            if activity.is_active:
                self.active[(activity.tool, activity.day)].add(activity.engineer_id)
            if activity.is_value_deriving:
                self.value_events[(activity.tool, activity.day)] += activity.quantity

    def active_between(self, tool: str, first: date, last: date) -> set[str]:
        engineers: set[str] = set()
        day = max(first, self.data.first)  # clipped at the start of the data
        while day <= last:
            engineers |= self.active[(tool, day)]
            day += timedelta(days=1)
        return engineers

    def trailing_28d(self, tool: str, day: date) -> set[str]:
        return self.active_between(tool, day - timedelta(days=27), day)

    def has_access(self, engineer_id: str, tool: str, day: date) -> bool:
        return any(
            grant.engineer_id == engineer_id and grant.tool == tool and grant.covers(day) for grant in self.data.grants
        )

    def licensed(self, tool: str, day: date) -> set[str]:
        """Engineers that day (on the roster as engineers) holding access."""
        return {
            grant.engineer_id
            for grant in self.data.grants
            if grant.tool == tool and grant.covers(day) and self.data.engineer_team(grant.engineer_id, day)
        }

    def idle_seats(self, tool: str, day: date) -> int:
        # A grant dated at least 27 days before the day, still covering it, whose holder had no active
        # activity of the tool in [day-27, day] (days before the data count as no activity).
        # Reading: seats are grants (whoever holds them); the fixture only grants seats to engineers.
        trailing = self.trailing_28d(tool, day)
        return sum(
            1
            for grant in self.data.grants
            if grant.tool == tool
            and grant.covers(day)
            and (day - grant.granted_date).days >= 27
            and grant.engineer_id not in trailing
        )

    def shadow_users(self, tool: str, first: date, last: date) -> set[str]:
        """Engineers with active use on a day without access."""
        shadow: set[str] = set()
        day = first
        while day <= last:
            shadow |= {engineer for engineer in self.active[(tool, day)] if not self.has_access(engineer, tool, day)}
            day += timedelta(days=1)
        return shadow


def mart_tool_daily(data: Landing, tool_days: ToolDays) -> list[dict]:
    # Reading: one row per tool of tools.csv and day of the data (a dense grid: a day without use of a
    # tool still has its rolling and licence figures).
    rows = []
    for tool, spec in sorted(data.tools.items()):
        for day in data.days:
            row = {
                "tool": tool,
                "activity_date": day,
                "daily_active_users": len(tool_days.active[(tool, day)]),
                "rolling_28d_active_users": len(tool_days.trailing_28d(tool, day)),
                "licensed_engineers": None,
                "licence_utilisation": None,
            }
            if spec.requires_licence:
                licensed = tool_days.licensed(tool, day)
                row["licensed_engineers"] = len(licensed)
                row["licence_utilisation"] = ratio(len(licensed & tool_days.trailing_28d(tool, day)), len(licensed))
            rows.append(row)
    return rows


def nps_by_tool_month(data: Landing) -> dict[tuple[str, date], list[int]]:
    """Counted scores per (tool, month of submission)."""
    latest_named: dict[tuple[str, str], dict] = {}
    counted: list[dict] = []
    for response in data.survey_responses:
        respondent = response["respondent"].lower()
        if not respondent:
            counted.append(response)  # responses without respondent each count
            continue
        key = (response["survey_id"], respondent)
        if key not in latest_named or utc(response["submitted_at"]) > utc(latest_named[key]["submitted_at"]):
            latest_named[key] = response
    for response in latest_named.values():
        # Reading: a named respondent counts only when an engineer on the roster on the submission day
        # (an unknown name is not known to be an engineer). Latest first, then this filter.
        if data.engineer_team(data.resolve(response["respondent"]), utc(response["submitted_at"]).date()):
            counted.append(response)
    scores: dict[tuple[str, date], list[int]] = defaultdict(list)
    for response in counted:
        if response["tool"]:
            scores[(response["tool"], month_start(utc(response["submitted_at"]).date()))].append(int(response["score"]))
    return scores


def mart_tool_monthly(data: Landing, tool_days: ToolDays) -> list[dict]:
    scores = nps_by_tool_month(data)
    rows = []
    for tool, spec in sorted(data.tools.items()):
        for month in data.months:
            days = [day for day in data.days if month_start(day) == month]
            last = days[-1]  # the month's last day in the data
            active = tool_days.active_between(tool, days[0], last)
            value_events = sum(tool_days.value_events[(tool, day)] for day in days)
            tool_scores = scores.get((tool, month), [])
            row = {
                "tool": tool,
                "month_start": month,
                "monthly_active_users": len(active),
                "licensed_engineers": None,
                "active_licensed_engineers": None,
                "licence_utilisation": None,
                "idle_seats": None,
                "idle_cost_usd": None,
                "shadow_users": 0,
                "value_deriving_events": value_events,
                "vde_per_active_user": ratio(value_events, len(active)),
                # Reading: nps_responses is the number of counted responses (0 when none); only the score
                # is withheld below min_group_size.
                "nps": None,
                "nps_responses": len(tool_scores),
            }
            if len(tool_scores) >= data.vars["min_group_size"]:
                promoters = sum(1 for score in tool_scores if score >= 9)
                detractors = sum(1 for score in tool_scores if score <= 6)
                row["nps"] = 100 * (promoters - detractors) / len(tool_scores)
            if spec.requires_licence:
                # Licence columns on the month's last day in the data. Reading: active licensed engineers
                # are the licensed engineers active in the trailing 28 days, the utilisation's numerator.
                licensed = tool_days.licensed(tool, last)
                active_licensed = licensed & tool_days.trailing_28d(tool, last)
                idle = tool_days.idle_seats(tool, last)
                row |= {
                    "licensed_engineers": len(licensed),
                    "active_licensed_engineers": len(active_licensed),
                    "licence_utilisation": ratio(len(active_licensed), len(licensed)),
                    "idle_seats": idle,
                    # Reading: the monthly cost is tools.csv's (the fixture's grants carry the same cost).
                    "idle_cost_usd": idle * spec.monthly_cost_usd,
                    "shadow_users": len(tool_days.shadow_users(tool, days[0], last)),
                }
            rows.append(row)
    return rows


# ---- entry point -------------------------------------------------------------------------------


def expected_marts(
    landing: Path, seeds: Path = SEEDS_DIR, first: date | None = None, last: date | None = None
) -> dict[str, list[dict]]:
    """The expected rows of every metric mart, by mart name."""
    data = Landing(landing, seeds, first, last)
    deploys = deploy_facts(data)
    weeks = team_weeks(data, deploys)
    pull_requests = PullRequestMetrics(data, deploys)
    team_rows = mart_team_weekly(data, weeks, pull_requests)
    tool_days = ToolDays(data)
    return {
        "mart_team_weekly": team_rows,
        "mart_org_weekly": mart_org_weekly(data, weeks, pull_requests, team_rows),
        "mart_company_weekly": mart_company_weekly(data, weeks, pull_requests, team_rows),
        "mart_tool_monthly": mart_tool_monthly(data, tool_days),
        "mart_tool_daily": mart_tool_daily(data, tool_days),
        "mart_pull_requests_weekly": mart_pull_requests_weekly(data, pull_requests),
    }
