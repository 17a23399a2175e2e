"""Deployments: original deploys per service-day (a shared trend and season, and the planted AI effect after a
team adopts), the planted spam, and the follow-ups a deploy brings (rollbacks, reverts, retries), written one
NDJSON file a day."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.tools.demo.adoption import Contractors
from orchestration.tools.demo.cases import Plan
from orchestration.tools.demo.impact import PlantedImpact
from orchestration.tools.demo.ndjson import json_lines, string_array, write_lines
from orchestration.tools.demo.organisation import People, Services, Teams
from orchestration.tools.demo.reference import Calendar, categorical, ranks
from orchestration.tools.demo.spec import (
    DAY_SECONDS,
    DEPLOY_BOTS,
    ENVIRONMENTS,
    ERROR,
    FAILURE,
    MAX_ORIGINAL_DEPLOYS_PER_SERVICE_DAY,
    ORIGINAL,
    PLANTED_FIRST,
    PLANTED_REDEPLOY,
    PREVIOUS_SHA,
    PRODUCTION,
    RETRY,
    REVERT_COMMIT,
    ROLLED_BACK,
    SPAM,
    SPAM_DEPLOYS,
    STAGING,
    STATUSES,
    SUCCESS,
    ZERO_LINE_DEPLOYS,
    ZERO_LINES,
)
from orchestration.tools.demo.world import World


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
class Deployments:
    rows: _DeployRows  # sorted by time
    deployment_id: np.ndarray  # per row (object strings)
    id_by_rid: np.ndarray
    sha_hex: np.ndarray
    triggers: list[str]


def _headcount(people: People, teams: Teams) -> np.ndarray:
    """Engineers per team, snapshots x teams."""
    return np.stack(
        [np.bincount(column[(column >= 0) & people.is_engineer], minlength=teams.count) for column in people.team_at.T]
    )


def team_members(people: People, teams: Teams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    cal: Calendar,
    people: People,
    contractors: Contractors,
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
    cal: Calendar,
    teams: Teams,
    people: People,
    services: Services,
    contractors: Contractors,
    plan: Plan | None,
    impact: PlantedImpact,
    counter: _Counter,
    shas: _Counter,
    members: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> tuple[_DeployRows, _DeployRows]:
    """Honest changes: a staging deploy, then (if staging passed) a production deploy. Per engineer, a team's rate
    is its own level times the trend and season every team shares, plus the planted AI effect from its adoption
    week on (impact.py)."""
    days = np.arange(cal.days)
    owner = services.owner(days)
    headcount = _headcount(people, teams)[cal.snapshot_of(days)[:, None], owner]
    weekday = cal.weekday(days)
    factor = np.where(weekday >= 5, 0.05, np.where(weekday == 4, 0.8, 1.0))[:, None]
    per_engineer = teams.base_rate[owner] * impact.common(days)[:, None] + impact.uplift(days, owner)
    rate = per_engineer * headcount * factor
    rate = rate * services.weight[None, :]
    rate[days[:, None] == services.transfer_day[None, :]] = 0  # no deploy on a handover day
    if plan is not None:
        for day, service in plan.blocked_service_days():
            rate[day, service] = 0
    per_cell = np.minimum(rng.poisson(rate), MAX_ORIGINAL_DEPLOYS_PER_SERVICE_DAY).ravel()
    cell = np.repeat(np.arange(per_cell.size), per_cell)
    day, service = np.divmod(cell, services.count)
    rank = ranks(per_cell[per_cell > 0])
    n = len(day)

    at = day * DAY_SECONDS + rng.integers(7 * 3600, 20 * 3600, n)
    lines = np.maximum(1, np.round(rng.lognormal(4.0, 1.3, n))).astype(np.int64)
    lines = np.where((rank == 0) & (rng.random(n) < 0.015), 0, lines)  # at most one zero-line per service-day
    lines = np.where(rng.random(n) < 0.07, -1, lines)
    trigger = _pick_triggers(rng, cal, people, contractors, members, day, owner[day, service])
    sha = shas.take(n)
    staging_status = categorical(rng, [0.96, 0.03, 0.01], n)
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
        status=categorical(rng, [0.905, 0.04, 0.02, 0.035], int(shipped.sum())),
        sha=sha[shipped],
    )
    return staging, production


def _planted_deploys(
    cal: Calendar,
    people: People,
    services: Services,
    plan: Plan,
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
    cal: Calendar,
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


def sha_hex(count: int, rng: np.random.Generator) -> np.ndarray:
    table = np.frombuffer(b"".join(f"{value:02x}".encode() for value in range(256)), dtype=np.uint8)
    table = table.reshape(256, 2)
    raw = rng.integers(0, 256, (count, 20), dtype=np.uint8)
    return np.ascontiguousarray(table[raw].reshape(count, 40)).view("S40").ravel().astype(str)


def build_deployments(
    cal: Calendar,
    teams: Teams,
    people: People,
    services: Services,
    contractors: Contractors,
    plan: Plan | None,
    impact: PlantedImpact,
    rng: np.random.Generator,
) -> tuple[Deployments, np.ndarray]:
    counter, shas = _Counter(), _Counter()
    members = team_members(people, teams)
    staging, production = _original_deploys(
        cal, teams, people, services, contractors, plan, impact, counter, shas, members, rng
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
    number = pc.utf8_lpad(pc.cast(pa.array(ranks(per_day) + 1), pa.string()), 5, "0")
    deployment_id = np.asarray(
        pc.binary_join_element_wise(prefix.take(pa.array(day)), number, "").to_numpy(zero_copy_only=False)
    )
    id_by_rid = np.empty(counter.value, dtype=object)
    id_by_rid[rows.rid] = deployment_id
    triggers = people.email + people.login + list(DEPLOY_BOTS) + contractors.email
    deployments = Deployments(rows, deployment_id, id_by_rid, sha_hex(shas.value, rng), triggers)
    return deployments, previous_sha_targets


def write_deployments(landing: Path, world: "World", deployments: Deployments) -> None:
    cal, rows = world.cal, deployments.rows
    folder = landing / "deployments"
    folder.mkdir(parents=True, exist_ok=True)
    rollback = rows.rollback_of >= 0
    rollback_ids = np.where(rollback, deployments.id_by_rid[np.maximum(rows.rollback_of, 0)], None)
    lines = json_lines(
        [
            ("deployment_id", pa.array(deployments.deployment_id, pa.string()), True),
            ("service", pa.array(world.services.name).take(pa.array(rows.service)), True),
            ("environment", pa.array(ENVIRONMENTS).take(pa.array(rows.environment)), True),
            ("commit_sha", pa.array(deployments.sha_hex).take(pa.array(rows.sha)), True),
            ("status", pa.array(STATUSES).take(pa.array(rows.status)), True),
            ("deployed_at", pa.array(cal.timestamps(rows.at)), True),
            ("triggered_by", pa.array(deployments.triggers).take(pa.array(rows.trigger)), True),
            ("lines_changed", string_array(rows.lines, rows.lines < 0), False),
            ("rollback_of", pa.array(rollback_ids, pa.string()), True),
        ]
    )
    bounds = np.searchsorted(rows.at // DAY_SECONDS, np.arange(cal.days + 1))
    for day in range(cal.days):
        with (folder / f"{cal.iso(day)}.ndjson").open("wb") as handle:
            write_lines(handle, lines.slice(bounds[day], bounds[day + 1] - bounds[day]))
