"""The headline-jump gate compares full weeks only: a week the data has just begun is not a 10x drop. The silence
gates judge a missing day against the feed's own weekday volume. The gaming gate counts split pull requests
against an org-week's merged pull requests, acknowledged ones excepted."""

from datetime import date, timedelta

import duckdb

from data_quality.drift import org_headline_jumps, silent_feed_days, silent_tools
from data_quality.gaming import gaming_over_tolerance


def warehouse(last_day: date, weekly: dict[date, float], headcount: int = 40) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    first = min(weekly)
    days = [first + timedelta(days=offset) for offset in range((last_day - first).days + 1)]
    con.execute("create table main.dim_dates (calendar_date date, week_start date, is_in_data boolean)")
    con.executemany(
        "insert into main.dim_dates values (?, ?, true)", [(day, day - timedelta(days=day.weekday())) for day in days]
    )
    con.execute(
        "create table main.mart_org_weekly (org varchar, week_start date, deploys_per_engineer double, headcount int)"
    )
    con.executemany(
        "insert into main.mart_org_weekly values ('Payments', ?, ?, ?)",
        [(week, value, headcount) for week, value in weekly.items()],
    )
    return con


def test_a_tenfold_move_between_full_weeks_fails_the_gate():
    weeks = {date(2026, 1, 5): 1.0, date(2026, 1, 12): 1.1, date(2026, 1, 19): 12.0}
    with warehouse(date(2026, 1, 25), weeks) as con:
        [jump] = org_headline_jumps(con, [date(2026, 1, 19)], false_alarm_rate=0.001)
    assert (jump["org"], jump["week_start"], jump["deploys_per_engineer"]) == ("Payments", "2026-01-19", 12.0)


def test_a_partial_last_week_is_not_compared():
    weeks = {date(2026, 1, 5): 1.0, date(2026, 1, 12): 1.1, date(2026, 1, 19): 0.1}  # only its Monday so far
    with warehouse(date(2026, 1, 19), weeks) as con:
        assert org_headline_jumps(con, [date(2026, 1, 19)], 0.001) == []


def test_a_tenfold_move_of_a_tiny_org_is_chance_not_a_broken_feed():
    """Two engineers: 1 deploy one week, 10 the next. Before, any 10x move blocked the run."""
    weeks = {date(2026, 1, 5): 0.5, date(2026, 1, 12): 0.5, date(2026, 1, 19): 5.0}
    with warehouse(date(2026, 1, 25), weeks, headcount=2) as con:
        assert org_headline_jumps(con, [date(2026, 1, 19)], 0.001) == []
    with warehouse(date(2026, 1, 25), {**weeks, date(2026, 1, 19): 15.0}, headcount=2) as con:
        [jump] = org_headline_jumps(con, [date(2026, 1, 19)], 0.001)  # 1 -> 30 deploys: not chance
    assert jump["chance_at_same_rate"] < 0.001


def write_usage_days(lake_root, users_by_day: dict[date, dict[str, int]]) -> None:
    """Usage partitions (a tool's distinct identities a day) with the stats file ingest writes beside them."""
    for day, users in users_by_day.items():
        folder = lake_root / "raw" / "tool_activity" / f"day={day.isoformat()}"
        folder.mkdir(parents=True)
        rows = ", ".join(f"('{tool}', 'user-{n}')" for tool, count in users.items() for n in range(count))
        duckdb.sql(f"copy (select * from (values {rows}) as usage(tool, identity)) to '{folder / 'data.parquet'}'")
        stats = lake_root / "stats" / "tool_activity" / f"day={day.isoformat()}.json"
        stats.parent.mkdir(parents=True, exist_ok=True)
        stats.write_text('{"files": 1}')


def test_a_busy_tool_silent_while_others_report_fails_the_gate(tmp_path):
    today = date(2026, 2, 3)
    history = {today - timedelta(days=offset): {"cursor": 30, "claude_code": 2} for offset in range(1, 29)}
    write_usage_days(tmp_path, {**history, today: {"claude_code": 1}, date(2025, 6, 1): {"amazon_q": 5}})
    [row] = silent_tools(tmp_path, [today], false_alarm_rate=0.001, warn_rate=0.05)
    assert (row["day"], row["tool"], row["severity"], row["expected"]) == ("2026-02-03", "cursor", "ERROR", 30)
    assert silent_tools(tmp_path, [date(2026, 3, 20)], 0.001, 0.05) == []  # no partition in that window


def write_pull_request_days(lake_root, merged_by_day: dict[date, int], covered: set[date]) -> None:
    """Pull request partitions of the days with merges, and the stats ingest writes for each day a file covers."""
    for day, merged in merged_by_day.items():
        folder = lake_root / "raw" / "pull_requests" / f"day={day.isoformat()}"
        folder.mkdir(parents=True)
        duckdb.sql(f"copy (select range as number from range({merged})) to '{folder / 'data.parquet'}'")
    for day in covered:
        stats = lake_root / "stats" / "pull_requests" / f"day={day.isoformat()}.json"
        stats.parent.mkdir(parents=True, exist_ok=True)
        stats.write_text('{"files": 1}')


def test_a_missing_day_of_a_busy_pull_request_feed_fails_the_gate_and_an_empty_file_only_warns(tmp_path):
    today = date(2026, 2, 3)  # a Tuesday
    history = {today - timedelta(days=offset): 40 for offset in range(1, 29)}
    write_pull_request_days(tmp_path / "missing", history, set(history))
    [row] = silent_feed_days(tmp_path / "missing", "pull_requests", [today], 0.001, 0.05)
    assert (row["day"], row["severity"], row["expected"]) == ("2026-02-03", "ERROR", 40)
    write_pull_request_days(tmp_path / "empty", history, {*history, today})  # an empty file covers the day
    [row] = silent_feed_days(tmp_path / "empty", "pull_requests", [today], 0.001, 0.05)
    assert row["severity"] == "WARN"


def test_an_organisation_without_pull_requests_is_not_a_silent_feed(tmp_path):
    write_usage_days(tmp_path, {date(2026, 2, 3) - timedelta(days=offset): {"cursor": 30} for offset in range(29)})
    assert silent_feed_days(tmp_path, "pull_requests", [date(2026, 2, 3)], 0.001, 0.05) == []


def test_a_niche_tool_silent_after_a_week_of_usage_passes(tmp_path):
    """The gate used to block any tool used on each of 7 days and not on the 8th, two users or two thousand."""
    today = date(2026, 2, 1)  # a Sunday
    history = {today - timedelta(days=offset): {"cursor": 30, "niche": 2} for offset in range(1, 29)}
    write_usage_days(tmp_path, {**history, today: {"cursor": 12}})
    assert silent_tools(tmp_path, [today], 0.001, 0.05) == []


def pull_request_warehouse(split: int, honest: int, acknowledged: bool) -> duckdb.DuckDBPyConnection:
    """One org-week of merged pull requests, `split` of them by one engineer flagged pr_splitting (sent under their
    login and their email), and nothing else."""
    con = duckdb.connect()
    for schema in ("staging", "intermediate"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table staging.stg_reference__guard_acknowledgements "
        "(signal_type varchar, entity_id varchar, period_start date, reason varchar)"
    )
    con.execute(
        "create table intermediate.int_guard_signals_acknowledged "
        "(signal_type varchar, entity_id varchar, period_start date, is_acknowledged boolean)"
    )
    con.execute("insert into intermediate.int_guard_signals_acknowledged values "
                "('pr_splitting', 'sam', '2026-03-02', ?)", [acknowledged])  # fmt: skip
    con.execute("create table main.dim_teams (team_id varchar, org varchar)")
    con.execute("insert into main.dim_teams values ('t1', 'Payments')")
    con.execute(
        "create table main.fct_deployments (team_id varchar, week_start date, is_spam_flagged boolean, "
        "service_id varchar, deployed_date date, is_production_deploy boolean)"
    )
    con.execute("create table intermediate.int_bot_identities_flagged (identity varchar, first_seen_date date)")
    con.execute(
        "create table intermediate.int_tool_activity_attributed (activity_date date, attribution_status varchar, "
        "identity varchar, activity_count bigint, is_value_deriving_type boolean)"
    )
    con.execute(
        "create table intermediate.int_pull_requests_attributed (author varchar, author_key varchar, "
        "team_id varchar, week_start date, merged_date date, is_split_flagged boolean)"
    )
    rows = [("sam" if n % 2 else "sam@example.com", "e-sam", True) for n in range(split)]
    rows += [("alice", "e-alice", False)] * honest
    con.executemany(
        "insert into intermediate.int_pull_requests_attributed values (?, ?, 't1', '2026-03-02', '2026-03-04', ?)",
        rows,
    )
    return con


def test_unacknowledged_split_pull_requests_above_the_tolerance_fail_the_gaming_gate():
    with pull_request_warehouse(split=16, honest=6, acknowledged=False) as con:
        [flagged] = gaming_over_tolerance(con, [date(2026, 3, 2), date(2026, 3, 8)], tolerance=0.05)
    assert flagged == {"guard": "pr_splitting", "org": "Payments", "period": "2026-03-02", "flagged": 16, "total": 22}


def test_acknowledged_split_pull_requests_pass_the_gaming_gate():
    with pull_request_warehouse(split=16, honest=6, acknowledged=True) as con:
        assert gaming_over_tolerance(con, [date(2026, 3, 2), date(2026, 3, 8)], tolerance=0.05) == []
