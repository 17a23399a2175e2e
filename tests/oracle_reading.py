"""How the metrics oracle reads a landing folder's files and dates: CSV rows, NDJSON lines, RFC 3339 moments, the
reference data an organisation may override, and the calendar every metric is keyed by.

Shared by tests/metrics_oracle.py and tests/pull_request_oracle.py, and by nothing of the pipeline.
"""

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as source:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(source)]


def reference_rows(landing: Path, seeds: Path, name: str) -> list[dict[str, str]]:
    """The organisation's override when landing/reference/<name>.csv exists and has rows, else the seed."""
    override = landing / "reference" / f"{name}.csv"
    if override.exists():
        rows = csv_rows(override)
        if rows:
            return rows
    return csv_rows(seeds / f"{name}.csv")


def is_true(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes")


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def ndjson_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def latest_by_key(records: list[dict], key: str) -> list[dict]:
    """Records deduplicated on `key` across files, the latest (last read) record winning."""
    latest: dict[str, dict] = {}
    for record in records:
        latest[record[key]] = record
    return list(latest.values())


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600
