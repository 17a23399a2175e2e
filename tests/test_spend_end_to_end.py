"""mart_tool_spend_monthly of the demo against an independent computation from its landing files: seats prorated by
day from grants.csv and tools.csv prices, usage from the spend files, and the part of it no engineer spent (an
identity on no roster, a person who is no engineer that day, a bot)."""

import calendar
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import pytest

from tests.conftest import DemoRun
from tests.metrics_oracle import Landing
from tests.oracle_reading import csv_rows, month_start, utc
from tests.spend_files import spent_in_files

CENT = 0.005 + 1e-9  # the mart rounds each tool-month to the cent


def seat_costs(data: Landing) -> dict[tuple[str, date], float]:
    latest = {}
    for row in csv_rows(data.landing / "licences" / "grants.csv"):
        latest[(row["identity"].lower(), row["tool"], utc(row["granted_at"]))] = row
    costs: dict[tuple[str, date], float] = defaultdict(float)
    for row in latest.values():
        tool = data.tools[row["tool"]]
        if not tool.requires_licence:
            continue
        monthly = float(row["monthly_cost_usd"]) if row["monthly_cost_usd"] else tool.monthly_cost_usd
        granted, revoked = utc(row["granted_at"]).date(), utc(row["revoked_at"]).date() if row["revoked_at"] else None
        for day in data.days:
            if granted <= day and (revoked is None or day < revoked):
                costs[(row["tool"], month_start(day))] += monthly / calendar.monthrange(day.year, day.month)[1]
    return costs


def usage_costs(data: Landing, bots: set[str]) -> tuple[dict, dict]:
    usage: dict[tuple[str, date], float] = defaultdict(float)
    unattributed: dict[tuple[str, date], float] = defaultdict(float)
    for spent in spent_in_files(data.landing):
        if spent.day not in data.days:
            continue
        key = (spent.tool, month_start(spent.day))
        usage[key] += spent.usd
        engineer = data.resolve(spent.identity)
        if spent.identity.lower() in bots or data.engineer_team(engineer, spent.day) is None:
            unattributed[key] += spent.usd
    return usage, unattributed


@pytest.fixture(scope="module")
def published(demo_run: DemoRun) -> dict[tuple[str, date], dict]:
    assert demo_run.succeeded
    with duckdb.connect(str(demo_run.workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from main.mart_tool_spend_monthly")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(row["tool"], row["month_start"]): row for row in rows}


def test_tool_spend_equals_the_independent_computation(demo_run: DemoRun, published):
    data = Landing(demo_run.workspace.landing, first=demo_run.first, last=demo_run.last)
    bots = {identity.lower() for identity in demo_run.ground_truth["bot_identities"]}
    seats, (usage, unattributed) = seat_costs(data), usage_costs(data, bots)
    assert set(published) == {(tool, month) for tool in data.tools for month in data.months}
    for key, row in published.items():
        assert row["seat_cost"] == pytest.approx(seats.get(key, 0.0), abs=CENT), key
        assert row["usage_cost"] == pytest.approx(usage.get(key, 0.0), abs=CENT), key
        assert row["unattributed_usage_cost"] == pytest.approx(unattributed.get(key, 0.0), abs=CENT), key
        assert row["total_cost"] == pytest.approx(seats.get(key, 0.0) + usage.get(key, 0.0), abs=2 * CENT), key
    assert sum(usage.values()) > 0 and sum(unattributed.values()) > 0  # the runaway key, contractors, the bot
    assert demo_run.last - demo_run.first == timedelta(days=len(data.days) - 1)
