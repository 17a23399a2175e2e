"""A second organisation generator, independent of the demo's: honest organisations of many shapes.

`organisations()` is a hypothesis strategy; `organisation(seed)` draws the same kind of organisation from a
seed, replayably, for the whole-pipeline runs (a strategy's `.example()` is not reproducible). Both go
through `build`, which asks a `Chooser` for the organisation's shape (how many teams, which tools used how,
which roster cadence, which overrides, whether it delivers pull requests...) and fills in the details (names,
moves, grants, repositories) from a `random.Random` seeded by the shape. `write_landing(spec, landing)` writes
the generic contract v1 files.

Honest means: no gaming beyond what the guards tolerate, nothing a gate should block. Every identity in
the usage resolves to the roster or identities.csv, except contractors' whose activity stays under
`contractor_share` of each day's; nobody sends more value events a minute than a person can; no service-day
has enough zero-line or total deploys to look like spam; every engineer ships on two to four weekdays a week,
so no org's deploys per engineer moves tenfold between full weeks; nobody merges enough pull requests in a week
to look like splitting, and AI tools mark only the pull requests of engineers who used one that week
(tests/campaign/pull_requests.py).
"""

import csv
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from math import ceil
from pathlib import Path
from typing import Protocol, TypeVar

from hypothesis import strategies as st

from tests.campaign.pull_requests import draw_habits, expand_pull_requests, with_repositories
from tests.campaign.records import expand
from tests.campaign.spec import (
    LICENSED_TOOLS,
    MONTHLY_COST,
    TOOL_IDENTITY,
    Alias,
    Grant,
    Habit,
    OrgSpec,
    Ownership,
    Person,
    Service,
    Survey,
    Team,
)

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
T = TypeVar("T")

# The velocity programme of seeds/velocity_programme.csv: a window either covers all of its baseline weeks
# or none of them (a baseline computed from part of its window is not something an honest run meets).
SEED_BASELINE = (date(2026, 1, 5), date(2026, 2, 1))
EARLIEST_START = date(2025, 2, 3)  # the pipeline's daily partitions start on 2025-01-01
LATEST_START = date(2026, 9, 28)  # and the window must lie in the past

OFFSETS = {"Z": 0, "+05:30": 330, "-08:00": -480, "+01:00": 60}
ORGS = ("Payments", "Platform", "Growth", "Mobile", "Data", "Identity", "Search", "Infra")
PARENTS = ("Commerce", "Engineering", "Consumer", "")
FIRST_NAMES = (
    "Ana",
    "Bo",
    "Chen",
    "Dara",
    "Émile",
    "Farah",
    "Gustav",
    "Hana",
    "Ines",
    "Jonas",
    "Kai",
    "Łucja",
    "Mateo",
    "Nia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Søren",
    "Tomás",
    "Uma",
    "Vikram",
    "Wen",
    "Zoë",
)
LAST_NAMES = ("Ng", "Okafor", "Müller", "Silva", "Kowalski", "Tanaka", "Haddad", "Nguyễn", "Larsen", "Reyes",
              "Ivanova", "Singh", "O'Brien", "García", "Berg", "Kim")  # fmt: skip
SERVICE_WORDS = ("checkout", "ledger", "search", "profile", "billing", "gateway", "catalog", "notify", "auth",
                 "reports", "ingest", "pricing", "feeds", "media", "orders", "routing")  # fmt: skip
ENGINEER_ROLES = ("engineer", "senior engineer", "staff engineer", "sre")
TOOL_STYLES = ("every_day", "weekdays", "niche")

# metric_vars an organisation may override, with values that keep an honest organisation honest: thresholds
# that define metrics move freely (the oracle reads them too); gate and guard thresholds only loosen.
HONEST_OVERRIDES = {
    "min_group_size": ("3", "4", "6"),
    "adoption_threshold": ("0.3", "0.4", "0.6", "0.75"),
    "ai_native_min_stages": ("2", "4"),
    "revert_window_hours": ("12", "36", "48"),
    "deploy_spam_max_per_service_day": ("25", "40"),
    "deploy_spam_min_zero_line_deploys": ("4", "5"),
    "bot_max_value_events_per_minute": ("30", "60"),
    "licence_padding_min_grants_same_day": ("5", "20"),
    "quarantine_tolerance": ("0.02", "0.05"),
    "unattributed_tolerance": ("0.08", "0.1"),
    "gaming_tolerance": ("0.08", "0.1"),
}


class Chooser(Protocol):
    """Where the organisation's shape comes from: hypothesis draws, or a seeded random.Random."""

    def integer(self, low: int, high: int) -> int: ...

    def chance(self, percent: int) -> bool: ...

    def pick(self, options: Sequence[T]) -> T: ...


class HypothesisChooser:
    def __init__(self, draw: Callable):
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def chance(self, percent: int) -> bool:
        return self._draw(st.integers(0, 99)) < percent

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(list(options)))


class RandomChooser:
    def __init__(self, rng: random.Random):
        self._rng = rng

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def chance(self, percent: int) -> bool:
        return self._rng.randrange(100) < percent

    def pick(self, options: Sequence[T]) -> T:
        return self._rng.choice(list(options))


@dataclass(frozen=True)
class Shape:
    """What the chooser decides; everything else follows from `seed`."""

    seed: int
    teams: int
    orgs: int
    smallest_team: int
    largest_team: int
    days: int
    covers_seed_baseline: bool
    start_week: int
    start_weekday: int
    cadence: str  # daily | weekly | irregular roster snapshots
    holidays: int
    tool_styles: tuple[tuple[str, str], ...]  # (tool, every_day | weekdays | niche)
    offsets: tuple[str, ...]
    managers: bool
    designers: bool
    movers: bool
    team_changes_org: bool
    service_handover: bool
    joiners_and_leavers: bool
    empty_team: bool
    aliases: bool
    contractors: bool
    revocations: bool
    multi_region: bool
    overridden_vars: int
    baseline_override: bool
    surveys: int
    pull_requests: bool  # the organisation delivers the optional pull request feed
    repository_column: bool  # services.csv names the repository each service is built from

    def label(self) -> str:
        tools = ",".join(f"{tool}:{style}" for tool, style in self.tool_styles)
        flags = [
            name
            for name in ("managers", "designers", "movers", "team_changes_org", "service_handover",
                         "joiners_and_leavers", "empty_team", "aliases", "contractors", "revocations",
                         "multi_region", "baseline_override", "pull_requests", "repository_column")
            if getattr(self, name)
        ]  # fmt: skip
        return (
            f"{self.teams} team(s) of {self.smallest_team}-{self.largest_team} in {self.orgs} "
            f"org(s), {self.days} days, {self.cadence} roster, {self.holidays} holiday(s), tools {tools}, "
            f"offsets {'/'.join(self.offsets)}, {self.overridden_vars} metric_vars overridden, "
            f"{self.surveys} survey(s); {' '.join(flags)}"
        )


def draw_shape(choose: Chooser, max_teams: int, max_days: int) -> Shape:
    # most organisations are small; some are large, up to max_teams
    teams = choose.integer(1, min(max_teams, choose.pick((8, 8, 8, 40, 40, 300))))
    smallest = choose.integer(1, 12)
    tools = [tool for tool in TOOL_IDENTITY if choose.chance(55)] or [choose.pick(list(TOOL_IDENTITY))]
    days = choose.integer(14, max(14, max_days))
    return Shape(
        seed=choose.integer(0, 2**31 - 1),
        teams=teams,
        orgs=choose.integer(1, min(teams, 4)),
        smallest_team=smallest,
        largest_team=choose.integer(smallest, 12),
        days=days,
        covers_seed_baseline=days >= 28 and choose.chance(25),
        start_week=choose.integer(0, 80),
        start_weekday=choose.pick((0, 0, 0, 2, 4)),
        cadence=choose.pick(("daily", "weekly", "irregular")),
        holidays=choose.integer(0, 2),
        tool_styles=tuple((tool, choose.pick(TOOL_STYLES)) for tool in tools),
        offsets=tuple(offset for offset in OFFSETS if choose.chance(50)) or ("Z",),
        managers=choose.chance(60),
        designers=choose.chance(30),
        movers=choose.chance(50),
        team_changes_org=teams >= 2 and choose.chance(35),
        service_handover=teams >= 2 and choose.chance(35),
        joiners_and_leavers=choose.chance(40),
        empty_team=teams >= 2 and choose.chance(15),
        aliases=choose.chance(40),
        contractors=choose.chance(30),
        revocations=choose.chance(50),
        multi_region=choose.chance(30),
        overridden_vars=choose.pick((0, 0, 1, 2, 4)),
        baseline_override=choose.chance(30),
        surveys=choose.integer(0, 2),
        pull_requests=choose.chance(75),
        repository_column=choose.chance(60),
    )


# ---- the details, from the shape's seed ----------------------------------------------------------


def _window(shape: Shape) -> tuple[date, date]:
    if shape.covers_seed_baseline:
        first = SEED_BASELINE[0]
        return first, first + timedelta(days=shape.days - 1)
    starts = []
    monday = EARLIEST_START
    while monday <= LATEST_START:
        first = monday + timedelta(days=shape.start_weekday)
        last = first + timedelta(days=shape.days - 1)
        if last < SEED_BASELINE[0] or first > SEED_BASELINE[1] + timedelta(days=6):
            starts.append(first)
        monday += timedelta(days=7)
    first = starts[shape.start_week % len(starts)]
    return first, first + timedelta(days=shape.days - 1)


def _snapshot_days(shape: Shape, rng: random.Random, first: date, last: date) -> tuple[date, ...]:
    if shape.cadence == "daily":
        return tuple(first + timedelta(days=offset) for offset in range(shape.days))
    if shape.cadence == "weekly":
        day = first - timedelta(days=first.weekday())
        step = 7
    else:
        day, step = first + timedelta(days=rng.randint(-6, 3)), 0
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=step or rng.randint(2, 9))
    return tuple(days)


def _holidays(shape: Shape, rng: random.Random, first: date, last: date) -> frozenset[date]:
    """Weekdays with nothing at all, at most one an ISO week."""
    weeks: dict[date, list[date]] = {}
    day = first
    while day <= last:
        if day.weekday() < 5:
            weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
        day += timedelta(days=1)
    chosen = rng.sample(sorted(weeks), min(shape.holidays, len(weeks)))
    return frozenset(rng.choice(weeks[week]) for week in chosen)


@dataclass
class _Draft:
    """The people and teams while they are being built (every list is in snapshot order)."""

    teams: list[Team]
    people: list[dict]
    ownerships: list[Ownership]
    services: list[Service]


def _ascii(text: str) -> str:
    """A name as an email or login spells it: accents dropped, lower case (Zoë Nguyễn -> zoe, nguyen)."""
    text = text.translate(str.maketrans("ŁłØø'", "LlOo-"))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii()).lower().replace(" ", "")


def _teams_and_people(shape: Shape, rng: random.Random, snapshots: int) -> _Draft:
    orgs = ORGS[: shape.orgs]
    teams = [
        Team(f"t{index:03d}", f"Team {index}", orgs[index % len(orgs)], rng.choice(PARENTS), rng.choice((3, 10)))
        for index in range(shape.teams)
    ]
    empty = {teams[-1].team_id} if shape.empty_team else set()
    people: list[dict] = []

    def add(team: Team, role: str, is_engineer: bool, offset: str) -> None:
        number = len(people) + 1
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{_ascii(first_name)}.{_ascii(last_name)}{number}@example.com"
        if rng.random() < 0.1:  # some HR systems keep the capitals; matching is case-insensitive
            email = email[0].upper() + email[1:]
        login = f"{_ascii(first_name)[:1].upper()}{_ascii(last_name).title()}{number}"
        login = None if rng.random() < 0.1 else login.lower() if rng.random() < 0.5 else login
        people.append(
            {
                "engineer_id": f"p{number:05d}",
                "email": email,
                "github_login": login,
                "full_name": f"{first_name} {last_name}",
                "role": role,
                "is_engineer": is_engineer,
                "utc_offset_minutes": OFFSETS[offset],
                "teams": [team.team_id] * snapshots,
                "deploy_weekdays": frozenset(rng.sample(range(5), rng.randint(2, 4))) if is_engineer else frozenset(),
            }
        )

    for team in teams:
        if team.team_id in empty:
            continue
        offset = rng.choice(shape.offsets)
        for _ in range(rng.randint(shape.smallest_team, shape.largest_team)):
            # most of a team works in one time zone, a few elsewhere
            add(team, rng.choice(ENGINEER_ROLES), True, offset if rng.random() < 0.8 else rng.choice(shape.offsets))
        if shape.managers and rng.random() < 0.7:
            add(team, "manager", False, offset)
        if shape.designers and rng.random() < 0.4:
            add(team, rng.choice(("designer", "product manager")), False, offset)

    services, ownerships = [], []
    engineers = Counter(person["teams"][0] for person in people if person["is_engineer"])
    for team in teams:
        members = engineers[team.team_id]
        for _ in range(max(1, ceil(members / 4)) if members else 0):
            name = f"{rng.choice(SERVICE_WORDS)}-{len(services) + 1}"
            environments = (
                ("production-eu", "production-us")
                if shape.multi_region and rng.random() < 0.4
                else (rng.choice(("production", "prod")),)
            )
            services.append(Service(name, environments))
            ownerships.append(Ownership(name, team.team_id, date(2024, rng.randint(1, 12), 1), None))
    return _Draft(teams, people, ownerships, services)


def _engineers_of(draft: _Draft, team_id: str, snapshot: int) -> list[dict]:
    return [person for person in draft.people if person["teams"][snapshot] == team_id and person["is_engineer"]]


def _move_team_to_another_org(draft: _Draft, rng: random.Random, snapshot_days: tuple[date, ...]) -> None:
    """A reorganisation: a whole team becomes a new team in another org, taking its services along."""
    if len(snapshot_days) < 2 or len({team.org for team in draft.teams}) < 2:
        return
    staffed = [team for team in draft.teams if _engineers_of(draft, team.team_id, 0)]
    if not staffed:
        return
    moving = rng.choice(staffed)
    target_org = rng.choice(sorted({team.org for team in draft.teams} - {moving.org}))
    new = Team(f"{moving.team_id}-x", f"{moving.team_name} ({target_org})", target_org, moving.parent_org, 10)
    draft.teams.append(new)
    snapshot = rng.randrange(1, len(snapshot_days))
    day = snapshot_days[snapshot]
    for person in draft.people:
        for index in range(snapshot, len(snapshot_days)):
            if person["teams"][index] == moving.team_id:
                person["teams"][index] = new.team_id
    for index, owner in enumerate(list(draft.ownerships)):
        if owner.team_id == moving.team_id and owner.valid_to is None:
            draft.ownerships[index] = Ownership(owner.service, owner.team_id, owner.valid_from, day)
            draft.ownerships.append(Ownership(owner.service, new.team_id, day, None))


def _hand_over_a_service(draft: _Draft, rng: random.Random, first: date, last: date) -> None:
    """A team with more services than it needs gives one to another team of its org on a day of the window."""
    current = [owner for owner in draft.ownerships if owner.valid_to is None]
    by_team: dict[str, list[Ownership]] = {}
    for owner in current:
        by_team.setdefault(owner.team_id, []).append(owner)
    givers = [team_id for team_id, owned in sorted(by_team.items()) if len(owned) >= 2]
    if not givers:
        return
    giver = rng.choice(givers)
    org = next(team.org for team in draft.teams if team.team_id == giver)
    takers = sorted(team_id for team_id in by_team if team_id != giver and _org(draft, team_id) == org)
    if not takers:
        return
    owner = rng.choice(by_team[giver])
    earliest = max(first, owner.valid_from) + timedelta(days=1)
    if earliest > last:
        return
    day = earliest + timedelta(days=rng.randint(0, (last - earliest).days))
    draft.ownerships.remove(owner)
    draft.ownerships.append(Ownership(owner.service, giver, owner.valid_from, day))
    draft.ownerships.append(Ownership(owner.service, rng.choice(takers), day, None))


def _org(draft: _Draft, team_id: str) -> str:
    return next(team.org for team in draft.teams if team.team_id == team_id)


def _move_engineers(draft: _Draft, rng: random.Random, snapshots: int) -> None:
    """A few engineers change team (to a team that already has engineers, so it owns a service)."""
    if snapshots < 2:
        return
    engineers = [person for person in draft.people if person["is_engineer"]]
    for person in rng.sample(engineers, max(1, len(engineers) // 12)):
        snapshot = rng.randrange(1, snapshots)
        staffed = Counter(other["teams"][snapshot] for other in engineers if other["teams"][snapshot])
        staffed[person["teams"][snapshot]] = 0
        staffed = sorted(team_id for team_id, count in staffed.items() if count)
        if staffed:
            target = rng.choice(staffed)
            person["teams"][snapshot:] = [target] * (snapshots - snapshot)


def _joiners_and_leavers(draft: _Draft, rng: random.Random, snapshots: int) -> None:
    """One engineer joins late and one leaves early (leaving keeps their licence: an idle seat)."""
    if snapshots < 2:
        return
    engineers = [person for person in draft.people if person["is_engineer"]]
    if len(engineers) < 3:
        return
    joiner, leaver = rng.sample(engineers, 2)
    joins, leaves = rng.randrange(1, snapshots), rng.randrange(1, snapshots)
    joiner["teams"][:joins] = [None] * joins
    leaver["teams"][leaves:] = [None] * (snapshots - leaves)


def _vendor_id(rng: random.Random) -> str:
    return "AIDA" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))


def _habits(shape: Shape, rng: random.Random, people: list[Person]) -> tuple[list[Habit], list[Alias]]:
    habits, aliases = [], []
    engineers = [person for person in people if person.is_engineer]
    others = [person for person in people if not person.is_engineer]
    vendor_ids = {}
    alias_of = {}
    if shape.aliases:
        for person in rng.sample(engineers, max(1, len(engineers) // 8)):
            alias = f"{person.email.split('@')[0].lower()}@legacy.example.org"
            alias_of[person.engineer_id] = alias
            aliases.append(Alias(alias, "email", person.engineer_id))
    for tool, style in shape.tool_styles:
        if style == "niche":
            users = rng.sample(engineers, min(len(engineers), rng.randint(1, 2)))
        else:
            users = [person for person in engineers if rng.random() < rng.uniform(0.4, 0.95)]
            users += [person for person in others if rng.random() < 0.3]  # excluded by definition, not an error
        for person in users:
            kind = TOOL_IDENTITY[tool]
            if kind == "login":
                if not person.github_login:
                    continue
                identity = person.github_login
            elif kind == "vendor_id":
                if person.engineer_id not in vendor_ids:
                    vendor_ids[person.engineer_id] = _vendor_id(rng)
                    aliases.append(Alias(vendor_ids[person.engineer_id], "vendor_id", person.engineer_id))
                identity = vendor_ids[person.engineer_id]
            elif person.engineer_id in alias_of and tool in ("claude_code", "cursor"):
                identity = alias_of[person.engineer_id]
            else:
                identity = person.email if rng.random() < 0.8 else person.email.upper()
            habits.append(
                Habit(
                    person.engineer_id,
                    identity,
                    tool,
                    weekdays_only=style != "every_day",
                    daily_probability=round(rng.uniform(0.5, 0.95), 2),
                    events_per_day=(1, rng.randint(3, 12)),
                )
            )
    email_tools = [tool for tool, _ in shape.tool_styles if TOOL_IDENTITY[tool] == "email"]
    if shape.contractors and email_tools:
        for number in range(rng.randint(1, 2)):
            habits.append(
                Habit(None, f"contractor{number}@agency.example.net", rng.choice(email_tools), True, 0.9, (1, 4))
            )
    return habits, aliases


def _aware(day: date, rng: random.Random, offset_minutes: int) -> datetime:
    zone = timezone(timedelta(minutes=offset_minutes))
    return datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)), zone)


def _grants(shape: Shape, rng: random.Random, spec_people: list[Person], habits: list[Habit], first: date, last: date):
    by_id = {person.engineer_id: person for person in spec_people}
    offset = OFFSETS[rng.choice(shape.offsets)]  # the licence admin's
    grants = []
    tools = [tool for tool, _ in shape.tool_styles if tool in LICENSED_TOOLS]
    identity_of = {(habit.engineer_id, habit.tool): habit.identity for habit in habits if habit.engineer_id}
    for tool in tools:
        users = sorted({engineer_id for engineer_id, used in identity_of if used == tool})
        using = set(users)
        holders = [engineer_id for engineer_id in users if by_id[engineer_id].is_engineer and rng.random() < 0.85]
        idle = [person.engineer_id for person in spec_people if person.is_engineer and person.engineer_id not in using]
        holders += rng.sample(idle, min(len(idle), rng.randint(0, 3)))  # seats nobody uses
        for engineer_id in holders:
            person = by_id[engineer_id]
            identity = (
                identity_of.get((engineer_id, tool))
                or {
                    "login": person.github_login,
                    "email": person.email,
                    "vendor_id": None,
                }[TOOL_IDENTITY[tool]]
            )
            if identity is None:
                continue
            day = (
                first + timedelta(days=rng.randint(0, (last - first).days))
                if rng.random() < 0.2
                else first - timedelta(days=rng.randint(1, 120))
            )
            granted = _aware(day, rng, offset)
            revoked = None
            if shape.revocations and rng.random() < 0.2 and day < last:
                revoked = _aware(day + timedelta(days=rng.randint(1, max(1, (last - day).days))), rng, offset)
                if revoked.date() < last and rng.random() < 0.4:  # given back later: a second grant
                    grants.append(Grant(identity, tool, revoked + timedelta(days=rng.randint(1, 5)), None, "business"))
            grants.append(Grant(identity, tool, granted, revoked, rng.choice(("business", "enterprise", "pro"))))
    return grants


def _surveys(shape: Shape, rng: random.Random, first: date, last: date) -> list[Survey]:
    surveys = []
    tools = [tool for tool, _ in shape.tool_styles]
    for number in range(shape.surveys):
        start = first + timedelta(days=rng.randint(0, (last - first).days))
        days = tuple(day for offset in range(rng.randint(1, 5)) if (day := start + timedelta(days=offset)) <= last)
        tool = rng.choice([*tools, None])
        responses, resubmissions = rng.randint(3, 40), rng.randint(0, 3)
        name = f"wave_{chr(97 + number)}.csv"
        surveys.append(Survey(f"pulse-{number + 1}", name, tool, days, responses, resubmissions))
    return surveys


def build(choose: Chooser, max_teams: int = 5, max_days: int = 35) -> OrgSpec:
    """An honest organisation: its shape from `choose`, its details from the shape's seed."""
    shape = draw_shape(choose, max_teams, max_days)
    rng = random.Random(shape.seed)
    first, last = _window(shape)
    snapshot_days = _snapshot_days(shape, rng, first, last)
    draft = _teams_and_people(shape, rng, len(snapshot_days))
    # repositories and pull request habits from a generator of their own: the rest of the organisation is the
    # same with or without them
    pull_request_rng = random.Random(f"pull-requests-{shape.seed}")
    first_owners = {owner.service: owner.team_id for owner in draft.ownerships}
    draft.services, github_owner = with_repositories(
        draft.services, first_owners, shape.repository_column, pull_request_rng
    )
    if shape.team_changes_org:
        _move_team_to_another_org(draft, rng, snapshot_days)
    if shape.service_handover:
        _hand_over_a_service(draft, rng, first, last)
    if shape.movers:
        _move_engineers(draft, rng, len(snapshot_days))
    if shape.joiners_and_leavers:
        _joiners_and_leavers(draft, rng, len(snapshot_days))
    people = [Person(**{**person, "teams": tuple(person["teams"])}) for person in draft.people]
    habits, aliases = _habits(shape, rng, people)
    overrides = {name: rng.choice(HONEST_OVERRIDES[name]) for name in sorted(HONEST_OVERRIDES)}
    overridden = dict(sorted(rng.sample(sorted(overrides.items()), shape.overridden_vars)))
    baseline = None
    if shape.baseline_override:
        start = first + timedelta(days=(7 - first.weekday()) % 7)
        end = start + timedelta(days=rng.choice((6, 13)))
        baseline = (start, end) if end <= last else None
    return OrgSpec(
        seed=shape.seed,
        label=shape.label(),
        first=first,
        last=last,
        teams=tuple(draft.teams),
        people=tuple(people),
        snapshot_days=snapshot_days,
        services=tuple(draft.services),
        ownerships=tuple(draft.ownerships),
        tools=tuple(tool for tool, _ in shape.tool_styles),
        habits=tuple(habits),
        aliases=tuple(aliases),
        grants=tuple(_grants(shape, rng, people, habits, first, last)),
        surveys=tuple(_surveys(shape, rng, first, last)),
        holidays=_holidays(shape, rng, first, last),
        metric_var_overrides=overridden,
        baseline=baseline,
        contractor_share=0.02 if shape.contractors else 0.0,
        repository_column=shape.repository_column,
        pull_requests=draw_habits(github_owner, pull_request_rng) if shape.pull_requests else None,
    )


@st.composite
def organisations(draw: Callable, max_teams: int = 5, max_days: int = 35) -> OrgSpec:
    """Honest organisations of 1..max_teams teams over 14..max_days days."""
    return build(HypothesisChooser(draw), max_teams, max_days)


def organisation(seed: int, max_teams: int = 5, max_days: int = 35) -> OrgSpec:
    """The organisation of `seed`: the same spec on every call and every machine."""
    return build(RandomChooser(random.Random(seed)), max_teams, max_days)


# ---- the landing -------------------------------------------------------------------------------


def _write_csv(path: Path, header: Sequence[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _seed_rows(name: str) -> dict[str, dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


def _roster_rows(spec: OrgSpec, snapshot: int) -> list[dict]:
    managers = {}
    for person in spec.people:
        if person.role == "manager" and person.teams[snapshot]:
            managers.setdefault(person.teams[snapshot], person.email.lower())
    return [
        {
            "engineer_id": person.engineer_id,
            "email": person.email,
            "github_login": person.github_login or "",
            "full_name": person.full_name,
            "team_id": person.teams[snapshot],
            "manager_email": "" if person.role == "manager" else managers.get(person.teams[snapshot], ""),
            "role": person.role,
            "is_engineer": "true" if person.is_engineer else "false",
        }
        for person in spec.people
        if person.teams[snapshot]
    ]


def write_landing(spec: OrgSpec, landing: Path) -> Path:
    """The organisation as generic contract v1 files under `landing` (which must not exist yet)."""
    landing.mkdir(parents=True)
    for index, day in enumerate(spec.snapshot_days):
        _write_csv(
            landing / "roster" / f"roster_{day.isoformat()}.csv",
            ("engineer_id", "email", "github_login", "full_name", "team_id", "manager_email", "role", "is_engineer"),
            _roster_rows(spec, index),
        )
    _write_csv(
        landing / "teams" / "teams.csv",
        ("team_id", "team_name", "org", "parent_org", "velocity_target"),
        [vars(team) for team in spec.teams],
    )
    repositories = {service.name: service.listed_repository or "" for service in spec.services}
    _write_csv(
        landing / "services" / "services.csv",
        ("service", "team_id", "valid_from", "valid_to", *(("repository",) if spec.repository_column else ())),
        [
            {
                "service": owner.service,
                "team_id": owner.team_id,
                "valid_from": owner.valid_from.isoformat(),
                "valid_to": owner.valid_to.isoformat() if owner.valid_to else "",
            }
            | ({"repository": repositories[owner.service]} if spec.repository_column else {})
            for owner in spec.ownerships
        ],
    )
    if spec.aliases:
        _write_csv(
            landing / "identities" / "identities.csv",
            ("identity", "identity_type", "engineer_id"),
            [vars(alias) for alias in spec.aliases],
        )
    _write_csv(
        landing / "licences" / "grants.csv",
        ("identity", "tool", "granted_at", "revoked_at", "plan", "monthly_cost_usd"),
        [
            {
                "identity": grant.identity,
                "tool": grant.tool,
                "granted_at": grant.granted_at.isoformat(),
                "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else "",
                "plan": grant.plan,
                "monthly_cost_usd": MONTHLY_COST[grant.tool],
            }
            for grant in spec.grants
        ],
    )
    records = expand(spec)
    for folder, by_day in (("deployments", records.deployments), ("usage", records.usage)):
        (landing / folder).mkdir()
        for day in spec.days:  # every day has its file; an empty one says "nothing that day"
            (landing / folder / f"{day.isoformat()}.ndjson").write_text(
                records.ndjson(by_day.get(day, [])), encoding="utf-8"
            )
    pull_requests = expand_pull_requests(spec, records)
    if pull_requests is not None:
        (landing / "pull_requests").mkdir()
        for day in spec.days:  # the feed's silent days are explicit too
            (landing / "pull_requests" / f"{day.isoformat()}.ndjson").write_text(
                records.ndjson(pull_requests.by_day.get(day, [])), encoding="utf-8"
            )
        for day, resent in pull_requests.resends.items():
            (landing / "pull_requests" / f"{day.isoformat()}.part2.ndjson").write_text(
                records.ndjson(resent), encoding="utf-8"
            )
    for name, rows in records.surveys.items():
        header = ("response_id", "survey_id", "respondent", "tool", "score", "submitted_at")
        _write_csv(landing / "surveys" / name, header, rows)
    if spec.metric_var_overrides:
        seed = _seed_rows("metric_vars")
        _write_csv(
            landing / "reference" / "metric_vars.csv",
            ("name", "value", "meaning"),
            [
                {"name": name, "value": value, "meaning": seed[name]["meaning"]}
                for name, value in spec.metric_var_overrides.items()
            ],
        )
    if spec.baseline:
        _write_csv(
            landing / "reference" / "velocity_programme.csv",
            ("programme", "baseline_start", "baseline_end", "target_tiers"),
            [
                {
                    "programme": "ai_velocity",
                    "baseline_start": spec.baseline[0].isoformat(),
                    "baseline_end": spec.baseline[1].isoformat(),
                    "target_tiers": "3|10",
                }
            ],
        )
    return landing
