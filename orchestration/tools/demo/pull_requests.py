"""Pull requests: who merged what into which repository, when, with which commits, and which AI tool (if any)
left its trailers in them; with the planted pr_splitting and attribution_without_usage cases.

The model, in short:
- every original change a service deploys (a staging deploy, then production when staging passed) and every
  revert commit is the merge commit of one pull request, merged minutes before its first deploy: lead time
  rule merge_commit; further pull requests merged in between ride along with the next deploy of their
  repository (after_merge), a few are never deployed, and the handbook repository is built into no service;
- engineers merge about PULL_REQUESTS_PER_ENGINEER_WEEKDAY a weekday, their team's deploys' pull requests
  included; sizes are lognormal (median ~100 lines); about 6% of pull requests are closed unmerged;
- commits are authored before the pull request is opened, which is before its first review, before the merge;
- an AI tool's trailer is written only into a commit authored after its author's first use of that tool on
  the commit's day (so within 24 hours), and only when the author used some AI tool in the week of the merge:
  honest data raises no attribution_without_usage guard. The Copilot coding agent opens a few pull requests
  itself (copilot-swe-agent[bot], for engineers using Copilot that day).

Drawn from their own random stream, after everything else is built: no earlier draw changes.
"""

from dataclasses import dataclass, replace

import numpy as np

from orchestration.tools.demo.deployments import Deployments, sha_hex, team_members
from orchestration.tools.demo.pull_request_text import PROSE_MENTIONS, SUBJECTS, TRAILERS
from orchestration.tools.demo.reference import categorical, ranks
from orchestration.tools.demo.spec import (
    DAY_SECONDS,
    ORIGINAL,
    PR_CLOSED_UNMERGED_SHARE,
    PR_DOCS_SHARE,
    PR_SPLITTING_COUNT,
    PULL_REQUESTS_PER_ENGINEER_WEEKDAY,
    REVERT_COMMIT,
    STAGING,
)
from orchestration.tools.demo.world import World

# How a pull request came to be (ground truth only).
HONEST, ANCHOR, REVERT, SPLIT, DECORATED = range(5)
DECORATED_EXTRA = 3  # pull requests the decorating engineer merges besides their own that week
AI_WHEN_USED = 0.7  # chance that a pull request whose author used their tool before a commit carries its trailers


@dataclass(frozen=True)
class Activity:
    """Second of each roster person's first event with each tool on each day, -1 without one (days x people x tools)."""

    first_second: np.ndarray

    @classmethod
    def empty(cls, days: int, people: int, tools: int) -> "Activity":
        return cls(np.full((days, people, tools), -1, dtype=np.int32))

    def add(self, day: int, person: np.ndarray, tool: np.ndarray, second: np.ndarray) -> None:
        self.first_second[day, person, tool] = second


@dataclass(frozen=True)
class PullRequests:
    kind: np.ndarray
    author: np.ndarray  # person index (the engineer who assigned the Copilot agent, for the agent's)
    is_bot: np.ndarray  # opened by the Copilot coding agent
    repository: np.ndarray  # service index; services.count for the handbook
    merged: np.ndarray
    at: np.ndarray  # merged (else closed), seconds since the start of day 0
    created: np.ndarray
    review: np.ndarray  # first review, -1 when never reviewed
    merge_sha: np.ndarray  # strings, "" when unmerged
    subject: np.ndarray  # index into SUBJECTS
    lines: np.ndarray
    deletions: np.ndarray
    changed_files: np.ndarray
    tool: np.ndarray  # AI tool index whose trailers the commits carry, -1 for none
    branch_prefixed: np.ndarray  # the head branch carries the tool's agent prefix
    labels: np.ndarray  # index into LABEL_SETS
    ai_label: np.ndarray
    email_author: np.ndarray  # the exporter wrote the author's email, not the login
    number: np.ndarray
    commit_start: np.ndarray  # commits of pull request i are commit_start[i]:commit_start[i + 1]
    commit_at: np.ndarray
    commit_sha: np.ndarray
    commit_subject: np.ndarray  # index into SUBJECTS, or -1 - index into PROSE_MENTIONS
    commit_trailer: np.ndarray  # index into TRAILERS[tool], -1 for none
    commit_email: np.ndarray  # the commit's author is its email (not linked to a GitHub account)
    splitter: int  # person of the planted pr_splitting case, -1 without
    split_week: int  # its week's first day
    decorator: int  # person of the planted attribution_without_usage case, -1 without
    decorated_week: int

    def __len__(self) -> int:
        return len(self.kind)

    def day(self) -> np.ndarray:
        return self.at // DAY_SECONDS

    def take(self, index: np.ndarray) -> "PullRequests":
        """The pull requests at `index`, in that order, with their commits."""
        counts = np.diff(self.commit_start)[index]
        commits = np.repeat(self.commit_start[index], counts) + ranks(counts)
        per_pull = {name: getattr(self, name)[index] for name in _PER_PULL_REQUEST}
        per_commit = {name: getattr(self, name)[commits] for name in _PER_COMMIT}
        return replace(self, **per_pull, **per_commit, commit_start=np.r_[0, np.cumsum(counts)])


_PER_COMMIT = ("commit_at", "commit_sha", "commit_subject", "commit_trailer", "commit_email")
_PER_PULL_REQUEST = tuple(
    name
    for name in PullRequests.__dataclass_fields__
    if name not in (*_PER_COMMIT, "commit_start", "splitter", "split_week", "decorator", "decorated_week")
)


def _pick_members(members, snapshot: np.ndarray, team: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random engineer of each (snapshot, team), -1 where the team has none."""
    flat, start, size = members
    count = size[snapshot, team]
    offset = np.floor(rng.random(len(team)) * count).astype(np.int64)
    person = flat[np.minimum(start[snapshot, team] + offset, len(flat) - 1)] if len(flat) else offset
    return np.where(count > 0, person, -1)


def _team_service(world: World, team: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A service first owned by each team, by the services' weights; the handbook for PR_DOCS_SHARE of them."""
    services = world.services
    order = np.argsort(services.team0, kind="stable")
    within = np.cumsum(services.weight[order])
    team_of = services.team0[order]
    # each team's weights sum to 1: cumulated within the team and offset by its index, one searchsorted draws all
    cumulative = within - np.r_[0.0, within][np.searchsorted(team_of, team_of)] + team_of
    index = np.minimum(np.searchsorted(cumulative, team + rng.random(len(team)), side="right"), services.count - 1)
    chosen = order[index]
    chosen = np.where(services.team0[chosen] == team, chosen, services.count)  # a team without a service
    return np.where(rng.random(len(team)) < PR_DOCS_SHARE, services.count, chosen)


def _anchors(world: World, deployments: Deployments, members, rng: np.random.Generator) -> dict:
    """One pull request per original change and revert commit, merged before its first deploy."""
    cal, rows = world.cal, deployments.rows
    revert = rows.kind == REVERT_COMMIT
    index = np.flatnonzero(((rows.kind == ORIGINAL) & (rows.environment == STAGING)) | revert)
    n = len(index)
    before = np.where(revert[index], rng.integers(300, 1500, n), rng.integers(600, 3600, n))
    at = rows.at[index] - before
    day = np.clip(at // DAY_SECONDS, 0, cal.days - 1)
    service = rows.service[index]
    team = world.services.owner(np.arange(cal.days))[day, service]
    author = _pick_members(members, cal.snapshot_of(day), team, rng)
    keep = (at >= 0) & (author >= 0)
    return {
        "kind": np.where(revert[index], REVERT, ANCHOR)[keep],
        "author": author[keep],
        "repository": service[keep],
        "at": at[keep],
        "merged": np.ones(int(keep.sum()), dtype=bool),
        "merge_sha": deployments.sha_hex[rows.sha[index]][keep],
    }


def _honest(world: World, anchors: dict, members, productivity: np.ndarray, rng: np.random.Generator) -> dict:
    """Each engineer's other pull requests of a day: the day's rate less the team's deploys' share per head."""
    cal, people, teams = world.cal, world.people, world.teams
    days = np.arange(cal.days)
    snapshot = cal.snapshot_of(days)
    team_at = people.team_at[:, snapshot].T  # days x people
    present = (team_at >= 0) & people.is_engineer[None, :]
    present &= (people.join_day[None, :] <= days[:, None]) & (days[:, None] < people.leave_day[None, :])
    _, _, size = members
    headcount = size[snapshot]  # days x teams
    anchor_team = world.services.owner(days)[anchors["at"] // DAY_SECONDS, anchors["repository"]]
    per_team = np.zeros((cal.days, teams.count))
    np.add.at(per_team, (anchors["at"] // DAY_SECONDS, anchor_team), 1)
    weekday = cal.weekday(days)
    factor = np.where(weekday >= 5, 0.04, np.where(weekday == 4, 0.9, 1.0))[:, None]
    team = np.maximum(team_at, 0)
    share = np.take_along_axis(per_team / np.maximum(headcount, 1), team, axis=1)
    rate = np.where(present, PULL_REQUESTS_PER_ENGINEER_WEEKDAY * factor * productivity[None, :] - share, 0)
    count = rng.poisson(np.maximum(rate, 0)).ravel()
    cell = np.repeat(np.arange(count.size), count)
    day, author = np.divmod(cell, people.count)
    n = len(day)
    at = day * DAY_SECONDS + world.adoption.work_start[author] + rng.uniform(3600, 9 * 3600, n)
    return {
        "kind": np.full(n, HONEST),
        "author": author,
        "repository": _team_service(world, team_at[day, author], rng),
        "at": np.minimum(at.astype(np.int64), (day + 1) * DAY_SECONDS - 60),
        "merged": rng.random(n) >= PR_CLOSED_UNMERGED_SHARE,
        "merge_sha": np.full(n, ""),
    }


def _weekdays_of(world: World, week: int, count: int, person: int, rng: np.random.Generator) -> dict:
    """`count` merged pull requests of `person` on the weekdays of the week starting on day `week`."""
    day = week + rng.integers(0, 5, count)
    at = day * DAY_SECONDS + int(world.adoption.work_start[person]) + rng.integers(1800, 9 * 3600, count)
    team = world.people.team_at[person, world.cal.snapshot_of(day)]
    return {
        "author": np.full(count, person),
        "repository": _team_service(world, team, rng),
        "at": at,
        "merged": np.ones(count, dtype=bool),
        "merge_sha": np.full(count, ""),
    }


def _full_weeks(world: World) -> np.ndarray:
    """First days of the weeks (Monday to Sunday) wholly inside the window."""
    first = int((7 - world.cal.weekday(0)) % 7)
    return np.arange(first, world.cal.days - 6, 7)


def _engineers_through(world: World, first: int, last: int, exclude: tuple[int, ...] = ()) -> np.ndarray:
    """Engineers on the roster from day `first` to `last`, but the planted bot and survey stuffer and `exclude`."""
    people, plan = world.people, world.plan
    chosen = people.is_engineer & (people.join_day <= first) & (people.leave_day > last)
    chosen[list(exclude)] = False
    if plan is not None:
        chosen[[plan.bot_person, plan.stuffer]] = False
    return np.flatnonzero(chosen)


def _week_active(world: World, activity: Activity, week: int) -> np.ndarray:
    """Per person: any AI tool used in the week starting on day `week` (days inside the window)."""
    return (activity.first_second[max(week, 0) : week + 7] >= 0).any(axis=(0, 2))


def _planted_decorator(world: World, activity: Activity, exclude: int, rng: np.random.Generator) -> tuple[int, int]:
    """An engineer without any AI use in a whole week on the roster, and that week (the latest such)."""
    for week in _full_weeks(world)[::-1]:
        silent = ~_week_active(world, activity, int(week))
        candidates = [p for p in _engineers_through(world, int(week), int(week) + 6, (exclude,)) if silent[p]]
        if candidates:
            return int(rng.choice(candidates)), int(week)
    raise ValueError(
        "plant_cases needs an engineer without AI tool use for a whole week (attribution_without_usage): "
        "raise teams or days"
    )


def _planted(world: World, activity: Activity, rng: np.random.Generator) -> tuple[list[dict], tuple[int, ...]]:
    """The planted splitter's tiny pull requests and the decorator's extra ones; (splitter, its week, decorator,
    its week), -1 without planted cases."""
    if world.plan is None:
        return [], (-1, -1, -1, -1)
    weeks = _full_weeks(world)
    if not len(weeks):
        raise ValueError("plant_cases needs a whole week (Monday to Sunday) in the window: raise days")
    split_week = int(weeks[len(weeks) // 2])
    splitter = int(rng.choice(_engineers_through(world, split_week, split_week + 6)))
    split = {
        "kind": np.full(PR_SPLITTING_COUNT, SPLIT),
        **_weekdays_of(world, split_week, PR_SPLITTING_COUNT, splitter, rng),
    }
    decorator, decorated_week = _planted_decorator(world, activity, splitter, rng)
    extra = _weekdays_of(world, decorated_week, DECORATED_EXTRA, decorator, rng)
    return [split, {"kind": np.full(DECORATED_EXTRA, DECORATED), **extra}], (
        splitter,
        split_week,
        decorator,
        decorated_week,
    )


def _timeline(kind: np.ndarray, at: np.ndarray, rng: np.random.Generator) -> dict:
    """Opened, first reviewed, sizes and commits (authored before the pull request is opened) of each."""
    n = len(kind)
    split = kind == SPLIT
    cycle = np.where(
        split, rng.uniform(600, 2400, n), np.clip(rng.lognormal(np.log(18 * 3600), 1.0, n), 900, 8 * DAY_SECONDS)
    )
    created = at - cycle.astype(np.int64)
    reviewed = split | (rng.random(n) >= 0.12)  # some pull requests are merged without a review
    review = np.where(reviewed, created + (cycle * rng.uniform(0.05, 0.7, n)).astype(np.int64), -1)
    lines = np.where(split, rng.integers(2, 13, n), np.maximum(1, np.round(rng.lognormal(np.log(100), 1.1, n))))
    lines = lines.astype(np.int64)
    deletions = np.maximum(np.minimum(np.round(lines * rng.beta(2, 5, n)).astype(np.int64), lines - 1), 0)
    changed_files = np.clip(1 + rng.poisson(lines / 80), 1, np.maximum(lines, 1))

    commits = np.where(split, 1, 1 + np.minimum(rng.poisson(1.2, n), 7))
    start = np.r_[0, np.cumsum(commits)]
    owner = np.repeat(np.arange(n), commits)
    rank = np.arange(len(owner)) - start[owner]
    first = created - np.clip(rng.lognormal(np.log(2 * 3600), 1.2, n), 120, 3 * DAY_SECONDS).astype(np.int64)
    span = np.maximum(created - 60 - first, 1)
    offset = np.where(rank == 0, 0, rng.random(len(owner)) * span[owner]).astype(np.int64)
    subject = rng.integers(0, len(SUBJECTS), n)
    last = rank == commits[owner] - 1  # the last commit's subject is the pull request's title
    return {
        "created": created,
        "review": review,
        "lines": lines,
        "deletions": deletions,
        "changed_files": changed_files,
        "commit_start": start,
        "owner": owner,
        "commit_at": first[owner] + offset[np.lexsort((offset, owner))],  # in order within each pull request
        "subject": subject,
        "commit_subject": np.where(last, subject[owner], rng.integers(0, len(SUBJECTS), len(owner))),
    }


def _tool_used_before(world: World, activity: Activity, author: np.ndarray, owner: np.ndarray, commit_at: np.ndarray):
    """Per pull request the trailer-writing tool it may carry (the author's primary tool), and per commit whether
    the author used that tool in the 24 hours before it: earlier on the commit's day, or on the day before at a
    later time of day (the first use of each day is what is known)."""
    ref = world.ref
    trailer_tools = [ref.tools.index(name) for name in TRAILERS if name in ref.tools]
    tool = np.where(np.isin(world.adoption.primary[author], trailer_tools), world.adoption.primary[author], -1)
    if world.plan is not None:
        tool[author == world.plan.bot_person] = -1  # the bot's own use is excluded by its guard
    commit_tool = tool[owner]
    day, second = np.divmod(commit_at, DAY_SECONDS)
    eligible = np.zeros(len(owner), dtype=bool)
    for before, earlier in ((0, lambda used: used < second), (1, lambda used: used > second)):
        inside = (day - before >= 0) & (day - before < world.cal.days) & (commit_tool >= 0)
        used = np.full(len(owner), -1, dtype=np.int64)
        used[inside] = activity.first_second[day[inside] - before, author[owner][inside], commit_tool[inside]]
        eligible |= inside & (used >= 0) & earlier(used)
    return tool, eligible


def _active_in_week_of(world: World, activity: Activity, author: np.ndarray, week: np.ndarray) -> np.ndarray:
    """Whether each author used any AI tool in the given week (first day of the week, per pull request)."""
    active = np.zeros(len(author), dtype=bool)
    for first in np.unique(week):
        mine = week == first
        active[mine] = _week_active(world, activity, int(first))[author[mine]]
    return active


def build_pull_requests(
    world: World, deployments: Deployments, activity: Activity, rng: np.random.Generator
) -> PullRequests:
    cal, people, ref = world.cal, world.people, world.ref
    members = team_members(people, world.teams)
    productivity = rng.gamma(8.0, 1 / 8, people.count)
    parts = [_anchors(world, deployments, members, rng)]
    parts.append(_honest(world, parts[0], members, productivity, rng))
    planted, (splitter, split_week, decorator, decorated_week) = _planted(world, activity, rng)
    base = {name: np.concatenate([part[name] for part in parts + planted]) for name in parts[0]}
    kind, author, at, merged = base["kind"], base["author"], base["at"], base["merged"]
    n = len(kind)
    timeline = _timeline(kind, at, rng)
    owner, commit_at = timeline["owner"], timeline["commit_at"]

    # AI tools: a trailer only after the author's use of its tool that day, and in a week with AI use
    tool, eligible = _tool_used_before(world, activity, author, owner, commit_at)
    week_of_merge = at // DAY_SECONDS - cal.weekday(at // DAY_SECONDS)
    can = np.zeros(n, dtype=bool)
    np.logical_or.at(can, owner, eligible)
    can &= _active_in_week_of(world, activity, author, week_of_merge)
    ai = can & merged & np.isin(kind, (HONEST, ANCHOR)) & (rng.random(n) < AI_WHEN_USED)
    last_eligible = np.full(n, -1)
    np.maximum.at(last_eligible, owner[eligible], np.flatnonzero(eligible))
    trailed = ai[owner] & eligible & (rng.random(len(owner)) < 0.7)
    trailed[last_eligible[ai]] = True
    commit_tool = tool[owner]
    tool = np.where(ai, tool, -1)
    copilot = ref.tools.index("github_copilot") if "github_copilot" in ref.tools else -2
    every = np.ones(n, dtype=bool)  # the agent writes every commit: each one after the engineer's use that day
    np.logical_and.at(every, owner, eligible)
    is_bot = ai & every & (kind == HONEST) & (tool == copilot) & (rng.random(n) < 0.15)
    branch_prefixed = ai & ~is_bot & (tool != copilot) & (rng.random(n) < 0.25)
    labels = categorical(rng, [0.7, 0.1, 0.1, 0.05, 0.05], n)
    ai_label = ai & (rng.random(n) < 0.1)
    prose = ~ai[owner] & (rng.random(len(owner)) < 0.03)
    commit_subject = timeline["commit_subject"]
    commit_subject = np.where(prose, -1 - rng.integers(0, len(PROSE_MENTIONS), len(owner)), commit_subject)
    variants = np.array([len(TRAILERS.get(name, ("",))) for name in ref.tools])
    commit_trailer = (rng.random(len(owner)) * variants[np.maximum(commit_tool, 0)]).astype(np.int64)
    commit_trailer = np.where(trailed & ~is_bot[owner], commit_trailer, -1)  # the agent is the commits' author

    # The planted decoration: strong trailers on every commit of the week's merged pull requests, no use at all
    if decorator >= 0:
        decorated = (author == decorator) & merged & (week_of_merge == decorated_week)
        tool[decorated] = ref.tools.index("claude_code")
        commit_trailer[decorated[owner]] = 0
        is_bot[decorated] = branch_prefixed[decorated] = ai_label[decorated] = False

    commit_email = (rng.random(len(owner)) < 0.3) & ~is_bot[owner]
    merge_sha = base["merge_sha"].astype(object)
    new = merged & (merge_sha == "")
    merge_sha[new] = sha_hex(int(new.sum()), rng)
    number = _numbers(base["repository"], timeline["created"], world.services.count + 1, rng)
    email_author = (rng.random(n) < 0.1) & ~np.isin(kind, (SPLIT, DECORATED))  # a planted case is named by login
    return PullRequests(
        kind=kind,
        author=author,
        is_bot=is_bot,
        repository=base["repository"],
        merged=merged,
        at=at,
        created=timeline["created"],
        review=timeline["review"],
        merge_sha=merge_sha,
        subject=timeline["subject"],
        lines=timeline["lines"],
        deletions=timeline["deletions"],
        changed_files=timeline["changed_files"],
        tool=tool,
        branch_prefixed=branch_prefixed,
        labels=labels,
        ai_label=ai_label,
        email_author=email_author,
        number=number,
        commit_start=timeline["commit_start"],
        commit_at=commit_at,
        commit_sha=sha_hex(len(owner), rng),
        commit_subject=commit_subject,
        commit_trailer=commit_trailer,
        commit_email=commit_email,
        splitter=splitter,
        split_week=split_week,
        decorator=decorator,
        decorated_week=decorated_week,
    )


def _numbers(repository: np.ndarray, created: np.ndarray, repositories: int, rng: np.random.Generator) -> np.ndarray:
    """Pull request numbers: consecutive per repository in order of creation, from where its history is."""
    order = np.lexsort((created, repository))
    first = rng.integers(100, 3000, repositories)
    counts = np.bincount(repository, minlength=repositories)
    rank = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
    number = np.empty(len(order), dtype=np.int64)
    number[order] = first[repository[order]] + rank
    return number
