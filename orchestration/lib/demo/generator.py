"""Demo generator: a synthetic engineering organisation written as generic contract v1 landing files.

`generate` writes the files of the generic contract v1 (README, "Generic contract v1"): roster snapshots, teams,
services, identities, licence grants, one deployments and one usage NDJSON file per day, and one CSV per
survey wave. With `plant_cases` it also plants the gaming cases the guards must catch and, when asked,
writes a ground-truth JSON naming exactly what each guard must flag, so precision and recall can be
computed. `plant_broken_feed` breaks one day of an existing landing in one of the ways the gates catch.

The world model, in short:
- teams sit in orgs (about 6 each) and orgs in parent orgs; about 15% of teams are in the 10x cohort;
- people join, leave and move between teams at roster snapshots (weekly); each team has 1-3 managers or
  designers besides its engineers;
- each engineer adopts AI tools at a day drawn from the team's logistic adoption curve (the 10x cohort
  adopts sooner); licensed tools are used under a grant, except for a few shadow users; some adopters
  churn, some grants are revoked, a few seats are never used;
- deploys per service-day are Poisson, rising with adoption for some teams and not for others;
  rollbacks, revert commits and retries after a failure occur at realistic rates;
- contractors (identities not on the roster) and non-engineers add a little activity, always well
  under 5% of a day's events.

Planted cases are kept far from honest records: honest service-days stay at most 10 original deploys
and at most one zero-line deploy, honest identities stay far below 20 value events per minute, honest
never-used grants stay at most 3 per tool and day, and no commit is deployed twice to one environment
except by the planted redeploys and by rollbacks to the previous sha (both listed in the ground truth).

Everything is vectorised with numpy and pyarrow (Python loops run over days, snapshots, tools and
small structures only) and seeded: the same DemoSpec gives byte-identical files.
"""

import csv
import json
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.defs.ingest.connectors.generic import CSV_HEADERS
from orchestration.lib.landing_days import DEMO_FIRST_DAY
from orchestration.lib.workspace import SEEDS_DIR

ROSTER_COLUMNS = CSV_HEADERS["roster"]
TEAMS_COLUMNS = CSV_HEADERS["teams"]
SERVICES_COLUMNS = CSV_HEADERS["services"]
IDENTITIES_COLUMNS = CSV_HEADERS["identities"]
GRANTS_COLUMNS = CSV_HEADERS["licence_grants"]
ACKNOWLEDGEMENT_COLUMNS = ("signal_type", "entity_id", "period_start", "reason")
SURVEY_COLUMNS = CSV_HEADERS["survey_responses"]
DEPLOYMENT_KEYS = (
    "deployment_id",
    "service",
    "environment",
    "commit_sha",
    "status",
    "deployed_at",
    "triggered_by",
    "lines_changed",
    "rollback_of",
)
USAGE_KEYS = ("event_id", "occurred_at", "identity", "tool", "event_type", "quantity")
BROKEN_FEED_CASES = (
    "missing_deploy_day",
    "duplicated_usage_day",
    "epoch_millis_as_seconds",
    "malformed_lines",
)

DAY_SECONDS = 86_400
NEVER = 1_000_000  # a day index beyond any data window
SINCE_EVER = -10_000  # join day of the people already on the first snapshot

STATUSES = ("success", "failure", "error", "rolled_back")
SUCCESS, FAILURE, ERROR, ROLLED_BACK = range(4)
ENVIRONMENTS = ("production", "staging")
PRODUCTION, STAGING = range(2)
ROLES = ("engineer", "manager", "designer")
ENGINEER, MANAGER, DESIGNER = range(3)
DEPLOY_BOTS = ("deploy-bot", "github-actions[bot]", "release-train")

# How a deployment came to be (ground truth only; never written to landing).
ORIGINAL, REVERT_COMMIT, RETRY, PREVIOUS_SHA, SPAM, ZERO_LINES, PLANTED_FIRST, PLANTED_REDEPLOY = range(8)

# Rates of the honest world.
UNATTRIBUTED_CONTRACTOR_SHARE = 0.015  # contractor events, at most this share of engineer events
UNATTRIBUTED_NON_ENGINEER_SHARE = 0.012  # manager/designer events, at most this share of engineer events
MAX_ORIGINAL_DEPLOYS_PER_SERVICE_DAY = 10
MAX_NEVER_USED_GRANTS_PER_TOOL_DAY = 3
BOT_EVENTS_PER_BURST = 26
SPAM_DEPLOYS = 24
ZERO_LINE_DEPLOYS = 4
PADDING_GRANTS = 14

# Tool behaviour; tools added to seeds/tools.csv later fall back to the defaults.
PRIMARY_SHARE = {
    "github_copilot": 0.36,
    "claude_code": 0.26,
    "cursor": 0.2,
    "amazon_q": 0.1,
    "internal_chat": 0.08,
}
SECONDARY_PROBABILITY = {"internal_chat": 0.45}
DEFAULT_SECONDARY_PROBABILITY = 0.12
NPS_MEAN = {"claude_code": 8.6, "cursor": 8.0, "github_copilot": 7.1, "amazon_q": 5.4, "internal_chat": 6.3}
PLAN = {"github_copilot": "business", "claude_code": "team-premium", "cursor": "business", "amazon_q": "pro"}
EVENT_WEIGHT = {
    "interaction": 0.30,
    "suggestion_shown": 0.40,
    "suggestion_accepted": 0.16,
    "code_edit_accepted": 0.24,
    "commit_created": 0.06,
    "pull_request_created": 0.02,
}

# fmt: off
FIRST_NAMES = (
    "ada", "alan", "amara", "ana", "arjun", "ben", "bo", "carla", "chen", "chidi", "dara", "david", "elena",
    "emeka", "erik", "fatima", "femi", "grace", "hana", "hugo", "ines", "ivan", "jamal", "jin", "joao",
    "julia", "kai", "kenji", "lara", "leila", "liam", "lina", "luca", "maria", "mateo", "maya", "mehmet",
    "mia", "nadia", "niko", "noor", "olga", "omar", "pablo", "priya", "rafael", "rin", "rosa", "sam",
    "sara", "sofia", "tariq", "tomas", "uma", "victor", "wei", "yara", "yusuf", "zara", "zoe"
)
LAST_NAMES = (
    "adams", "alvarez", "baker", "banda", "costa", "cruz", "diallo", "dubois", "eriksen", "fischer",
    "garcia", "gupta", "haddad", "hansen", "ito", "jensen", "kato", "kim", "kowalski", "kumar", "larsen",
    "lee", "lopez", "martin", "mensah", "meyer", "moreau", "mori", "nakamura", "nguyen", "novak", "obi",
    "okafor", "olsen", "park", "patel", "perez", "petrov", "quinn", "rossi", "sato", "schmidt", "silva",
    "singh", "smith", "suzuki", "tanaka", "taylor", "torres", "wagner", "walker", "wang", "weber", "wilson",
    "wong", "yamamoto", "yilmaz", "young", "zhang"
)
AREAS = (
    "Payments", "Search", "Checkout", "Identity", "Messaging", "Billing", "Catalog", "Logistics", "Fraud",
    "Ads", "Maps", "Pricing", "Onboarding", "Support", "Analytics", "Media", "Notifications", "Storage",
    "Compute", "Networking", "Observability", "Developer Experience", "Security", "Mobile", "Web",
    "Partners", "Risk", "Ledger", "Inventory", "Recommendations"
)
FUNCTIONS = (
    "Core", "API", "Platform", "Experience", "Data", "Infrastructure", "Reliability", "Growth",
    "Integrations", "Tooling"
)
DIVISIONS = (
    "Commerce", "Platform", "Consumer", "Enterprise", "Infrastructure", "Data", "Trust", "Operations"
)
SERVICE_NOUNS = (
    "checkout", "ledger", "search", "auth", "catalog", "pricing", "inventory", "notify", "billing",
    "profile", "gateway", "router", "ingest", "export", "scheduler", "reports", "media", "maps", "fraud",
    "ads"
)
SERVICE_KINDS = (
    "api", "worker", "web", "service", "consumer", "batch"
)
# fmt: on


@dataclass(frozen=True)
class DemoSpec:
    teams: int = 12
    engineers_per_team: int = 8
    days: int = 56
    seed: int = 7
    start: date = DEMO_FIRST_DAY  # a Monday; the baseline window of seeds/velocity_programme.csv starts here
    plant_cases: bool = True  # plant the gaming cases the guards must flag and list them in the ground truth
    events_per_engineer_day: float = 15.0  # mean usage events per active engineer-day (bench raises it)


# --------------------------------------------------------------------------------------------------
# Reference data and calendar


@dataclass(frozen=True)
class _Reference:
    tools: tuple[str, ...]
    identity_types: tuple[str, ...]  # email | login | vendor_id, per tool
    requires_licence: np.ndarray  # bool per tool
    monthly_cost: tuple[str, ...]
    activity_types: tuple[str, ...]
    is_value: np.ndarray  # bool per activity type
    allowed: np.ndarray  # bool, tools x activity types
    interaction: int  # index of the `interaction` activity type

    def tool(self, name: str) -> int:
        return self.tools.index(name)


def _read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / f"{name}.csv"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _load_reference() -> _Reference:
    tools = _read_seed("tools")
    kinds = _read_seed("activity_types")
    names = tuple(row["tool"].strip() for row in tools)
    activity_types = tuple(row["activity_type"].strip() for row in kinds)
    allowed = np.array(
        [[name in {tool.strip() for tool in row["tools"].split("|")} for row in kinds] for name in names]
    )
    if "interaction" not in activity_types:
        raise ValueError(f"{SEEDS_DIR / 'activity_types.csv'}: expected an `interaction` activity type")
    interaction = activity_types.index("interaction")
    if not allowed[:, interaction].all():
        raise ValueError(f"{SEEDS_DIR / 'activity_types.csv'}: `interaction` must be allowed for every tool")
    return _Reference(
        tools=names,
        identity_types=tuple(row["identity_type"].strip() for row in tools),
        requires_licence=np.array([row["requires_licence"].strip().lower() == "true" for row in tools]),
        monthly_cost=tuple(row["monthly_cost_usd"].strip() for row in tools),
        activity_types=activity_types,
        is_value=np.array([row["is_value_deriving"].strip().lower() == "true" for row in kinds]),
        allowed=allowed,
        interaction=interaction,
    )


@dataclass(frozen=True)
class _Calendar:
    start: date
    days: int

    @property
    def snapshot_count(self) -> int:
        return (self.days + 6) // 7

    def snapshot_of(self, day: np.ndarray | int) -> np.ndarray:
        return np.minimum(np.asarray(day) // 7, self.snapshot_count - 1)

    def weekday(self, day: np.ndarray | int) -> np.ndarray:
        return np.mod(self.start.weekday() + np.asarray(day, dtype=np.int64), 7)

    def date(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    def iso(self, day: int) -> str:
        return self.date(day).isoformat()

    def next_weekday(self, day: np.ndarray) -> np.ndarray:
        weekday = self.weekday(day)
        shifted = day + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
        return np.where(day >= NEVER, NEVER, shifted)

    def weekday_near(self, fraction: float) -> int:
        day = round(fraction * (self.days - 1))
        for delta in (0, 1, -1, 2, -2, 3, -3):
            candidate = day + delta
            if 0 <= candidate < self.days and self.weekday(candidate) < 5:
                return candidate
        return min(max(day, 0), self.days - 1)

    def timestamps(self, seconds: np.ndarray) -> np.ndarray:
        """RFC 3339 UTC strings for seconds since the start of day 0."""
        moments = np.datetime64(self.start, "s") + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
        return np.char.add(np.datetime_as_string(moments, unit="s").astype(str), "Z")


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def _categorical(rng: np.random.Generator, probabilities: Sequence[float], size: int) -> np.ndarray:
    cumulative = np.cumsum(probabilities) / np.sum(probabilities)
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(probabilities) - 1)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within each consecutive group of the given sizes."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def _numbered(words: Sequence[str], index: int) -> str:
    return words[index % len(words)] + ("" if index < len(words) else f" {index // len(words) + 1}")


# --------------------------------------------------------------------------------------------------
# Organisation: teams, people, services


@dataclass(frozen=True)
class _Teams:
    team_id: list[str]
    name: list[str]
    org: np.ndarray  # org index per team (teams of an org are contiguous)
    org_names: list[str]
    parent_names: list[str]
    parent_of_org: np.ndarray
    org_start: np.ndarray  # first team index of each team's org
    org_size: np.ndarray
    target: np.ndarray
    floor: np.ndarray  # adoption curve: share adopted long before the window
    cap: np.ndarray  # share that ever adopts
    mid: np.ndarray  # day (relative to the start) of the curve's midpoint
    width: np.ndarray
    base_rate: np.ndarray  # production deploys per engineer per weekday before AI
    uplift: np.ndarray  # deploy rate multiplier per unit of adoption (0: adoption does not help)
    tool_mix: np.ndarray  # teams x tools, primary-tool preference

    @property
    def count(self) -> int:
        return len(self.team_id)

    def curve(self, days: np.ndarray) -> np.ndarray:
        """Share of each team having adopted, days x teams."""
        days = np.asarray(days, dtype=float)[:, None]
        return self.floor + (self.cap - self.floor) / (1 + np.exp(-(days - self.mid) / self.width))


def _groups(count: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    sizes = rng.integers(low, high + 1, size=count // low + 1)
    return np.repeat(np.arange(len(sizes)), sizes)[:count]


def _build_teams(spec: DemoSpec, ref: _Reference, rng: np.random.Generator) -> _Teams:
    n = spec.teams
    org = _groups(n, 4, 8, rng)
    parent_of_org = _groups(int(org.max()) + 1, 3, 5, rng)
    org_names = [_numbered(AREAS, index) for index in range(int(org.max()) + 1)]
    parent_names = [_numbered(DIVISIONS, index) for index in range(int(parent_of_org.max()) + 1)]
    org_start = np.searchsorted(org, org)
    org_size = np.bincount(org)[org]
    within = np.arange(n) - org_start
    names = [f"{org_names[org[team]]} {_numbered(FUNCTIONS, int(within[team]))}" for team in range(n)]

    target = np.full(n, 3)
    target[rng.choice(n, size=max(1, round(0.15 * n)), replace=False)] = 10
    cohort = target == 10
    share = np.array([PRIMARY_SHARE.get(tool, 0.05) for tool in ref.tools])
    return _Teams(
        team_id=[f"team-{team + 1:04d}" for team in range(n)],
        name=names,
        org=org,
        org_names=org_names,
        parent_names=parent_names,
        parent_of_org=parent_of_org,
        org_start=org_start,
        org_size=org_size,
        target=target,
        floor=np.where(cohort, rng.uniform(0.3, 0.5, n), rng.uniform(0.15, 0.35, n)),
        cap=np.where(cohort, rng.uniform(0.85, 0.97, n), rng.uniform(0.55, 0.92, n)),
        mid=np.where(cohort, rng.uniform(5, 25, n), rng.uniform(12, 60, n)),
        width=np.where(cohort, rng.uniform(3, 6, n), rng.uniform(4, 10, n)),
        base_rate=rng.gamma(4.0, 0.08, n),
        uplift=np.where(
            cohort,
            np.where(rng.random(n) < 0.8, rng.uniform(1.5, 4.0, n), 0.0),
            np.where(rng.random(n) < 0.6, rng.uniform(0.2, 2.0, n), 0.0),
        ),
        tool_mix=rng.dirichlet(20 * share / share.sum(), size=n),
    )


@dataclass(frozen=True)
class _People:
    role: np.ndarray
    join_day: np.ndarray
    leave_day: np.ndarray
    team_at: np.ndarray  # people x snapshots, -1 when not on that snapshot
    engineer_id: list[str]
    email: list[str]
    email_mixed_case: list[str]
    login: list[str]
    full_name: list[str]

    @property
    def count(self) -> int:
        return len(self.role)

    @property
    def is_engineer(self) -> np.ndarray:
        return self.role == ENGINEER


def _build_people(spec: DemoSpec, teams: _Teams, cal: _Calendar, rng: np.random.Generator) -> _People:
    n_teams = teams.count
    managers = rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15], size=n_teams)
    staff_team = np.repeat(np.arange(n_teams), managers)
    first_of_team = np.r_[True, staff_team[1:] != staff_team[:-1]]
    staff_role = np.where(first_of_team, MANAGER, np.where(rng.random(len(staff_team)) < 0.6, DESIGNER, MANAGER))
    team0 = np.concatenate([np.repeat(np.arange(n_teams), spec.engineers_per_team), staff_team])
    role0 = np.concatenate([np.full(n_teams * spec.engineers_per_team, ENGINEER), staff_role])
    hire_order = rng.permutation(len(team0))  # ids in hire order, not grouped by team
    team0, role0 = team0[hire_order], role0[hire_order]

    snapshots = cal.snapshot_count
    team_at = np.full((len(team0), snapshots), -1, dtype=np.int64)
    team_at[:, 0] = team0
    role = role0
    join_day = np.full(len(team0), SINCE_EVER, dtype=np.int64)
    leave_day = np.full(len(team0), NEVER, dtype=np.int64)
    for snapshot in range(1, snapshots):
        column = team_at[:, snapshot - 1].copy()
        engineers = (column >= 0) & (role == ENGINEER)
        leaving = engineers & (rng.random(len(column)) < 0.01)
        column[leaving] = -1
        leave_day[leaving] = 7 * snapshot
        moving = np.flatnonzero(engineers & ~leaving & (rng.random(len(column)) < 0.03))
        if n_teams > 1 and len(moving):
            current = column[moving]
            size = teams.org_size[current]
            start = teams.org_start[current]
            same_org = start + (current - start + rng.integers(1, np.maximum(size, 2))) % np.maximum(size, 1)
            other = (current + rng.integers(1, n_teams, len(moving))) % n_teams
            column[moving] = np.where((rng.random(len(moving)) < 0.7) & (size > 1), same_org, other)
        joiners = rng.binomial(int(engineers.sum()), 0.012)
        new_rows = np.full((joiners, snapshots), -1, dtype=np.int64)
        team_at = np.vstack([team_at, new_rows])
        team_at[:, snapshot] = np.concatenate([column, rng.integers(0, n_teams, joiners)])
        role = np.concatenate([role, np.full(joiners, ENGINEER)])
        join_day = np.concatenate([join_day, np.full(joiners, 7 * snapshot)])
        leave_day = np.concatenate([leave_day, np.full(joiners, NEVER)])

    count = len(role)
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(LAST_NAMES), count)
    email, mixed, login, full_name = [], [], [], []
    for person in range(count):
        given, family, number = FIRST_NAMES[first[person]], LAST_NAMES[last[person]], person + 1
        email.append(f"{given}.{family}.{number}@example.com")
        mixed.append(
            f"{given.capitalize()}.{family.capitalize()}.{number}@Example.com" if person % 2 else email[-1].upper()
        )
        login.append(f"{given[0]}{family}{number}")
        full_name.append(f"{given.capitalize()} {family.capitalize()}")
    return _People(
        role=role,
        join_day=join_day,
        leave_day=leave_day,
        team_at=team_at,
        engineer_id=[f"eng-{person + 1:06d}" for person in range(count)],
        email=email,
        email_mixed_case=mixed,
        login=login,
        full_name=full_name,
    )


@dataclass(frozen=True)
class _Services:
    name: list[str]
    team0: np.ndarray
    team1: np.ndarray  # owner after the transfer (== team0 when never transferred)
    transfer_day: np.ndarray  # NEVER when never transferred
    weight: np.ndarray  # share of its first team's deploys
    valid_from: list[date]

    @property
    def count(self) -> int:
        return len(self.name)

    def owner(self, days: np.ndarray) -> np.ndarray:
        """Owning team, days x services."""
        days = np.asarray(days)[:, None]
        return np.where(days >= self.transfer_day[None, :], self.team1[None, :], self.team0[None, :])


def _build_services(teams: _Teams, cal: _Calendar, rng: np.random.Generator) -> _Services:
    per_team = rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25], size=teams.count)
    if teams.count < 6:  # a tiny demo still has services left over besides the 3 planted ones
        per_team = np.maximum(per_team, 2)
    team0 = np.repeat(np.arange(teams.count), per_team)
    count = len(team0)
    weight = rng.gamma(2.0, 1.0, count)
    weight /= np.bincount(team0, weights=weight)[team0]
    nouns = rng.integers(0, len(SERVICE_NOUNS), count)
    kinds = rng.integers(0, len(SERVICE_KINDS), count)
    names = [f"{SERVICE_NOUNS[nouns[s]]}-{SERVICE_KINDS[kinds[s]]}-{s + 1}" for s in range(count)]
    valid_from = [cal.start - timedelta(days=int(age)) for age in rng.integers(60, 720, count)]
    team1 = team0.copy()
    transfer_day = np.full(count, NEVER, dtype=np.int64)
    if count >= 4 and teams.count >= 2 and cal.days >= 7:
        moved = rng.choice(count, size=max(1, round(0.03 * count)), replace=False)
        low, high = cal.days // 4, max(cal.days // 4 + 1, 3 * cal.days // 4)
        transfer_day[moved] = np.minimum(cal.next_weekday(rng.integers(low, high, len(moved))), cal.days - 1)
        current = team0[moved]
        size, start = teams.org_size[current], teams.org_start[current]
        same_org = start + (current - start + rng.integers(1, np.maximum(size, 2))) % np.maximum(size, 1)
        other = (current + rng.integers(1, teams.count, len(moved))) % teams.count
        team1[moved] = np.where(size > 1, same_org, other)
    return _Services(names, team0, team1, transfer_day, weight, valid_from)


# --------------------------------------------------------------------------------------------------
# Planted cases


@dataclass(frozen=True)
class _Plan:
    bot_person: int
    bot_tool: int
    bot_event_type: int
    bot_days: tuple[int, ...]
    padding_tool: int
    padding_day: int
    padding_people: np.ndarray
    stuffer: int
    spam_service: int
    spam_day: int
    zero_service: int
    zero_day: int
    redeploy_service: int
    redeploy_days: tuple[int, ...]

    @property
    def services(self) -> tuple[int, int, int]:
        return (self.spam_service, self.zero_service, self.redeploy_service)

    def blocked_service_days(self) -> list[tuple[int, int]]:
        """Service-days that carry only planted deploys."""
        return [(self.spam_day, self.spam_service), (self.zero_day, self.zero_service)] + [
            (day, self.redeploy_service) for day in self.redeploy_days
        ]


def _plan_cases(
    ref: _Reference, cal: _Calendar, people: _People, services: _Services, rng: np.random.Generator
) -> _Plan:
    stable = np.flatnonzero(people.is_engineer & (people.join_day < 0) & (people.leave_day >= NEVER))
    if len(stable) < 12:
        raise ValueError(
            "plant_cases needs at least 12 engineers on every roster snapshot, "
            f"the spec gives {len(stable)}: raise teams or engineers_per_team, or set plant_cases=False"
        )
    stable = rng.permutation(stable)
    value_types = [
        (tool, kind)
        for tool in range(len(ref.tools))
        for kind in range(len(ref.activity_types))
        if ref.allowed[tool, kind] and ref.is_value[kind]
    ]
    if not value_types:
        raise ValueError("plant_cases needs a value-deriving activity type in activity_types.csv")
    preferred = [pair for pair in value_types if ref.tools[pair[0]] == "claude_code"]
    bot_tool, bot_kind = (preferred or value_types)[0]
    licensed = [tool for tool in range(len(ref.tools)) if ref.requires_licence[tool] and tool != bot_tool] or [
        tool for tool in range(len(ref.tools)) if ref.requires_licence[tool]
    ]
    if not licensed:
        raise ValueError("plant_cases needs a tool with requires_licence = true in tools.csv")
    padding_tool = min(licensed, key=lambda tool: PRIMARY_SHARE.get(ref.tools[tool], 0.05))

    candidates = np.flatnonzero(services.transfer_day >= NEVER)
    if len(candidates) < 3:
        raise ValueError("plant_cases needs at least 3 services that never change owner: raise teams")
    first_of_team = candidates[np.r_[True, services.team0[candidates][1:] != services.team0[candidates][:-1]]]
    pool = first_of_team if len(first_of_team) >= 3 else candidates
    chosen = pool[[0, len(pool) // 3, 2 * len(pool) // 3]]
    if len(set(chosen.tolist())) < 3:
        chosen = pool[:3]

    padding_day = cal.weekday_near(0.45)
    if cal.weekday(padding_day) == 0 and padding_day + 1 < cal.days:
        padding_day += 1  # mid-week, away from the Monday snapshots
    return _Plan(
        bot_person=int(stable[0]),
        bot_tool=bot_tool,
        bot_event_type=bot_kind,
        bot_days=tuple(sorted({cal.weekday_near(f) for f in (0.3, 0.6, 0.85)})),
        padding_tool=padding_tool,
        padding_day=padding_day,
        padding_people=np.sort(stable[2 : 2 + min(PADDING_GRANTS, len(stable) - 2)]),
        stuffer=int(stable[1]),
        spam_service=int(chosen[0]),
        spam_day=cal.weekday_near(0.35),
        zero_service=int(chosen[1]),
        zero_day=cal.weekday_near(0.65),
        redeploy_service=int(chosen[2]),
        redeploy_days=tuple(sorted({cal.weekday_near(f) for f in (0.2, 0.5, 0.8)})),
    )


# --------------------------------------------------------------------------------------------------
# Adoption, grants and identities (people x tools)


@dataclass(frozen=True)
class _Adoption:
    primary: np.ndarray  # primary tool per person, -1 for none
    adopt_day: np.ndarray  # people x tools, NEVER when the tool is not used in the window
    first_use: np.ndarray  # the first weekday the pair is used (forced active)
    churn_day: np.ndarray
    shadow: np.ndarray  # used without a grant
    preference: np.ndarray  # probability of using the tool on an active day
    has_grant: np.ndarray
    grant_day: np.ndarray
    revoke_day: np.ndarray
    grant_kind: np.ndarray  # 0 used, 1 never used (honest idle seat), 2 planted padding
    p_active: np.ndarray  # per person, chance of an active weekday
    intensity: np.ndarray  # per person, event volume multiplier
    work_start: np.ndarray  # per person, seconds into the UTC day
    mixed_case: np.ndarray  # people x tools: the usage export writes the email in another case
    vendor_id: list[str]


def _vendor_ids(count: int, rng: np.random.Generator) -> list[str]:
    alphabet = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", dtype=np.uint8)
    chars = alphabet[rng.integers(0, 32, (count, 17))]
    return ["AIDA" + text.decode() for text in np.ascontiguousarray(chars).view("S17").ravel()]


def _build_adoption(
    ref: _Reference,
    cal: _Calendar,
    teams: _Teams,
    people: _People,
    plan: _Plan | None,
    rng: np.random.Generator,
) -> _Adoption:
    count, n_tools = people.count, len(ref.tools)
    everyone = np.arange(count)
    engineer = people.is_engineer
    join_snapshot = cal.snapshot_of(np.maximum(people.join_day, 0))
    team = people.team_at[everyone, join_snapshot]
    floor, cap, mid, width = teams.floor[team], teams.cap[team], teams.mid[team], teams.width[team]

    # Day of first adoption, from the team's logistic curve.
    u = rng.random(count)
    ratio = np.clip((u - floor) / np.maximum(cap - floor, 1e-9), 1e-9, 1 - 1e-9)
    inverted = np.ceil(mid - width * np.log(1 / ratio - 1))
    adopt_any = np.where(u <= floor, -rng.integers(20, 200, count), inverted)
    adopt_any = np.where(u >= cap, NEVER, adopt_any).astype(np.int64)
    joiner = people.join_day >= 0
    late = people.join_day + rng.integers(1, 10, count)
    adopt_any = np.where(joiner & (adopt_any < NEVER), np.maximum(adopt_any, late), adopt_any)

    cumulative = np.cumsum(teams.tool_mix[team], axis=1)
    primary = np.minimum((rng.random(count)[:, None] > cumulative).sum(axis=1), n_tools - 1)
    adopt = np.full((count, n_tools), NEVER, dtype=np.int64)
    adopt[everyone, primary] = adopt_any
    secondary_p = np.array([SECONDARY_PROBABILITY.get(t, DEFAULT_SECONDARY_PROBABILITY) for t in ref.tools])
    secondary = (
        (rng.random((count, n_tools)) < secondary_p)
        & (np.arange(n_tools)[None, :] != primary[:, None])
        & (adopt_any < NEVER)[:, None]
    )
    later = adopt_any[:, None] + np.ceil(rng.exponential(15.0, (count, n_tools))).astype(np.int64)
    adopt = np.where(secondary, later, adopt)

    # Managers and designers: an unlicensed chat tool at most.
    unlicensed = np.flatnonzero(~ref.requires_licence)
    chat = int(unlicensed[0]) if len(unlicensed) else -1
    adopt[~engineer] = NEVER
    primary = np.where(engineer, primary, chat)
    if chat >= 0:
        staff = np.flatnonzero(~engineer & (rng.random(count) < 0.5))
        adopt[staff, chat] = -60

    if plan is not None:
        adopt[plan.bot_person, plan.bot_tool] = -30
        adopt[plan.padding_people, plan.padding_tool] = NEVER

    # Each pair is used at least once in the window (so an honest grant is never "never used"): on the
    # adoption day, or for earlier adopters on a day of the window's first two weeks. No use possible in
    # the window (adopts too late, leaves first): no adoption.
    first_day = np.maximum(np.maximum(adopt, people.join_day[:, None]), 0)
    end = np.minimum(cal.days, people.leave_day)[:, None]
    room = np.clip(np.minimum(end - first_day, 10), 1, None)
    first_day = first_day + np.where(adopt < 0, np.floor(rng.random((count, n_tools)) * room), 0).astype(np.int64)
    first_use = cal.next_weekday(first_day)
    usable = (adopt < NEVER) & (first_use < end)
    adopt = np.where(usable, adopt, NEVER)
    first_use = np.where(usable, first_use, NEVER)

    licensed = np.broadcast_to(ref.requires_licence[None, :], (count, n_tools))
    protected = np.zeros((count, n_tools), dtype=bool)
    if plan is not None:
        protected[plan.bot_person, plan.bot_tool] = True
    churns = usable & (rng.random((count, n_tools)) < 0.06) & ~protected
    churn_day = np.where(churns, first_use + 7 + np.floor(rng.exponential(20.0, (count, n_tools))), NEVER)
    churn_day = churn_day.astype(np.int64)
    shadow = usable & licensed & (rng.random((count, n_tools)) < 0.06) & ~protected

    has_grant = usable & licensed & ~shadow
    grant_day = np.maximum(adopt - rng.integers(0, 11, (count, n_tools)), people.join_day[:, None])
    weekday = cal.weekday(grant_day)
    grant_day = grant_day + np.where(weekday == 5, -1, np.where(weekday == 6, 1, 0))  # to Friday or Monday
    grant_day = np.minimum(np.maximum(grant_day, people.join_day[:, None]), first_use)
    revoke_day = np.where(
        churns & (rng.random((count, n_tools)) < 0.5),
        churn_day + rng.integers(14, 36, (count, n_tools)),
        NEVER,
    )
    leaves = (people.leave_day < NEVER)[:, None] & (rng.random((count, n_tools)) < 0.8)
    revoke_day = np.where(leaves, np.minimum(revoke_day, people.leave_day[:, None]), revoke_day)
    grant_kind = np.zeros((count, n_tools), dtype=np.int64)

    # A few honest seats are never used; at most MAX_NEVER_USED_GRANTS_PER_TOOL_DAY per tool and day.
    reserved = np.zeros(count, dtype=bool)
    if plan is not None:
        reserved[[plan.bot_person, plan.stuffer, *plan.padding_people.tolist()]] = True
    initial_engineers = engineer & (people.join_day < 0)
    grant_days = np.array(
        [d for d in range(-90, cal.days) if cal.weekday(d) < 5 and (plan is None or d != plan.padding_day)]
    )
    for tool in np.flatnonzero(ref.requires_licence):
        candidates = np.flatnonzero(initial_engineers & (adopt[:, tool] >= NEVER) & ~shadow[:, tool] & ~reserved)
        wanted = min(len(candidates), max(1, round(0.02 * initial_engineers.sum())))
        slots = rng.permutation(np.repeat(grant_days, MAX_NEVER_USED_GRANTS_PER_TOOL_DAY))[:wanted]
        holders = rng.choice(candidates, size=len(slots), replace=False)
        keep = slots < people.leave_day[holders]
        holders, slots = holders[keep], slots[keep]
        has_grant[holders, tool] = True
        grant_day[holders, tool] = slots
        revoke_day[holders, tool] = np.where(people.leave_day[holders] < NEVER, people.leave_day[holders], NEVER)
        grant_kind[holders, tool] = 1

    if plan is not None:
        tool, day = plan.padding_tool, plan.padding_day
        honest = has_grant[:, tool] & (grant_day[:, tool] == day)
        before = np.where(day - 1 >= people.join_day, day - 1, day + 1)
        grant_day[honest, tool] = before[honest]
        has_grant[plan.padding_people, tool] = True
        grant_day[plan.padding_people, tool] = day
        revoke_day[plan.padding_people, tool] = NEVER
        grant_kind[plan.padding_people, tool] = 2

    preference = np.where(np.arange(n_tools)[None, :] == primary[:, None], 0.95, 0.4)
    email_tool = np.array([kind == "email" for kind in ref.identity_types])
    mixed_case = (rng.random((count, n_tools)) < 0.05) & email_tool[None, :]
    if plan is not None:
        mixed_case[plan.bot_person] = False
    eligible = (adopt < NEVER) & email_tool[None, :] & engineer[:, None]
    if plan is not None:
        eligible[plan.bot_person] = False
    if not (mixed_case & eligible).any() and eligible.any():  # always exercise case-insensitive matching
        person, tool = np.argwhere(eligible)[0]
        mixed_case[person, tool] = True
    return _Adoption(
        primary=primary,
        adopt_day=adopt,
        first_use=first_use,
        churn_day=churn_day,
        shadow=shadow,
        preference=preference,
        has_grant=has_grant,
        grant_day=grant_day,
        revoke_day=revoke_day,
        grant_kind=grant_kind,
        p_active=np.where(engineer, rng.beta(4, 2, count), rng.beta(2, 6, count)),
        intensity=rng.gamma(2.0, 0.5, count),
        work_start=rng.uniform(6.5 * 3600, 10 * 3600, count),
        mixed_case=mixed_case,
        vendor_id=_vendor_ids(count, rng),
    )


@dataclass(frozen=True)
class _Contractors:
    tool: np.ndarray
    identity: list[str]  # usage identity, per the tool's identity type
    email: list[str]  # what a deploy they trigger names
    start_day: np.ndarray
    work_start: np.ndarray

    @property
    def count(self) -> int:
        return len(self.tool)


def _build_contractors(ref: _Reference, cal: _Calendar, people: _People, rng: np.random.Generator) -> _Contractors:
    count = max(2, round(0.012 * int((people.is_engineer & (people.join_day < 0)).sum())))
    share = np.array([PRIMARY_SHARE.get(tool, 0.05) for tool in ref.tools])
    tool = _categorical(rng, share, count)
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(LAST_NAMES), count)
    vendor = _vendor_ids(count, rng)
    email, identity = [], []
    for c in range(count):
        email.append(f"{FIRST_NAMES[first[c]]}.{LAST_NAMES[last[c]]}@contractor.example.net")
        kind = ref.identity_types[tool[c]]
        if kind == "login":
            identity.append(f"ext-{FIRST_NAMES[first[c]]}{LAST_NAMES[last[c]]}-{c + 1}")
        elif kind == "vendor_id":
            identity.append(vendor[c])
        else:
            identity.append(email[-1])
    start_day = np.where(rng.random(count) < 0.5, 0, rng.integers(0, cal.days, count))
    return _Contractors(tool, identity, email, start_day, rng.uniform(7 * 3600, 11 * 3600, count))


@dataclass(frozen=True)
class _Identities:
    """Every usage identity string, indexed: people (4 forms) then contractors."""

    table: pa.Array
    index: np.ndarray  # people x tools -> usage identity index
    count_people: int

    def contractor(self, c: np.ndarray) -> np.ndarray:
        return 4 * self.count_people + c


def _build_identities(ref: _Reference, people: _People, adoption: _Adoption, contractors: _Contractors) -> _Identities:
    count = people.count
    strings = people.email + people.email_mixed_case + people.login + adoption.vendor_id + contractors.identity
    index = np.zeros((count, len(ref.tools)), dtype=np.int64)
    persons = np.arange(count)
    for tool, kind in enumerate(ref.identity_types):
        if kind == "login":
            index[:, tool] = 2 * count + persons
        elif kind == "vendor_id":
            index[:, tool] = 3 * count + persons
        else:
            index[:, tool] = np.where(adoption.mixed_case[:, tool], count + persons, persons)
    return _Identities(pa.array(strings, pa.string()), index, count)


def _grant_identity(ref: _Reference, people: _People, adoption: _Adoption, person: int, tool: int) -> str:
    kind = ref.identity_types[tool]
    if kind == "login":
        return people.login[person]
    if kind == "vendor_id":
        return adoption.vendor_id[person]
    return people.email[person]


# --------------------------------------------------------------------------------------------------
# NDJSON writing


def _json_lines(fields: Sequence[tuple[str, pa.Array, bool]]) -> pa.Array:
    """One JSON object per row, keys in the given order; a null value leaves its key out."""
    parts: list[pa.Array | str] = []
    for position, (key, values, quoted) in enumerate(fields):
        lead = ("{" if position == 0 else ",") + json.dumps(key) + ":" + ('"' if quoted else "")
        fragment = pc.binary_join_element_wise(lead, values, '"' if quoted else "", "")
        if values.null_count:
            fragment = pc.fill_null(fragment, "{" if position == 0 else "")
        parts.append(fragment)
    parts.append("}\n")
    return pc.binary_join_element_wise(*parts, "")


def _write_lines(handle: BinaryIO, lines: pa.Array) -> None:
    """Write a string array of newline-terminated lines without a Python loop per line."""
    if len(lines) == 0:
        return
    lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    handle.write(memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])])


def _strings(values: np.ndarray, absent: np.ndarray | None = None) -> pa.Array:
    array = pa.array(values, mask=absent)
    return pc.cast(array, pa.string())


# --------------------------------------------------------------------------------------------------
# Deployments


@dataclass
class _DeployRows:
    rid: np.ndarray  # row id (references point here)
    service: np.ndarray
    environment: np.ndarray
    sha: np.ndarray
    status: np.ndarray
    at: np.ndarray  # seconds since the start of day 0
    trigger: np.ndarray  # index into the trigger table
    lines: np.ndarray  # -1 when absent
    rollback_of: np.ndarray  # rid or -1
    duplicate_of: np.ndarray  # rid of the first deploy of the same (service, environment, sha), or -1
    kind: np.ndarray

    @staticmethod
    def concat(parts: Iterable["_DeployRows"]) -> "_DeployRows":
        parts = list(parts)
        return _DeployRows(
            **{name: np.concatenate([getattr(p, name) for p in parts]) for name in _DeployRows.__dataclass_fields__}
        )

    def take(self, index: np.ndarray) -> "_DeployRows":
        return _DeployRows(**{name: getattr(self, name)[index] for name in _DeployRows.__dataclass_fields__})

    def __len__(self) -> int:
        return len(self.rid)


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def take(self, count: int) -> np.ndarray:
        values = np.arange(self.value, self.value + count, dtype=np.int64)
        self.value += count
        return values


def _rows(
    counter: _Counter,
    shas: _Counter | None,
    *,
    service: np.ndarray,
    at: np.ndarray,
    trigger: np.ndarray,
    lines: np.ndarray,
    status: np.ndarray | int = SUCCESS,
    environment: np.ndarray | int = PRODUCTION,
    sha: np.ndarray | None = None,
    rollback_of: np.ndarray | int = -1,
    duplicate_of: np.ndarray | int = -1,
    kind: int = ORIGINAL,
) -> _DeployRows:
    n = len(service)

    def full(value: np.ndarray | int) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()

    return _DeployRows(
        rid=counter.take(n),
        service=full(service),
        environment=full(environment),
        sha=full(sha if sha is not None else shas.take(n)),
        status=full(status),
        at=full(at),
        trigger=full(trigger),
        lines=full(lines),
        rollback_of=full(rollback_of),
        duplicate_of=full(duplicate_of),
        kind=full(kind),
    )


@dataclass(frozen=True)
class _Deployments:
    rows: _DeployRows  # sorted by time
    deployment_id: np.ndarray  # per row (object strings)
    id_by_rid: np.ndarray
    sha_hex: np.ndarray
    triggers: list[str]


def _headcount(people: _People, teams: _Teams) -> np.ndarray:
    """Engineers per team, snapshots x teams."""
    return np.stack(
        [np.bincount(column[(column >= 0) & people.is_engineer], minlength=teams.count) for column in people.team_at.T]
    )


def _members(people: _People, teams: _Teams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Engineers by (snapshot, team): flat person array, start and size per snapshot x team."""
    flats, starts, sizes, offset = [], [], [], 0
    for column in people.team_at.T:
        engineers = np.flatnonzero((column >= 0) & people.is_engineer)
        ordered = engineers[np.argsort(column[engineers], kind="stable")]
        size = np.bincount(column[ordered], minlength=teams.count)
        flats.append(ordered)
        starts.append(offset + np.cumsum(size) - size)
        sizes.append(size)
        offset += len(ordered)
    return np.concatenate(flats), np.stack(starts), np.stack(sizes)


def _pick_triggers(
    rng: np.random.Generator,
    cal: _Calendar,
    people: _People,
    contractors: _Contractors,
    members: tuple[np.ndarray, np.ndarray, np.ndarray],
    day: np.ndarray,
    team: np.ndarray,
) -> np.ndarray:
    """Who triggered each deploy: an engineer of the owning team (email or login), a bot or a contractor."""
    flat, start, size = members
    snapshot = cal.snapshot_of(day)
    n = len(day)
    team_size = size[snapshot, team]
    offset = np.floor(rng.random(n) * team_size).astype(np.int64)
    member = flat[np.minimum(start[snapshot, team] + offset, len(flat) - 1)]
    roll = rng.random(n)
    person = np.where(rng.random(n) < 0.65, member, people.count + member)
    bot = 2 * people.count + rng.integers(0, len(DEPLOY_BOTS), n)
    contractor = 2 * people.count + len(DEPLOY_BOTS) + rng.integers(0, contractors.count, n)
    return np.where((roll < 0.12) | (team_size == 0), bot, np.where(roll < 0.135, contractor, person))


def _original_deploys(
    cal: _Calendar,
    teams: _Teams,
    people: _People,
    services: _Services,
    contractors: _Contractors,
    plan: _Plan | None,
    counter: _Counter,
    shas: _Counter,
    members: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> tuple[_DeployRows, _DeployRows]:
    """Honest changes: a staging deploy, then (if staging passed) a production deploy."""
    days = np.arange(cal.days)
    owner = services.owner(days)
    headcount = _headcount(people, teams)[cal.snapshot_of(days)[:, None], owner]
    weekday = cal.weekday(days)
    factor = np.where(weekday >= 5, 0.05, np.where(weekday == 4, 0.8, 1.0))[:, None]
    adoption = np.take_along_axis(teams.curve(days), owner, axis=1)
    rate = teams.base_rate[owner] * headcount * factor * (1 + teams.uplift[owner] * adoption)
    rate = rate * services.weight[None, :]
    rate[days[:, None] == services.transfer_day[None, :]] = 0  # no deploy on a handover day
    if plan is not None:
        for day, service in plan.blocked_service_days():
            rate[day, service] = 0
    per_cell = np.minimum(rng.poisson(rate), MAX_ORIGINAL_DEPLOYS_PER_SERVICE_DAY).ravel()
    cell = np.repeat(np.arange(per_cell.size), per_cell)
    day, service = np.divmod(cell, services.count)
    rank = _ranks(per_cell[per_cell > 0])
    n = len(day)

    at = day * DAY_SECONDS + rng.integers(7 * 3600, 20 * 3600, n)
    lines = np.maximum(1, np.round(rng.lognormal(4.0, 1.3, n))).astype(np.int64)
    lines = np.where((rank == 0) & (rng.random(n) < 0.015), 0, lines)  # at most one zero-line per service-day
    lines = np.where(rng.random(n) < 0.07, -1, lines)
    trigger = _pick_triggers(rng, cal, people, contractors, members, day, owner[day, service])
    sha = shas.take(n)
    staging_status = _categorical(rng, [0.96, 0.03, 0.01], n)
    staging = _rows(
        counter,
        None,
        service=service,
        at=at - rng.integers(600, 5400, n),
        trigger=trigger,
        lines=lines,
        status=staging_status,
        environment=STAGING,
        sha=sha,
    )
    shipped = staging_status == SUCCESS
    production = _rows(
        counter,
        None,
        service=service[shipped],
        at=at[shipped],
        trigger=trigger[shipped],
        lines=lines[shipped],
        status=_categorical(rng, [0.905, 0.04, 0.02, 0.035], int(shipped.sum())),
        sha=sha[shipped],
    )
    return staging, production


def _planted_deploys(
    cal: _Calendar,
    people: _People,
    services: _Services,
    plan: _Plan,
    counter: _Counter,
    shas: _Counter,
    members: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> _DeployRows:
    flat, start, size = members

    def a_login(day: int, service: int) -> int:
        team = services.owner(np.array([day]))[0, service]
        snapshot = int(cal.snapshot_of(day))
        if size[snapshot, team] == 0:
            return 2 * people.count  # deploy-bot
        return people.count + int(flat[start[snapshot, team]])

    spam_at = plan.spam_day * DAY_SECONDS + 9 * 3600 + np.sort(rng.choice(7 * 3600, SPAM_DEPLOYS, replace=False))
    spam = _rows(
        counter,
        shas,
        service=np.full(SPAM_DEPLOYS, plan.spam_service),
        at=spam_at,
        trigger=np.full(SPAM_DEPLOYS, a_login(plan.spam_day, plan.spam_service)),
        lines=rng.integers(1, 40, SPAM_DEPLOYS),
        kind=SPAM,
    )
    zero_at = plan.zero_day * DAY_SECONDS + 10 * 3600 + np.arange(ZERO_LINE_DEPLOYS) * 1800
    zero = _rows(
        counter,
        shas,
        service=np.full(ZERO_LINE_DEPLOYS, plan.zero_service),
        at=zero_at + rng.integers(0, 600, ZERO_LINE_DEPLOYS),
        trigger=np.full(ZERO_LINE_DEPLOYS, a_login(plan.zero_day, plan.zero_service)),
        lines=np.zeros(ZERO_LINE_DEPLOYS, dtype=np.int64),
        kind=ZERO_LINES,
    )
    days = np.array(plan.redeploy_days, dtype=np.int64)
    n = len(days)
    first_at = days * DAY_SECONDS + 11 * 3600 + rng.integers(0, 3600, n)
    trigger = np.array([a_login(int(day), plan.redeploy_service) for day in days], dtype=np.int64)
    lines = rng.integers(5, 400, n)
    first = _rows(
        counter,
        shas,
        service=np.full(n, plan.redeploy_service),
        at=first_at,
        trigger=trigger,
        lines=lines,
        kind=PLANTED_FIRST,
    )
    again = _rows(
        counter,
        None,
        service=first.service,
        at=first_at + rng.integers(15 * 60, 40 * 60, n),
        trigger=trigger,
        lines=lines,
        sha=first.sha,
        duplicate_of=first.rid,
        kind=PLANTED_REDEPLOY,
    )
    return _DeployRows.concat([spam, zero, first, again])


def _follow_ups(
    cal: _Calendar,
    production: _DeployRows,
    planted: np.ndarray,
    counter: _Counter,
    shas: _Counter,
    rng: np.random.Generator,
) -> tuple[_DeployRows, np.ndarray]:
    """Revert commits, retries after a failure and rollbacks to the previous sha, none on planted services.

    Returns the new rows and, for rollbacks to the previous sha, a 2 x n array (reverted rid, rollback rid).
    """
    end = cal.days * DAY_SECONDS
    n = len(production)
    original = (production.kind == ORIGINAL) & ~planted[production.service]

    # Rolled back by the deploy tool itself (at least one, so every revert rule is exercised).
    if not (original & (production.status == ROLLED_BACK)).any():
        production.status[_at_least_one(np.zeros(n, dtype=bool), original & (production.status == SUCCESS))] = (
            ROLLED_BACK
        )

    # Revert commits: a new sha, deployed within 24h with rollback_of naming the reverted deploy.
    revert_at = production.at + rng.integers(1800, 72_000, n)
    candidates = original & (production.status == SUCCESS) & (revert_at < end)
    target = _at_least_one(candidates & (rng.random(n) < 0.015), candidates)
    reverts = _rows(
        counter,
        shas,
        service=production.service[target],
        at=revert_at[target],
        trigger=production.trigger[target],
        lines=rng.integers(1, 200, int(target.sum())),
        rollback_of=production.rid[target],
        kind=REVERT_COMMIT,
    )

    timeline = _DeployRows.concat([production, reverts])
    timeline = timeline.take(np.lexsort((timeline.rid, timeline.at, timeline.service)))
    same_next = np.r_[timeline.service[1:] == timeline.service[:-1], False]
    same_prev = np.r_[False, timeline.service[1:] == timeline.service[:-1]]
    gap_next = np.where(same_next, np.r_[timeline.at[1:] - timeline.at[:-1], 0], 10 * DAY_SECONDS)
    gap_prev = np.where(same_prev, np.r_[0, timeline.at[1:] - timeline.at[:-1]], 0)
    prev_status = np.r_[-1, timeline.status[:-1]]
    n = len(timeline)
    reverted = np.isin(timeline.rid, reverts.rollback_of)
    eligible = (timeline.kind == ORIGINAL) & ~planted[timeline.service]

    # Retries: a failed deploy re-run on the same sha minutes later, before the service's next deploy.
    retry_at = timeline.at + rng.integers(300, 1800, n)
    candidates = eligible & np.isin(timeline.status, (FAILURE, ERROR)) & (gap_next >= 3600) & (retry_at < end)
    failed = _at_least_one(candidates & (rng.random(n) < 0.4), candidates)
    retries = _rows(
        counter,
        None,
        service=timeline.service[failed],
        at=retry_at[failed],
        trigger=timeline.trigger[failed],
        lines=timeline.lines[failed],
        sha=timeline.sha[failed],
        kind=RETRY,
    )

    # Rollbacks to the previous sha: the previous deploy (a success) redeployed before the next deploy.
    high = np.maximum(np.minimum(5400, gap_next // 2), 601)
    back_at = timeline.at + rng.integers(600, high)
    candidates = eligible & (timeline.status == SUCCESS) & ~reverted & same_prev & (prev_status == SUCCESS)
    candidates &= (gap_prev > 0) & (gap_next >= 1300) & (back_at < end)
    picked = candidates & (rng.random(n) < 0.02)
    picked &= ~np.r_[False, picked[:-1]]  # never two in a row: the inserted deploy changes the next one's previous
    index = np.flatnonzero(_at_least_one(picked, candidates))
    with_reference = rng.random(len(index)) < 0.5
    rollbacks = _rows(
        counter,
        None,
        service=timeline.service[index],
        at=back_at[index],
        trigger=timeline.trigger[index],
        lines=timeline.lines[index - 1],
        sha=timeline.sha[index - 1],
        rollback_of=np.where(with_reference, timeline.rid[index], -1),
        duplicate_of=timeline.rid[index - 1],
        kind=PREVIOUS_SHA,
    )
    return _DeployRows.concat([reverts, retries, rollbacks]), np.stack([timeline.rid[index], rollbacks.rid])


def _at_least_one(mask: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """`mask`, or the first candidate when `mask` is empty (small demos still show every case)."""
    if not mask.any() and candidates.any():
        mask = mask.copy()
        mask[np.argmax(candidates)] = True
    return mask


def _sha_hex(count: int, rng: np.random.Generator) -> np.ndarray:
    table = np.frombuffer(b"".join(f"{value:02x}".encode() for value in range(256)), dtype=np.uint8)
    table = table.reshape(256, 2)
    raw = rng.integers(0, 256, (count, 20), dtype=np.uint8)
    return np.ascontiguousarray(table[raw].reshape(count, 40)).view("S40").ravel().astype(str)


def _build_deployments(
    cal: _Calendar,
    teams: _Teams,
    people: _People,
    services: _Services,
    contractors: _Contractors,
    plan: _Plan | None,
    rng: np.random.Generator,
) -> tuple[_Deployments, np.ndarray]:
    counter, shas = _Counter(), _Counter()
    members = _members(people, teams)
    staging, production = _original_deploys(
        cal, teams, people, services, contractors, plan, counter, shas, members, rng
    )
    planted = np.zeros(services.count, dtype=bool)
    parts = [staging, production]
    if plan is not None:
        planted[list(plan.services)] = True
        parts.append(_planted_deploys(cal, people, services, plan, counter, shas, members, rng))
    follow_ups, previous_sha_targets = _follow_ups(cal, production, planted, counter, shas, rng)
    parts.append(follow_ups)
    rows = _DeployRows.concat(parts)
    rows = rows.take(np.lexsort((rows.rid, rows.at)))

    day = rows.at // DAY_SECONDS
    per_day = np.bincount(day, minlength=cal.days)
    prefix = pa.array([f"dep-{cal.date(d):%Y%m%d}-" for d in range(cal.days)])
    number = pc.utf8_lpad(pc.cast(pa.array(_ranks(per_day) + 1), pa.string()), 5, "0")
    deployment_id = np.asarray(
        pc.binary_join_element_wise(prefix.take(pa.array(day)), number, "").to_numpy(zero_copy_only=False)
    )
    id_by_rid = np.empty(counter.value, dtype=object)
    id_by_rid[rows.rid] = deployment_id
    triggers = people.email + people.login + list(DEPLOY_BOTS) + contractors.email
    deployments = _Deployments(rows, deployment_id, id_by_rid, _sha_hex(shas.value, rng), triggers)
    return deployments, previous_sha_targets


def _write_deployments(landing: Path, world: "_World", deployments: _Deployments) -> None:
    cal, rows = world.cal, deployments.rows
    folder = landing / "deployments"
    folder.mkdir(parents=True, exist_ok=True)
    rollback = rows.rollback_of >= 0
    rollback_ids = np.where(rollback, deployments.id_by_rid[np.maximum(rows.rollback_of, 0)], None)
    lines = _json_lines(
        [
            ("deployment_id", pa.array(deployments.deployment_id, pa.string()), True),
            ("service", pa.array(world.services.name).take(pa.array(rows.service)), True),
            ("environment", pa.array(ENVIRONMENTS).take(pa.array(rows.environment)), True),
            ("commit_sha", pa.array(deployments.sha_hex).take(pa.array(rows.sha)), True),
            ("status", pa.array(STATUSES).take(pa.array(rows.status)), True),
            ("deployed_at", pa.array(cal.timestamps(rows.at)), True),
            ("triggered_by", pa.array(deployments.triggers).take(pa.array(rows.trigger)), True),
            ("lines_changed", _strings(rows.lines, rows.lines < 0), False),
            ("rollback_of", pa.array(rollback_ids, pa.string()), True),
        ]
    )
    bounds = np.searchsorted(rows.at // DAY_SECONDS, np.arange(cal.days + 1))
    for day in range(cal.days):
        with (folder / f"{cal.iso(day)}.ndjson").open("wb") as handle:
            _write_lines(handle, lines.slice(bounds[day], bounds[day + 1] - bounds[day]))


# --------------------------------------------------------------------------------------------------
# Usage events


class _EventSampler:
    """Draws event types per tool from EVENT_WEIGHT, restricted to the tool's allowed activity types."""

    def __init__(self, ref: _Reference) -> None:
        weights = (
            np.array([[EVENT_WEIGHT.get(kind, 0.1) for kind in ref.activity_types] for _ in ref.tools]) * ref.allowed
        )
        cdf = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        cdf[:, -1] = 1.0
        self.width = len(ref.activity_types)
        self.flat = (cdf + np.arange(len(ref.tools))[:, None]).ravel()
        self.allowed = ref.allowed
        self.interaction = ref.interaction

    def sample(self, tool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        index = np.searchsorted(self.flat, tool + rng.random(len(tool)), side="right")
        kind = np.clip(index - tool * self.width, 0, self.width - 1)
        return np.where(self.allowed[tool, kind], kind, self.interaction)


@dataclass(frozen=True)
class _DayEvents:
    identity: np.ndarray
    tool: np.ndarray
    event_type: np.ndarray
    second: np.ndarray  # seconds into the UTC day
    quantity: np.ndarray  # 0 when absent
    unattributed_events: int
    value_events: int
    bot_value_events: int
    contractors_seen: np.ndarray
    staff_seen: np.ndarray  # managers and designers with events


@dataclass(frozen=True)
class _World:
    spec: DemoSpec
    ref: _Reference
    cal: _Calendar
    teams: _Teams
    people: _People
    services: _Services
    plan: _Plan | None
    adoption: _Adoption
    contractors: _Contractors
    identities: _Identities


def _usage_day(world: _World, day: int, sampler: _EventSampler, rng: np.random.Generator) -> _DayEvents:
    spec, ref, cal, people, adoption = world.spec, world.ref, world.cal, world.people, world.adoption
    count, n_tools = people.count, len(ref.tools)
    present = people.team_at[:, int(cal.snapshot_of(day))] >= 0
    access = adoption.has_grant & (adoption.grant_day <= day) & (day < adoption.revoke_day)
    can = (
        present[:, None]
        & (adoption.adopt_day <= day)
        & (day < adoption.churn_day)
        & (~ref.requires_licence[None, :] | access | adoption.shadow)
    )
    forced = can & (adoption.first_use == day)
    weekday = int(cal.weekday(day))
    factor = 0.12 if weekday >= 5 else (0.9 if weekday == 4 else 1.0)
    active = (can.any(axis=1) & (rng.random(count) < adoption.p_active * factor)) | forced.any(axis=1)
    chosen = (can & active[:, None] & (rng.random((count, n_tools)) < adoption.preference)) | forced
    missing = np.flatnonzero(active & ~chosen.any(axis=1))
    if len(missing):
        best = np.argmax(np.where(can[missing], adoption.preference[missing], -1.0), axis=1)
        chosen[missing, best] = True
    # A tool in use shows up every day, weekends included: a silent tool is a broken feed (a gate).
    engineers = people.is_engineer[:, None]
    for silent in np.flatnonzero((can & engineers).any(axis=0) & ~(chosen & engineers).any(axis=0)):
        chosen[rng.choice(np.flatnonzero(can[:, silent] & people.is_engineer)), silent] = True

    person, tool = np.nonzero(chosen)
    engineer = people.is_engineer[person]
    per_person = np.bincount(person, minlength=count)[person]
    mean = np.maximum(spec.events_per_engineer_day * adoption.intensity[person] / per_person - 1, 0)
    events = 1 + rng.poisson(np.where(engineer, mean, 2.0))
    engineer_events = int(events[engineer].sum())

    # Managers and designers are on the roster but count in no metric: keep their share small.
    staff = np.flatnonzero(~engineer)
    staff = staff[rng.permutation(len(staff))]
    keep = engineer.copy()
    keep[staff[np.cumsum(events[staff]) <= int(UNATTRIBUTED_NON_ENGINEER_SHARE * engineer_events)]] = True
    person, tool, events = person[keep], tool[keep], events[keep]
    staff_seen = np.unique(person[~people.is_engineer[person]])
    identity = world.identities.index[person, tool]
    start = adoption.work_start[person] + rng.normal(0, 1800, len(person))
    span = rng.uniform(4 * 3600, 9 * 3600, len(person))

    # Contractors: identities not on the roster, at most UNATTRIBUTED_CONTRACTOR_SHARE of engineer events.
    contractors = world.contractors
    chance = 0.1 if weekday >= 5 else 0.7
    on = (contractors.start_day <= day) & (rng.random(contractors.count) < chance)
    budget = int(UNATTRIBUTED_CONTRACTOR_SHARE * engineer_events * rng.uniform(0.4, 1.0))
    budget = max(budget, 1) if engineer_events >= 40 else budget  # 1 event in 41 is still under 2.5%
    seen = rng.permutation(np.flatnonzero(on))[:budget]
    attributed = people.is_engineer[person]
    if len(seen):
        extra = rng.multinomial(budget - len(seen), np.full(len(seen), 1 / len(seen)))
        identity = np.concatenate([identity, world.identities.contractor(seen)])
        tool = np.concatenate([tool, contractors.tool[seen]])
        events = np.concatenate([events, 1 + extra])
        start = np.concatenate([start, contractors.work_start[seen] + rng.normal(0, 1800, len(seen))])
        span = np.concatenate([span, rng.uniform(3 * 3600, 8 * 3600, len(seen))])
        attributed = np.concatenate([attributed, np.zeros(len(seen), dtype=bool)])
    start = np.clip(start, 5 * 3600, 15 * 3600)
    span = np.minimum(span, 23.5 * 3600 - start)

    # Events: the first of each identity-tool-day is an interaction; times stratified over the window,
    # so an honest identity never gets near bot_max_value_events_per_minute.
    total = int(events.sum())
    group = np.repeat(np.arange(len(events)), events)
    rank = _ranks(events)
    kind = sampler.sample(tool[group], rng)
    kind[rank == 0] = ref.interaction
    second = (start[group] + (rank + rng.random(total)) / events[group] * span[group]).astype(np.int64)
    # Quantities > 1 only on engineers' events, so unattributed activity stays under its event share.
    batched = (kind != ref.interaction) & attributed[group] & (rng.random(total) < 0.1)
    quantity = np.where(batched, rng.integers(2, 7, total), 0)
    identity, tool = identity[group], tool[group]

    plan = world.plan
    bot_identity = -1
    if plan is not None:
        bot_identity = int(world.identities.index[plan.bot_person, plan.bot_tool])
        if day in plan.bot_days:
            # A script at night: one prompt, then a minute of accepted edits.
            minute = 2 * 60 + 17 + day % 30
            size = BOT_EVENTS_PER_BURST + 1
            burst = np.r_[minute * 60 - 20, minute * 60 + np.sort(rng.integers(0, 60, BOT_EVENTS_PER_BURST))]
            identity = np.concatenate([identity, np.full(size, bot_identity)])
            tool = np.concatenate([tool, np.full(size, plan.bot_tool)])
            kind = np.concatenate([kind, [ref.interaction], np.full(BOT_EVENTS_PER_BURST, plan.bot_event_type)])
            second = np.concatenate([second, burst])
            quantity = np.concatenate([quantity, np.zeros(size, dtype=np.int64)])

    order = np.argsort(second, kind="stable")
    value = ref.is_value[kind]
    return _DayEvents(
        identity=identity[order],
        tool=tool[order],
        event_type=kind[order],
        second=second[order],
        quantity=quantity[order],
        unattributed_events=total - engineer_events,
        value_events=int(value.sum()),
        bot_value_events=int((value & (identity == bot_identity)).sum()),
        contractors_seen=seen,
        staff_seen=staff_seen,
    )


USAGE_CHUNK = 1_000_000


def _write_usage(path: Path, world: _World, day: int, events: _DayEvents) -> None:
    cal = world.cal
    clock = pa.array(cal.timestamps(day * DAY_SECONDS + np.arange(DAY_SECONDS)))
    tools = pa.array(world.ref.tools)
    kinds = pa.array(world.ref.activity_types)
    prefix = f"evt-{cal.date(day):%Y%m%d}-"
    with path.open("wb") as handle:
        for low in range(0, len(events.second), USAGE_CHUNK):
            part = slice(low, min(len(events.second), low + USAGE_CHUNK))
            number = pa.array(np.arange(part.start + 1, part.stop + 1))
            quantity = events.quantity[part]
            lines = _json_lines(
                [
                    (
                        "event_id",
                        pc.binary_join_element_wise(prefix, pc.utf8_lpad(pc.cast(number, pa.string()), 8, "0"), ""),
                        True,
                    ),
                    ("occurred_at", clock.take(pa.array(events.second[part])), True),
                    ("identity", world.identities.table.take(pa.array(events.identity[part])), True),
                    ("tool", tools.take(pa.array(events.tool[part])), True),
                    ("event_type", kinds.take(pa.array(events.event_type[part])), True),
                    ("quantity", _strings(quantity, quantity == 0), False),
                ]
            )
            _write_lines(handle, lines)


# --------------------------------------------------------------------------------------------------
# Small entities: roster, teams, services, identities, grants


def _write_csv(path: Path, header: Sequence[str], rows: list[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _write_rosters(landing: Path, world: _World) -> int:
    cal, teams, people = world.cal, world.teams, world.people
    written = 0
    for snapshot in range(cal.snapshot_count):
        column = people.team_at[:, snapshot]
        persons = np.flatnonzero(column >= 0)
        managers = persons[people.role[persons] == MANAGER][::-1]
        lead = np.full(teams.count, -1)
        lead[column[managers]] = managers  # the lowest-numbered manager leads the team
        rows = []
        for person in persons.tolist():
            team = int(column[person])
            boss = int(lead[team]) if people.role[person] != MANAGER else int(lead[teams.org_start[team]])
            rows.append(
                (
                    people.engineer_id[person],
                    people.email[person],
                    people.login[person],
                    people.full_name[person],
                    teams.team_id[team],
                    people.email[boss] if boss >= 0 and boss != person else "",
                    ROLES[people.role[person]],
                    "true" if people.role[person] == ENGINEER else "false",
                )
            )
        written += _write_csv(landing / "roster" / f"roster_{cal.iso(7 * snapshot)}.csv", ROSTER_COLUMNS, rows)
    return written


def _write_structure(landing: Path, world: _World) -> dict[str, int]:
    teams, services, people, adoption, ref = (
        world.teams,
        world.services,
        world.people,
        world.adoption,
        world.ref,
    )
    team_rows = [
        (
            teams.team_id[t],
            teams.name[t],
            teams.org_names[teams.org[t]],
            teams.parent_names[teams.parent_of_org[teams.org[t]]],
            int(teams.target[t]),
        )
        for t in range(teams.count)
    ]
    service_rows = []
    for s in range(services.count):
        moved = services.transfer_day[s] < NEVER
        handover = world.cal.iso(int(services.transfer_day[s])) if moved else ""
        first_team = teams.team_id[services.team0[s]]
        service_rows.append((services.name[s], first_team, services.valid_from[s].isoformat(), handover))
        if moved:
            service_rows.append((services.name[s], teams.team_id[services.team1[s]], handover, ""))
    vendor_tools = [t for t, kind in enumerate(ref.identity_types) if kind == "vendor_id"]
    involved = (adoption.adopt_day[:, vendor_tools] < NEVER) | adoption.has_grant[:, vendor_tools]
    identity_rows = [
        (adoption.vendor_id[p], "vendor_id", people.engineer_id[p]) for p in np.flatnonzero(involved.any(axis=1))
    ]
    return {
        "teams": _write_csv(landing / "teams" / "teams.csv", TEAMS_COLUMNS, team_rows),
        "services": _write_csv(landing / "services" / "services.csv", SERVICES_COLUMNS, service_rows),
        "identities": _write_csv(landing / "identities" / "identities.csv", IDENTITIES_COLUMNS, identity_rows),
        "roster_rows": _write_rosters(landing, world),
    }


def _write_grants(landing: Path, world: _World, rng: np.random.Generator) -> int:
    cal, ref, people, adoption = world.cal, world.ref, world.people, world.adoption
    person, tool = np.nonzero(adoption.has_grant)
    granted = adoption.grant_day[person, tool] * DAY_SECONDS + rng.integers(8 * 3600, 18 * 3600, len(person))
    revoke = adoption.revoke_day[person, tool]
    revoked = revoke * DAY_SECONDS + rng.integers(9 * 3600, 17 * 3600, len(person))
    granted_text = cal.timestamps(granted)
    revoked_text = np.where(revoke < cal.days, cal.timestamps(np.where(revoke < cal.days, revoked, 0)), "")
    rows = [
        (
            _grant_identity(ref, people, adoption, int(p), int(t)),
            ref.tools[t],
            granted_text[i],
            revoked_text[i],
            PLAN.get(ref.tools[t], "standard"),
            ref.monthly_cost[t],
        )
        for i, (p, t) in enumerate(zip(person.tolist(), tool.tolist(), strict=True))
    ]
    rows.sort(key=lambda row: (row[2], row[1], row[0]))
    return _write_csv(landing / "licences" / "grants.csv", GRANTS_COLUMNS, rows)


# --------------------------------------------------------------------------------------------------
# Surveys


@dataclass(frozen=True)
class _Survey:
    survey_id: str
    day: int
    rows: list[tuple[str, str, str, str, int, str]]


def _build_surveys(world: _World, rng: np.random.Generator) -> tuple[list[_Survey], dict | None]:
    cal, ref, people, adoption, plan = world.cal, world.ref, world.people, world.adoption, world.plan
    wave_days = list(range(min(9, cal.days // 2), cal.days, 28))
    stuffing_wave = len(wave_days) // 2
    surveys, stuffing, used = [], None, set()
    means = np.array([NPS_MEAN.get(tool, 7.0) for tool in ref.tools])
    fallback = ref.tools.index("internal_chat") if "internal_chat" in ref.tools else 0
    for wave, day in enumerate(wave_days):
        survey_id = f"nps-{cal.date(day):%Y-%m}"
        survey_id = survey_id if survey_id not in used else f"{survey_id}-{wave + 1}"
        used.add(survey_id)
        present = np.flatnonzero(people.team_at[:, int(cal.snapshot_of(day))] >= 0)
        respondents = present[rng.random(len(present)) < 0.35]
        if plan is not None and wave == stuffing_wave:
            respondents = respondents[respondents != plan.stuffer]
        adopted = adoption.adopt_day[respondents] <= day
        primary = adoption.primary[respondents]
        uses_primary = (primary >= 0) & adopted[np.arange(len(respondents)), np.maximum(primary, 0)]
        any_tool = np.argmax(adopted, axis=1)
        tool = np.where(uses_primary, primary, np.where(adopted.any(axis=1), any_tool, fallback))
        score = np.clip(np.round(rng.normal(means[tool], 1.8)), 0, 10).astype(int)
        anonymous = rng.random(len(respondents)) < 0.15
        anonymous[: int(len(respondents) > 1 and not anonymous.any())] = True  # always some anonymous
        window = min(5, cal.days - day)
        submitted = day * DAY_SECONDS + rng.integers(0, window * DAY_SECONDS, len(respondents))
        entries = [
            ("" if anonymous[i] else people.email[p], ref.tools[tool[i]], int(score[i]), int(submitted[i]))
            for i, p in enumerate(respondents.tolist())
        ]
        if plan is not None and wave == stuffing_wave:
            stuffed_tool = ref.tools[int(adoption.primary[plan.stuffer])]
            entries += [
                (people.email[plan.stuffer], stuffed_tool, 10, day * DAY_SECONDS + (9 + 2 * k) * 3600 + 17)
                for k in range(4)
            ]
        entries.sort(key=lambda entry: (entry[3], entry[0]))
        stamps = cal.timestamps(np.array([entry[3] for entry in entries], dtype=np.int64))
        rows = [
            (f"{survey_id}-r{i + 1:05d}", survey_id, respondent, tool_name, score_value, str(stamps[i]))
            for i, (respondent, tool_name, score_value, _) in enumerate(entries)
        ]
        surveys.append(_Survey(survey_id, day, rows))
        if plan is not None and wave == stuffing_wave:
            mine = [row[0] for row in rows if row[2] == people.email[plan.stuffer]]
            stuffing = {
                "respondent": people.email[plan.stuffer].lower(),
                "survey_id": survey_id,
                "first_day": cal.iso(day),
                "response_ids_superseded": mine[:-1],
                "response_id_kept": mine[-1],
            }
    return surveys, stuffing


# --------------------------------------------------------------------------------------------------
# Ground truth


def _deploy_truth(world: _World, deployments: _Deployments, previous_sha: np.ndarray) -> dict:
    cal, rows, ids = world.cal, deployments.rows, deployments.deployment_id
    id_by_rid = deployments.id_by_rid
    services = world.services.name
    day = rows.at // DAY_SECONDS

    def where(mask: np.ndarray) -> list[str]:
        return [str(value) for value in ids[mask]]

    spam = []
    for kind, rule in ((SPAM, "max_per_service_day"), (ZERO_LINES, "zero_line_deploys")):
        mask = rows.kind == kind
        if mask.any():
            first = np.flatnonzero(mask)[0]
            spam.append(
                {
                    "service": services[rows.service[first]],
                    "day": cal.iso(int(day[first])),
                    "rule": rule,
                    "deployment_ids": where(mask),
                }
            )
    redeploys = [
        {
            "deployment_id": str(ids[i]),
            "duplicate_of": str(id_by_rid[rows.duplicate_of[i]]),
            "service": services[rows.service[i]],
            "environment": ENVIRONMENTS[rows.environment[i]],
            "commit_sha": str(deployments.sha_hex[rows.sha[i]]),
            "day": cal.iso(int(day[i])),
            "planted": bool(rows.kind[i] == PLANTED_REDEPLOY),
        }
        for i in np.flatnonzero(rows.duplicate_of >= 0)
    ]
    reverted = [
        {"deployment_id": str(ids[i]), "how": "status_rolled_back", "reverted_by": None}
        for i in np.flatnonzero(rows.status == ROLLED_BACK)
    ]
    for i in np.flatnonzero(rows.kind == REVERT_COMMIT):
        reverted.append(
            {
                "deployment_id": str(id_by_rid[rows.rollback_of[i]]),
                "how": "rollback_of",
                "reverted_by": str(ids[i]),
            }
        )
    for target, by in previous_sha.T:
        reverted.append(
            {
                "deployment_id": str(id_by_rid[target]),
                "how": "previous_sha_redeploy",
                "reverted_by": str(id_by_rid[by]),
            }
        )
    order = {str(deployment_id): index for index, deployment_id in enumerate(ids)}
    for entry in reverted:
        i = order[entry["deployment_id"]]
        entry["service"] = services[rows.service[i]]
        entry["day"] = cal.iso(int(day[i]))
    reverted.sort(key=lambda entry: order[entry["deployment_id"]])
    return {"deploy_spam": spam, "redeploy": redeploys, "reverted": reverted}


def _spam_shares(world: _World, deployments: _Deployments) -> list[dict]:
    """Share of the org-week's production deploys that the deploy-spam guard flags (vs gaming_tolerance)."""
    cal, rows = world.cal, deployments.rows
    day = rows.at // DAY_SECONDS
    counted = (rows.environment == PRODUCTION) & np.isin(rows.status, (SUCCESS, ROLLED_BACK))
    counted &= rows.duplicate_of < 0
    owner = world.services.owner(np.arange(cal.days))[day, rows.service]
    org = world.teams.org[owner]
    week = day - cal.weekday(day)
    shares = []
    for kind in (SPAM, ZERO_LINES):
        flagged = np.flatnonzero(rows.kind == kind)
        if not len(flagged):
            continue
        key = (org == org[flagged[0]]) & (week == week[flagged[0]]) & counted
        shares.append(
            {
                "org": world.teams.org_names[org[flagged[0]]],
                "week_start": cal.iso(int(week[flagged[0]])),
                "flagged_production_deploys": len(flagged),
                "production_deploys": int(key.sum()),
                "share": round(len(flagged) / int(key.sum()), 4),
            }
        )
    return shares


# --------------------------------------------------------------------------------------------------
# Public API


def _write_acknowledgements(landing: Path, truth: dict) -> None:
    """Acknowledge the planted gaming cases, as a person would after looking at them.

    A small demo org makes every planted case a large share of its week, so without this the gaming
    gate would (rightly) block the demo's publication. The guards still flag and exclude them.
    """
    reason = "demo: planted case, reviewed"
    rows = [("deploy_spam", case["service"], case["day"], reason) for case in truth["deploy_spam"]]
    rows += [("bot_activity", case["identity"], "", reason) for case in truth["bot_activity"]]
    _write_csv(landing / "reference" / "guard_acknowledgements.csv", ACKNOWLEDGEMENT_COLUMNS, rows)


def generate(
    spec: DemoSpec,
    landing: Path,
    ground_truth: Path | None = None,
    progress: Callable[[str], None] = print,
) -> dict:
    """Write the demo organisation as generic contract v1 files under `landing`; return a summary.

    With `ground_truth`, also write a JSON listing every planted case exactly as a guard must flag it.
    """
    if spec.teams < 1 or spec.engineers_per_team < 1 or spec.days < 1:
        raise ValueError(f"DemoSpec needs at least one team, engineer and day, got {spec}")
    landing = Path(landing)
    ref = _load_reference()
    cal = _Calendar(spec.start, spec.days)
    rng = _rng(spec.seed, 1)
    teams = _build_teams(spec, ref, rng)
    people = _build_people(spec, teams, cal, rng)
    services = _build_services(teams, cal, rng)
    plan = _plan_cases(ref, cal, people, services, rng) if spec.plant_cases else None
    adoption = _build_adoption(ref, cal, teams, people, plan, _rng(spec.seed, 2))
    contractors = _build_contractors(ref, cal, people, _rng(spec.seed, 3))
    identities = _build_identities(ref, people, adoption, contractors)
    world = _World(spec, ref, cal, teams, people, services, plan, adoption, contractors, identities)
    progress(
        f"demo: {teams.count} teams in {len(teams.org_names)} orgs, {people.count} people, "
        f"{services.count} services, {cal.days} days from {cal.iso(0)}"
    )

    counts = _write_structure(landing, world)
    counts["licence_grants"] = _write_grants(landing, world, _rng(spec.seed, 4))
    progress(
        f"demo: roster ({cal.snapshot_count} snapshots), teams, services, identities, "
        f"{counts['licence_grants']} licence grants written"
    )

    deployments, previous_sha = _build_deployments(cal, teams, people, services, contractors, plan, _rng(spec.seed, 5))
    _write_deployments(landing, world, deployments)
    progress(f"demo: {len(deployments.rows)} deployments over {cal.days} daily files")

    folder = landing / "usage"
    folder.mkdir(parents=True, exist_ok=True)
    sampler = _EventSampler(ref)
    daily, contractor_first_day, staff_seen = [], np.full(contractors.count, NEVER), set()
    for day in range(cal.days):
        events = _usage_day(world, day, sampler, _rng(spec.seed, 6, day))
        _write_usage(folder / f"{cal.iso(day)}.ndjson", world, day, events)
        contractor_first_day[events.contractors_seen] = np.minimum(contractor_first_day[events.contractors_seen], day)
        staff_seen.update(events.staff_seen.tolist())
        daily.append(
            {
                "day": cal.iso(day),
                "events": len(events.second),
                "unattributed_events": events.unattributed_events,
                "value_events": events.value_events,
                "bot_value_events": events.bot_value_events,
            }
        )
        progress(f"demo: usage {cal.iso(day)}: {len(events.second)} events")

    surveys, stuffing = _build_surveys(world, _rng(spec.seed, 7))
    for wave, survey in enumerate(surveys, start=1):
        _write_csv(landing / "surveys" / f"nps_wave_{wave}.csv", SURVEY_COLUMNS, survey.rows)
    progress(f"demo: {len(surveys)} survey waves, {sum(len(s.rows) for s in surveys)} responses")

    truth = _truth(world, deployments, previous_sha, daily, contractor_first_day, sorted(staff_seen), stuffing)
    if spec.plant_cases:
        _write_acknowledgements(landing, truth)
    if ground_truth is not None:
        ground_truth = Path(ground_truth)
        ground_truth.parent.mkdir(parents=True, exist_ok=True)
        ground_truth.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
        progress(f"demo: ground truth written to {ground_truth}")

    rows = deployments.rows
    return {
        "start": cal.iso(0),
        "end": cal.iso(cal.days - 1),
        "days": cal.days,
        "teams": teams.count,
        "orgs": len(teams.org_names),
        "parent_orgs": len(teams.parent_names),
        "people": people.count,
        "engineers": int(people.is_engineer.sum()),
        "contractors": contractors.count,
        "roster_snapshots": cal.snapshot_count,
        "roster_rows": counts["roster_rows"],
        "services": counts["services"],
        "identities": counts["identities"],
        "licence_grants": counts["licence_grants"],
        "deployments": len(rows),
        "production_deployments": int((rows.environment == PRODUCTION).sum()),
        "usage_events": sum(entry["events"] for entry in daily),
        "usage_events_max_day": max(entry["events"] for entry in daily),
        "max_unattributed_share": max(
            (entry["unattributed_events"] / entry["events"] for entry in daily if entry["events"]),
            default=0.0,
        ),
        "survey_waves": len(surveys),
        "survey_responses": sum(len(survey.rows) for survey in surveys),
    }


def _truth(
    world: _World,
    deployments: _Deployments,
    previous_sha: np.ndarray,
    daily: list[dict],
    contractor_first_day: np.ndarray,
    staff_seen: list[int],
    stuffing: dict | None,
) -> dict:
    cal, ref, people, adoption, plan = world.cal, world.ref, world.people, world.adoption, world.plan
    deploys = _deploy_truth(world, deployments, previous_sha)
    spec = asdict(world.spec)
    spec["start"] = world.spec.start.isoformat()
    unattributed = [
        {
            "identity": world.contractors.identity[c].lower(),
            "first_day": cal.iso(int(contractor_first_day[c])),
            "tool": ref.tools[world.contractors.tool[c]],
        }
        for c in np.argsort(contractor_first_day, kind="stable")
        if contractor_first_day[c] < NEVER
    ]
    bots, padding, bot_shares = [], [], []
    if plan is not None:
        bot_identity = people.email[plan.bot_person].lower()
        identity_type = ref.identity_types[plan.bot_tool]
        if identity_type == "login":
            bot_identity = people.login[plan.bot_person].lower()
        elif identity_type == "vendor_id":
            bot_identity = adoption.vendor_id[plan.bot_person].lower()
        bots.append(
            {
                "identity": bot_identity,
                "first_day": cal.iso(0),
                "tool": ref.tools[plan.bot_tool],
                "event_type": ref.activity_types[plan.bot_event_type],
                "burst_days": [cal.iso(day) for day in plan.bot_days],
                "value_events_per_burst_minute": BOT_EVENTS_PER_BURST,
            }
        )
        bot_shares = [
            {
                "day": entry["day"],
                "flagged_value_events": entry["bot_value_events"],
                "value_events": entry["value_events"],
                "share": round(entry["bot_value_events"] / max(entry["value_events"], 1), 4),
            }
            for entry in daily
            if entry["day"] in {cal.iso(day) for day in plan.bot_days}
        ]
        padding.append(
            {
                "tool": ref.tools[plan.padding_tool],
                "day": cal.iso(plan.padding_day),
                "identities": sorted(
                    _grant_identity(ref, people, adoption, int(p), plan.padding_tool) for p in plan.padding_people
                ),
            }
        )
    never_person, never_tool = np.nonzero(adoption.grant_kind == 1)
    flagged = sorted(id for case in deploys["deploy_spam"] for id in case["deployment_ids"])
    return {
        "contract": "generic v1",
        "spec": spec,
        "date_range": {"start": cal.iso(0), "end": cal.iso(cal.days - 1)},
        "deploy_spam": deploys["deploy_spam"],
        "redeploy": deploys["redeploy"],
        "reverted": deploys["reverted"],
        "bot_activity": bots,
        "unattributed_identity": unattributed,
        "licence_padding": padding,
        "survey_stuffing": [stuffing] if stuffing else [],
        "flagged_deployment_ids": flagged,
        "duplicate_deployment_ids": [entry["deployment_id"] for entry in deploys["redeploy"]],
        "reverted_deployment_ids": [entry["deployment_id"] for entry in deploys["reverted"]],
        "bot_identities": [bot["identity"] for bot in bots],
        "non_engineer_identities": sorted({people.email[p].lower() for p in staff_seen}),
        "never_used_grants": sorted(
            (
                {
                    "identity": _grant_identity(ref, people, adoption, int(p), int(t)),
                    "tool": ref.tools[t],
                    "day": cal.iso(int(adoption.grant_day[p, t])),
                }
                for p, t in zip(never_person, never_tool, strict=True)
            ),
            key=lambda grant: (grant["day"], grant["tool"], grant["identity"]),
        ),
        "service_transfers": [
            {
                "service": world.services.name[s],
                "from_team_id": world.teams.team_id[world.services.team0[s]],
                "to_team_id": world.teams.team_id[world.services.team1[s]],
                "day": cal.iso(int(world.services.transfer_day[s])),
            }
            for s in np.flatnonzero(world.services.transfer_day < NEVER)
        ],
        "gaming_shares": {"deploy_spam": _spam_shares(world, deployments), "bot_activity": bot_shares},
        "usage_days": daily,
    }


def plant_broken_feed(landing: Path, case: str, day: date) -> None:
    """Break one day of an existing landing the way a real feed breaks (see BROKEN_FEED_CASES)."""
    landing = Path(landing)
    iso = day.isoformat()
    usage = landing / "usage" / f"{iso}.ndjson"
    if case == "missing_deploy_day":
        _existing(landing / "deployments" / f"{iso}.ndjson").unlink()
    elif case == "duplicated_usage_day":
        shutil.copyfile(_existing(usage), usage.with_name(f"{iso}.resent.ndjson"))
    elif case == "epoch_millis_as_seconds":
        text = _existing(usage).read_text(encoding="utf-8")
        pattern = re.compile(r'"occurred_at":"([^"]*)Z"')
        stamps = np.array(pattern.findall(text), dtype="datetime64[s]")
        wrong = np.datetime_as_string((stamps.astype(np.int64) * 1000).astype("datetime64[s]"), unit="s")
        replacements = iter(wrong.tolist())
        usage.write_text(pattern.sub(lambda _: f'"occurred_at":"{next(replacements)}Z"', text), encoding="utf-8")
    elif case == "malformed_lines":
        lines = _existing(usage).read_bytes().split(b"\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        if len(content) < 2:
            raise ValueError(f"{usage}: malformed_lines needs at least 2 lines, found {len(content)}")
        for i in (content[len(content) // 3], content[(2 * len(content)) // 3]):
            lines[i] = lines[i][: len(lines[i]) // 2]
        usage.write_bytes(b"\n".join(lines))
    else:
        raise ValueError(f"unknown broken-feed case {case!r}: expected one of {', '.join(BROKEN_FEED_CASES)}")


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such landing file to break (generate the demo first)")
    return path
