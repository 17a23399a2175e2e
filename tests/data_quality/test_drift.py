"""The headline-jump gate compares full weeks only: a week the data has just begun is not a 10x drop."""

from datetime import date, timedelta

import duckdb

from data_quality.drift import org_headline_jumps, silent_tools


def warehouse(last_day: date, weekly: dict[date, float]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    first = min(weekly)
    days = [first + timedelta(days=offset) for offset in range((last_day - first).days + 1)]
    con.execute("create table main.dim_dates (date_day date, week_start date, is_in_data boolean)")
    con.executemany(
        "insert into main.dim_dates values (?, ?, true)", [(day, day - timedelta(days=day.weekday())) for day in days]
    )
    con.execute("create table main.mart_org_weekly (org varchar, week_start date, deploys_per_engineer double)")
    con.executemany("insert into main.mart_org_weekly values ('Payments', ?, ?)", list(weekly.items()))
    return con


def test_a_tenfold_move_between_full_weeks_fails_the_gate():
    weeks = {date(2026, 1, 5): 1.0, date(2026, 1, 12): 1.1, date(2026, 1, 19): 12.0}
    with warehouse(date(2026, 1, 25), weeks) as con:
        [jump] = org_headline_jumps(con, [date(2026, 1, 19)])
    assert (jump["org"], jump["week_start"], jump["deploys_per_engineer"]) == ("Payments", "2026-01-19", 12.0)


def test_a_partial_last_week_is_not_compared():
    weeks = {date(2026, 1, 5): 1.0, date(2026, 1, 12): 1.1, date(2026, 1, 19): 0.1}  # only its Monday so far
    with warehouse(date(2026, 1, 19), weeks) as con:
        assert org_headline_jumps(con, [date(2026, 1, 19)]) == []


def write_usage_days(lake_root, tools_by_day: dict[date, list[str]]) -> None:
    for day, tools in tools_by_day.items():
        folder = lake_root / "raw" / "tool_activity" / f"day={day.isoformat()}"
        folder.mkdir(parents=True)
        values = ", ".join(f"('{tool}')" for tool in tools)
        duckdb.sql(f"copy (select * from (values {values}) as usage(tool)) to '{folder / 'data.parquet'}'")


def test_a_tool_silent_after_a_week_of_usage_fails_the_gate(tmp_path):
    today = date(2026, 1, 20)
    week = {today - timedelta(days=offset): ["cursor", "claude_code"] for offset in range(1, 8)}
    write_usage_days(tmp_path, {**week, today: ["claude_code"], date(2025, 6, 1): ["amazon_q"]})
    assert silent_tools(tmp_path, [today]) == [
        {"day": "2026-01-20", "tool": "cursor", "detail": "usage on each of the previous 7 days, none today"}
    ]
    assert silent_tools(tmp_path, [date(2026, 3, 1)]) == []  # no partition in that window: nothing to compare
