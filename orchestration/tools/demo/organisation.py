"""The organisation: teams in orgs and parent orgs, people who join, leave and move at roster snapshots, and
the services teams own."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from orchestration.tools.demo.reference import Calendar, Reference, numbered
from orchestration.tools.demo.spec import (
    AREAS,
    DESIGNER,
    DIVISIONS,
    ENGINEER,
    FIRST_NAMES,
    FUNCTIONS,
    LAST_NAMES,
    MANAGER,
    NEVER,
    PRIMARY_SHARE,
    SERVICE_KINDS,
    SERVICE_NOUNS,
    SINCE_EVER,
    DemoSpec,
)


@dataclass(frozen=True)
class Teams:
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
    base_rate: np.ndarray  # original deploys per engineer per weekday before AI, before the shared trend and season
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


def build_teams(spec: DemoSpec, ref: Reference, rng: np.random.Generator) -> Teams:
    n = spec.teams
    org = _groups(n, 4, 8, rng)
    parent_of_org = _groups(int(org.max()) + 1, 3, 5, rng)
    org_names = [numbered(AREAS, index) for index in range(int(org.max()) + 1)]
    parent_names = [numbered(DIVISIONS, index) for index in range(int(parent_of_org.max()) + 1)]
    org_start = np.searchsorted(org, org)
    org_size = np.bincount(org)[org]
    within = np.arange(n) - org_start
    names = [f"{org_names[org[team]]} {numbered(FUNCTIONS, int(within[team]))}" for team in range(n)]

    target = np.full(n, 3)
    target[rng.choice(n, size=max(1, round(0.15 * n)), replace=False)] = 10
    cohort = target == 10
    share = np.array([PRIMARY_SHARE.get(tool, 0.05) for tool in ref.tools])
    floor = np.where(cohort, rng.uniform(0.3, 0.5, n), rng.uniform(0.15, 0.35, n))
    cap = np.where(cohort, rng.uniform(0.85, 0.97, n), rng.uniform(0.55, 0.92, n))
    mid = np.where(cohort, rng.uniform(5, 25, n), rng.uniform(12, 60, n))
    width = np.where(cohort, rng.uniform(3, 6, n), rng.uniform(4, 10, n))
    # a level that keeps the demo's deploy volume where it was when the uplift was part of it: the gates judging a
    # silent day by its weekday's volume are tested on the demo
    base_rate = rng.gamma(4.0, 0.12, n)
    # Earlier demos drew a per-team deploy uplift here (4 draws a team); the planted AI effect replaced it
    # (impact.py). Its draws are skipped, not removed, so that the tool mixes, people and usage drawn after them
    # stay what they were and the tests written against the demo keep their organisation.
    rng.random(4 * n)
    return Teams(
        team_id=[f"team-{team + 1:04d}" for team in range(n)],
        name=names,
        org=org,
        org_names=org_names,
        parent_names=parent_names,
        parent_of_org=parent_of_org,
        org_start=org_start,
        org_size=org_size,
        target=target,
        floor=floor,
        cap=cap,
        mid=mid,
        width=width,
        base_rate=base_rate,
        tool_mix=rng.dirichlet(20 * share / share.sum(), size=n),
    )


@dataclass(frozen=True)
class People:
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


def build_people(spec: DemoSpec, teams: Teams, cal: Calendar, rng: np.random.Generator) -> People:
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
    return People(
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
class Services:
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


def build_services(teams: Teams, cal: Calendar, rng: np.random.Generator) -> Services:
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
    return Services(names, team0, team1, transfer_day, weight, valid_from)
