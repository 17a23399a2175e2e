"""Comparing mart rows with the oracle's expected rows (tests/metrics_oracle.py), column by column.

Shared by the end-to-end tests over the hand-built fixture and the campaign over generated organisations.
"""

import math
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from tests.metrics_oracle import MART_COLUMNS, MART_KEYS

TOLERANCE = 1e-9


def plain(value):
    """A warehouse value as the oracle writes it (dates as dates, numbers as int or float)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def read_mart(connection: duckdb.DuckDBPyConnection, mart: str) -> list[dict]:
    listed = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    tables = {name for (name,) in listed}
    if mart not in tables:
        pytest.fail(f"main.{mart} is not in the warehouse (tables in main: {sorted(tables)})")
    result = connection.execute(f"select * from main.{mart}")
    columns = [column[0] for column in result.description]
    missing = [column for column in MART_COLUMNS[mart] if column not in columns]
    if missing:
        pytest.fail(f"main.{mart} lacks columns {missing}")
    return [{name: plain(value) for name, value in zip(columns, row, strict=True)} for row in result.fetchall()]


def same(expected_value, actual_value) -> bool:
    if expected_value is None or actual_value is None:
        return expected_value is None and actual_value is None
    if isinstance(expected_value, bool) or isinstance(actual_value, bool):
        return isinstance(actual_value, bool) and actual_value == expected_value
    if isinstance(expected_value, int | float):
        return isinstance(actual_value, int | float) and math.isclose(
            actual_value, expected_value, rel_tol=0, abs_tol=TOLERANCE
        )
    return actual_value == expected_value


def differences(mart: str, expected_rows: list[dict], actual_rows: list[dict]) -> list[str]:
    key_columns = MART_KEYS[mart]
    expected_by_key = {tuple(row[column] for column in key_columns): row for row in expected_rows}
    actual_by_key: dict[tuple, dict] = {}
    problems = []
    for row in actual_rows:
        key = tuple(row[column] for column in key_columns)
        if key in actual_by_key:
            problems.append(f"{key}: duplicate key")
        actual_by_key[key] = row
    for key in sorted(expected_by_key.keys() - actual_by_key.keys(), key=str):
        problems.append(f"{key}: row missing")
    for key in sorted(actual_by_key.keys() - expected_by_key.keys(), key=str):
        problems.append(f"{key}: unexpected row")
    for key in sorted(expected_by_key.keys() & actual_by_key.keys(), key=str):
        for column in MART_COLUMNS[mart]:
            want, got = expected_by_key[key][column], actual_by_key[key][column]
            if not same(want, got):
                problems.append(f"{key} {column}: expected {want!r}, got {got!r}")
    return problems


def shown(problems: list[str], limit: int = 60) -> str:
    """The first `limit` differences, one a line, and how many more there are."""
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(problems[:limit]) + more
