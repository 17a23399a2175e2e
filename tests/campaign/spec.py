"""An organisation as the campaign's generator draws it: people, teams, services, tools and habits.

A spec is plain data. It says who is where on which roster snapshot, who owns which service when, which
repository each service is built from, who uses which tool how often, who holds which licence, how pull
requests come about and what the organisation overrides in its reference data. The day-by-day records (deploys,
usage events, survey answers) are expanded from it by tests/campaign/records.py, and the pull requests from
those by tests/campaign/pull_requests.py, deterministically from the spec's seed, so a spec is small even for
300 teams.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

# Tools of seeds/tools.csv with the identity their usage export carries (email, GitHub login, vendor id) and
# the activity types seeds/activity_types.csv allows them.
TOOL_IDENTITY = {
    "github_copilot": "login",
    "claude_code": "email",
    "cursor": "email",
    "amazon_q": "vendor_id",
    "internal_chat": "email",
}
TOOL_ACTIVITY = {
    "github_copilot": ("interaction", "suggestion_shown", "suggestion_accepted"),
    "claude_code": ("interaction", "code_edit_accepted", "commit_created", "pull_request_created"),
    "cursor": ("interaction", "suggestion_shown", "suggestion_accepted", "code_edit_accepted"),
    "amazon_q": ("interaction", "suggestion_shown", "suggestion_accepted", "code_edit_accepted"),
    "internal_chat": ("interaction",),
}
VALUE_DERIVING = frozenset({"suggestion_accepted", "code_edit_accepted", "commit_created", "pull_request_created"})
LICENSED_TOOLS = ("github_copilot", "claude_code", "cursor", "amazon_q")
MONTHLY_COST = {"github_copilot": 19, "claude_code": 100, "cursor": 40, "amazon_q": 19}


@dataclass(frozen=True)
class Team:
    team_id: str
    team_name: str
    org: str
    parent_org: str
    velocity_target: int


@dataclass(frozen=True)
class Person:
    """Someone on the roster at some time. `teams` is their team on each roster snapshot, in the order of
    OrgSpec.snapshot_days; None where they are not on that snapshot (not joined yet, or left)."""

    engineer_id: str
    email: str
    github_login: str | None
    full_name: str
    role: str
    is_engineer: bool
    utc_offset_minutes: int
    teams: tuple[str | None, ...]
    deploy_weekdays: frozenset[int] = frozenset()  # local weekdays (0 = Monday) on which they ship


@dataclass(frozen=True)
class Ownership:
    """A service owned by a team over [valid_from, valid_to) (valid_to None while current)."""

    service: str
    team_id: str
    valid_from: date
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Service:
    name: str
    production_environments: tuple[str, ...]  # ("production",), ("prod",) or two regions
    repository: str = ""  # the GitHub repository it is built from, owner/repo, as its pull requests name it
    listed_repository: str | None = None  # services.csv's `repository` cell for it (None: empty, its own name)


@dataclass(frozen=True)
class Habit:
    """How one identity uses one tool. engineer_id None: an identity on no roster (a contractor)."""

    engineer_id: str | None
    identity: str  # exactly as the tool's export spells it
    tool: str
    weekdays_only: bool
    daily_probability: float
    events_per_day: tuple[int, int]


@dataclass(frozen=True)
class Alias:
    """A row of identities.csv: an identity that the roster's email and login do not cover."""

    identity: str
    identity_type: str
    engineer_id: str


@dataclass(frozen=True)
class Grant:
    identity: str
    tool: str
    granted_at: datetime  # aware, in the granter's offset
    revoked_at: datetime | None
    plan: str


@dataclass(frozen=True)
class Survey:
    survey_id: str
    file_name: str
    tool: str | None  # None: each response names a tool of its own, or none
    days: tuple[date, ...]  # days the survey was open
    responses: int
    resubmissions: int  # respondents who answer twice (the latest counts)


@dataclass(frozen=True)
class PullRequestHabits:
    """How an organisation's pull requests come about (its optional pull_requests/ feed). Each share is a chance
    per occasion; the records are drawn by tests/campaign/pull_requests.py."""

    shipped_share: float  # a successful production deploy's commit is a pull request's merge commit
    extra_per_week: int  # most pull requests an engineer merges a week besides (merge commit never deployed)
    closed_share: float  # a pull request closed without merge, besides
    ai_share: float  # a pull request of an engineer who used an AI tool that week carries an AI tool's mark
    review_share: float  # a pull request whose first review the exporter knows
    clock_behind_share: float  # the deploy of a merge commit is stamped a few minutes before the merge
    loose_repositories: tuple[str, ...]  # repositories no service is built from (docs, tooling)
    copilot_agent: bool  # the Copilot coding agent opens pull requests
    dependabot: bool
    reopened: bool  # one pull request closed, reopened and merged days later: a resend in a later day's file
    relabelled: bool  # one merged pull request resent in a .part2 file with a later updated_at, labels changed


@dataclass(frozen=True)
class OrgSpec:
    seed: int
    label: str  # the shape in one line, for reports
    first: date
    last: date
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    snapshot_days: tuple[date, ...]
    services: tuple[Service, ...]
    ownerships: tuple[Ownership, ...]
    tools: tuple[str, ...]
    habits: tuple[Habit, ...]
    aliases: tuple[Alias, ...]
    grants: tuple[Grant, ...]
    surveys: tuple[Survey, ...]
    holidays: frozenset[date]
    metric_var_overrides: dict[str, str] = field(default_factory=dict)
    baseline: tuple[date, date] | None = None  # a velocity_programme.csv override's baseline window
    contractor_share: float = 0.0  # most of a day's activity the unattributed contractors may add
    repository_column: bool = False  # services.csv has the optional `repository` column
    pull_requests: PullRequestHabits | None = None  # None: the organisation delivers no pull requests

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    @cached_property
    def team_ids(self) -> frozenset[str]:
        return frozenset(team.team_id for team in self.teams)

    def snapshot_index(self, day: date) -> int:
        """The snapshot in force on `day`: the latest dated on or before it; before the first, the first."""
        return max(bisect_right(self.snapshot_days, day) - 1, 0)

    def team_of(self, person: Person, day: date) -> str | None:
        return person.teams[self.snapshot_index(day)]

    def engineer_team(self, person: Person, day: date) -> str | None:
        """The team `person` counts for on `day`: None unless on that day's roster as an engineer."""
        return self.team_of(person, day) if person.is_engineer else None

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        return {person.engineer_id: person for person in self.people}

    def services_of(self, team_id: str, day: date) -> list[str]:
        return sorted(owner.service for owner in self.ownerships if owner.team_id == team_id and owner.covers(day))

    @cached_property
    def identities(self) -> dict[str, str]:
        """Every identity that resolves (lower-cased) -> engineer_id: roster emails and logins, aliases."""
        resolved = {}
        for person in self.people:
            resolved[person.email.lower()] = person.engineer_id
            if person.github_login:
                resolved[person.github_login.lower()] = person.engineer_id
        for alias in self.aliases:
            resolved[alias.identity.lower()] = alias.engineer_id
        return resolved
