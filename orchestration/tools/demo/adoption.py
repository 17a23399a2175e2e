"""People x tools: when each engineer adopts which AI tool (the team's logistic curve), grants and their
revocations, shadow users, contractors, and the identities each tool knows a person by."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.tools.demo.cases import Plan
from orchestration.tools.demo.organisation import People, Teams
from orchestration.tools.demo.reference import Calendar, Reference, categorical
from orchestration.tools.demo.spec import (
    DEFAULT_SECONDARY_PROBABILITY,
    FIRST_NAMES,
    LAST_NAMES,
    MAX_NEVER_USED_GRANTS_PER_TOOL_DAY,
    NEVER,
    PRIMARY_SHARE,
    SECONDARY_PROBABILITY,
)


@dataclass(frozen=True)
class Adoption:
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


def build_adoption(
    ref: Reference,
    cal: Calendar,
    teams: Teams,
    people: People,
    plan: Plan | None,
    rng: np.random.Generator,
) -> Adoption:
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
    return Adoption(
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
class Contractors:
    tool: np.ndarray
    identity: list[str]  # usage identity, per the tool's identity type
    email: list[str]  # what a deploy they trigger names
    start_day: np.ndarray
    work_start: np.ndarray

    @property
    def count(self) -> int:
        return len(self.tool)


def build_contractors(ref: Reference, cal: Calendar, people: People, rng: np.random.Generator) -> Contractors:
    count = max(2, round(0.012 * int((people.is_engineer & (people.join_day < 0)).sum())))
    share = np.array([PRIMARY_SHARE.get(tool, 0.05) for tool in ref.tools])
    tool = categorical(rng, share, count)
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
    return Contractors(tool, identity, email, start_day, rng.uniform(7 * 3600, 11 * 3600, count))


@dataclass(frozen=True)
class Identities:
    """Every usage identity string, indexed: people (4 forms) then contractors."""

    table: pa.Array
    index: np.ndarray  # people x tools -> usage identity index
    count_people: int

    def contractor(self, c: np.ndarray) -> np.ndarray:
        return 4 * self.count_people + c

    def is_contractor(self, index: np.ndarray) -> np.ndarray:
        return index >= 4 * self.count_people


def build_identities(ref: Reference, people: People, adoption: Adoption, contractors: Contractors) -> Identities:
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
    return Identities(pa.array(strings, pa.string()), index, count)


def grant_identity(ref: Reference, people: People, adoption: Adoption, person: int, tool: int) -> str:
    kind = ref.identity_types[tool]
    if kind == "login":
        return people.login[person]
    if kind == "vendor_id":
        return adoption.vendor_id[person]
    return people.email[person]
