"""Small helpers of the explainers: queries to rows, weeks and months parsed, sources and numbers shown."""

import re
from datetime import date, timedelta

import duckdb

from orchestration.lib.explain.records import ExplainError


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(sql, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> object:
    rows = con.execute(sql, parameters or []).fetchall()
    return rows[0][0] if rows else None


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """A day (any day of the week, YYYY-MM-DD) or an ISO week (2026-W03): the week's Monday."""
    found = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip())
    if found:
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    try:
        return week_of(date.fromisoformat(text.strip()))
    except ValueError as error:
        raise ExplainError(f"--week {text!r}: expected a day (2026-01-12) or an ISO week (2026-W03)") from error


def parse_month(text: str) -> date:
    """YYYY-MM or any day of the month: the month's first day."""
    try:
        return date.fromisoformat(text.strip()[:7] + "-01")
    except ValueError as error:
        raise ExplainError(f"--month {text!r}: expected a month (2026-01) or a day (2026-01-15)") from error


def source_of(file: object, line: object) -> str:
    return f"{file}:{line}" if file is not None else "–"


def engineer_list(engineers: list[str]) -> str:
    return f"{len(engineers)} engineer{'' if len(engineers) == 1 else 's'}: {', '.join(engineers) or '-'}"


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def number(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else "NaN"
    return str(value)
