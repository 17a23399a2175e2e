"""The spend spike gate on hand-built warehouse rows: a day whose usage cost is mostly an unacknowledged spike
blocks, the same acknowledged passes, and a spike below spend_spike_tolerance of its day passes."""

from datetime import date

import duckdb
import pytest

from data_quality.gaming import spend_spikes_over_tolerance

DAY = date(2026, 3, 10)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_spend_attributed "
        "(spend_date date, identity varchar, tool varchar, spend_kind varchar, amount_usd double)"
    )
    con.execute(
        "create table intermediate.int_spend_spikes_flagged "
        "(entity_type varchar, entity_id varchar, tool varchar, spend_date date)"
    )
    con.execute(
        "create table intermediate.int_guard_signals_acknowledged "
        "(signal_type varchar, entity_type varchar, entity_id varchar, period_start date, is_acknowledged boolean)"
    )
    spend = [
        (DAY, "ci-key", "claude_code", "usage", 480.0),
        (DAY, "ana@example.com", "claude_code", "usage", 15.0),
        (DAY, "bo@example.com", "cursor", "credit", 5.0),
        (DAY, "ana@example.com", "claude_code", "seat", 1000.0),  # a seat charge is no usage cost
    ]
    con.executemany("insert into intermediate.int_spend_attributed values (?, ?, ?, ?, ?)", spend)
    con.execute(
        "insert into intermediate.int_spend_spikes_flagged values ('identity', 'ci-key', 'claude_code', ?)", [DAY]
    )
    return con


def acknowledge(con: duckdb.DuckDBPyConnection, is_acknowledged: bool) -> None:
    con.execute(
        "insert into intermediate.int_guard_signals_acknowledged values ('spend_spike', 'identity', 'ci-key', ?, ?)",
        [DAY, is_acknowledged],
    )


def test_an_unacknowledged_spike_over_tolerance_blocks_naming_the_day(con):
    acknowledge(con, False)
    [row] = spend_spikes_over_tolerance(con, [DAY], 0.05)
    assert (row["guard"], row["period"], row["flagged"], row["total"]) == ("spend_spike", "2026-03-10", 480.0, 500.0)


def test_an_acknowledged_spike_passes(con):
    acknowledge(con, True)
    assert spend_spikes_over_tolerance(con, [DAY], 0.05) == []


def test_a_tool_spike_flags_the_whole_tool_day(con):
    con.execute("delete from intermediate.int_spend_spikes_flagged")
    con.execute(
        "insert into intermediate.int_spend_spikes_flagged values ('tool', 'claude_code', 'claude_code', ?)", [DAY]
    )
    [row] = spend_spikes_over_tolerance(con, [DAY], 0.05)
    assert (row["flagged"], row["total"]) == (495.0, 500.0)


def test_a_spike_within_tolerance_passes(con):
    assert spend_spikes_over_tolerance(con, [DAY], 0.97) == []
    assert spend_spikes_over_tolerance(con, [DAY], 0.95)  # 480 of 500 is 96%
