"""The volume-aware gates as functions, on honest organisations drawn at random (no pipeline).

An honest organisation here: tools with one to several hundred users, each active on a day with its own
probability, some weekday-only, public holidays on which nobody works, deployments of 1 to 300 teams with
quiet weekends. Its landing files are generic (an empty file on a quiet day) or vendor exports (no empty
file: the days inside an export's span count as covered). The gates must never block such an organisation,
and must block a planted broken feed that its volume makes obvious.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data_quality.drift import awaited_days, feed_silences, jump_chance, quarantine_chance, tool_silences

FALSE_ALARM_RATE, WARN_RATE, TOLERANCE = 0.001, 0.05, 0.01  # the shipped metric_vars
FIRST = date(2026, 1, 5)  # a Monday
DAYS = [FIRST + timedelta(days=offset) for offset in range(42)]
RUN = DAYS[-7:]  # the gates judge the last week; the five before are history
HONEST = settings(max_examples=300, deadline=None, derandomize=True)


@dataclass
class Organisation:
    users_by_tool: dict[str, dict[date, int]]  # distinct active identities per tool and day
    deploys: dict[date, int]
    holidays: set[date]
    generic_files: bool  # an empty generic file on a quiet day; vendor exports have none


def draw_organisation(seed: int) -> Organisation:
    rng = np.random.default_rng(seed)
    holidays = {day for day in DAYS if day.weekday() < 5 and rng.random() < 0.04}
    users_by_tool = {}
    for tool in range(rng.integers(1, 7)):
        users = int(np.exp(rng.uniform(0, np.log(600))))  # one to hundreds, log-uniform: many niche tools
        weekday_share = rng.uniform(0.1, 0.95)
        weekend_share = weekday_share * rng.choice([0.0, 0.05, 0.3, 1.0])  # weekday-only to every day
        users_by_tool[f"tool-{tool}"] = {
            day: 0
            if day in holidays
            else int(rng.binomial(users, weekday_share if day.weekday() < 5 else weekend_share))
            for day in DAYS
        }
    teams = int(rng.integers(1, 301))
    deploy_rate = teams * rng.uniform(0.05, 2.0)
    deploys = {
        day: 0 if day in holidays or day.weekday() >= 5 else int(rng.poisson(deploy_rate * rng.uniform(0.6, 1.4)))
        for day in DAYS
    }
    return Organisation(users_by_tool, deploys, holidays, generic_files=bool(rng.random() < 0.5))


def landing_cover(days_with_records: set[date], organisation: Organisation) -> tuple[set[date], frozenset[date]]:
    """The days the landing covers (every day has a generic file, or the span of the vendor exports) and
    the days just after the exports' last that they may not have reached yet."""
    if organisation.generic_files:
        return set(DAYS), frozenset()
    delivered = {day for day in DAYS if min(days_with_records) <= day <= max(days_with_records)}
    return delivered, awaited_days(max(days_with_records), RUN, delivered)


def tool_rows(organisation: Organisation) -> list[dict]:
    per_tool = {tool: {day: n for day, n in counts.items() if n} for tool, counts in organisation.users_by_tool.items()}
    busy = {day for counts in per_tool.values() for day in counts}
    if not busy:
        return []
    delivered, awaited = landing_cover(busy, organisation)
    return tool_silences(per_tool, delivered, RUN, FALSE_ALARM_RATE, WARN_RATE, awaited)


def deploy_rows(organisation: Organisation) -> list[dict]:
    busy = {day for day, n in organisation.deploys.items() if n}
    if not busy:
        return []
    delivered, awaited = landing_cover(busy, organisation)
    counts = dict.fromkeys(delivered, 0) | {day: n for day, n in organisation.deploys.items() if n}
    return feed_silences(counts, delivered, RUN, FALSE_ALARM_RATE, WARN_RATE, awaited)


def errors(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["severity"] == "ERROR"]


@HONEST
@given(st.integers(0, 2**32 - 1))
def test_an_honest_organisation_is_never_blocked_for_silence(seed):
    organisation = draw_organisation(seed)
    assert errors(tool_rows(organisation)) == []
    assert errors(deploy_rows(organisation)) == []


def test_the_measured_false_alarm_rate_is_below_the_stated_one():
    """Over 300 honest organisations, the share of judged silent days that block (the README's figure)."""
    judged = blocked = 0
    for seed in range(300):
        organisation = draw_organisation(seed)
        judged += (len(organisation.users_by_tool) + 1) * len(RUN)  # every tool-day and deploy-day of the run
        blocked += len(errors(tool_rows(organisation))) + len(errors(deploy_rows(organisation)))
    assert judged > 5_000
    assert blocked / judged <= FALSE_ALARM_RATE


@HONEST
@given(st.integers(0, 2**32 - 1), st.sampled_from(RUN))
def test_a_busy_tool_going_silent_blocks(seed, day):
    assume(day not in draw_organisation(seed).holidays)
    """The broken feed: a tool that normally has a crowd on that weekday reports nobody, others report."""
    organisation = draw_organisation(seed)
    workdays = [past for past in DAYS if past not in organisation.holidays]
    organisation.users_by_tool["busy"] = {past: 0 if past == day else 40 for past in workdays}
    organisation.users_by_tool["other"] = dict.fromkeys(workdays, 3)
    assert [(row["day"], row["tool"]) for row in errors(tool_rows(organisation))] == [(day.isoformat(), "busy")]


@given(st.sampled_from(RUN))
def test_a_missing_deployment_day_blocks_only_when_no_file_covers_it(day):
    deploys = {past: 30 for past in DAYS}
    counts = {past: n for past, n in deploys.items() if past != day}
    [missing] = feed_silences(counts, set(counts), RUN, FALSE_ALARM_RATE, WARN_RATE)
    assert (missing["day"], missing["severity"], missing["expected"]) == (day.isoformat(), "ERROR", 30)
    explicit = feed_silences({**counts, day: 0}, {*counts, day}, RUN, FALSE_ALARM_RATE, WARN_RATE)
    assert [(row["severity"], row["excuse"]) for row in explicit] == [("WARN", "delivered empty")]
    awaited = feed_silences(counts, set(counts), RUN, FALSE_ALARM_RATE, WARN_RATE, frozenset({day}))
    assert [(row["severity"], row["excuse"]) for row in awaited] == [("WARN", "not exported yet")]


def test_a_niche_tool_silent_on_a_sunday_is_not_even_a_warning():
    """Two or three users on each of seven days, none on the Sunday: ordinary for two or three people."""
    sunday = RUN[-1]
    niche = {day: 2 + day.day % 2 for day in DAYS if day != sunday}
    busy = {day: 200 for day in DAYS}
    assert tool_silences({"niche": niche, "busy": busy}, set(DAYS), [sunday], FALSE_ALARM_RATE, WARN_RATE) == []


def test_a_day_every_tool_is_silent_on_a_delivered_day_only_warns():
    holiday = RUN[0]
    per_tool = {"a": {day: 90 for day in DAYS if day != holiday}, "b": {day: 40 for day in DAYS if day != holiday}}
    rows = tool_silences(per_tool, set(DAYS), RUN, FALSE_ALARM_RATE, WARN_RATE)
    assert {(row["tool"], row["severity"]) for row in rows} == {("a", "WARN"), ("b", "WARN")}
    undelivered = tool_silences(per_tool, set(DAYS) - {holiday}, RUN, FALSE_ALARM_RATE, WARN_RATE)
    assert {(row["tool"], row["severity"]) for row in undelivered} == {("a", "ERROR"), ("b", "ERROR")}


def test_too_little_history_judges_nothing():
    day = DAYS[8]
    counts = {past: 500 for past in DAYS[:8] if past.weekday() != day.weekday()}  # no same weekday, a gap
    assert feed_silences(counts, set(counts), [day], FALSE_ALARM_RATE, WARN_RATE) == []


@HONEST
@given(st.integers(1, 5_000_000), st.floats(0, TOLERANCE / 2), st.integers(0, 2**32 - 1))
def test_an_honest_quarantine_share_never_blocks(readable, broken_rate, seed):
    quarantined = int(np.random.default_rng(seed).binomial(readable, broken_rate))
    chance = quarantine_chance(quarantined, readable, TOLERANCE)
    assert chance is None or chance >= FALSE_ALARM_RATE


@pytest.mark.parametrize(
    ("quarantined", "readable", "blocks"),
    [
        (1, 40, False),  # 2.5% of a small day: one record is no evidence
        (2, 40, False),
        (5, 40, True),  # 12.5%: a broken file
        (10_500, 1_000_000, True),  # 1.05% of a million: the tolerance really is exceeded
        (10_050, 1_000_000, False),  # 1.005%: within what chance gives at the tolerated rate
        (3_000, 100_000, True),
        (0, 0, False),
    ],
)
def test_the_quarantine_gate_weighs_the_share_by_the_volume(quarantined, readable, blocks):
    chance = quarantine_chance(quarantined, readable, TOLERANCE)
    assert (chance is not None and chance < FALSE_ALARM_RATE) == blocks


@HONEST
@given(st.integers(1, 3_000), st.floats(0.01, 3.0), st.integers(0, 2**32 - 1))
def test_an_honest_org_week_never_jumps_beyond_chance(headcount, rate_per_engineer, seed):
    """Two weeks of an org deploying at one steady rate: however lopsided the counts, no block."""
    before, after = np.random.default_rng(seed).poisson(rate_per_engineer * headcount, size=2)
    if before and after and max(before / after, after / before) >= 10:
        assert jump_chance(int(before), headcount, int(after), headcount) >= FALSE_ALARM_RATE
