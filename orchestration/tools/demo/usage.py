"""Usage events: a day's AI-tool events per identity (adopters, shadow users, contractors, staff, planted bot
bursts), written one NDJSON file a day in chunks."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.tools.demo.ndjson import json_lines, string_array, write_lines
from orchestration.tools.demo.reference import Reference, ranks
from orchestration.tools.demo.spec import (
    BOT_EVENTS_PER_BURST,
    DAY_SECONDS,
    EVENT_WEIGHT,
    UNATTRIBUTED_CONTRACTOR_SHARE,
    UNATTRIBUTED_NON_ENGINEER_SHARE,
)
from orchestration.tools.demo.world import World


class EventSampler:
    """Draws event types per tool from EVENT_WEIGHT, restricted to the tool's allowed activity types."""

    def __init__(self, ref: Reference) -> None:
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
    # Roster people's (person, tool) pairs with events this day and the second of their first event: the pull
    # requests read it, so that an AI trailer follows real use of its tool (the planted bot burst not included).
    active_person: np.ndarray
    active_tool: np.ndarray
    active_first_second: np.ndarray


def usage_day(world: World, day: int, sampler: EventSampler, rng: np.random.Generator) -> _DayEvents:
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
    rank = ranks(events)
    kind = sampler.sample(tool[group], rng)
    kind[rank == 0] = ref.interaction
    second = (start[group] + (rank + rng.random(total)) / events[group] * span[group]).astype(np.int64)
    # Quantities > 1 only on engineers' events, so unattributed activity stays under its event share.
    batched = (kind != ref.interaction) & attributed[group] & (rng.random(total) < 0.1)
    quantity = np.where(batched, rng.integers(2, 7, total), 0)
    # rows of roster people come before the contractors'; the first event of a row has rank 0
    active_tool, active_first_second = tool[: len(person)], second[rank == 0][: len(person)]
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
        active_person=person,
        active_tool=active_tool,
        active_first_second=active_first_second,
    )


USAGE_CHUNK = 1_000_000


def write_usage(path: Path, world: World, day: int, events: _DayEvents) -> None:
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
            lines = json_lines(
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
                    ("quantity", string_array(quantity, quantity == 0), False),
                ]
            )
            write_lines(handle, lines)
