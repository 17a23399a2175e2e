"""Deployments of the generic contract: one NDJSON file a UTC day, one deployment a line."""

from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors.generic.rows import one_of, optional_field, parse_lines, required_field
from orchestration.lib.canonical import DEPLOYMENT_STATUSES
from orchestration.lib.contracts.records import Parsed, parse_timestamp


def _scalar_text(name: str, value: object) -> str | None:
    """A field of a JSON line as text: strings, and numbers for ids; an object, array or boolean is no text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list | bool):
        kind = "an object" if isinstance(value, dict) else "an array" if isinstance(value, list) else "a boolean"
        raise ValueError(f"{name}: expected a string, got {kind}")
    return str(value)


def _within_day(moment: datetime, day: date, now: datetime, name: str) -> datetime:
    if moment > now:
        raise ValueError(f"{name} {moment.isoformat()} is in the future")
    if moment.date() != day:
        raise ValueError(f"{name} {moment.isoformat()} is outside the file's day {day.isoformat()}")
    return moment


def parse_deployments(data: bytes, source_file: str, day: date, now: datetime | None = None) -> Parsed:
    now = now or datetime.now(UTC)

    def to_record(value: dict) -> dict:
        row = {key: _scalar_text(key, item) for key, item in value.items()}
        lines_changed = value.get("lines_changed")
        if lines_changed is not None and (
            isinstance(lines_changed, bool) or not isinstance(lines_changed, int) or not 0 <= lines_changed < 2**63
        ):
            raise ValueError(f"lines_changed: expected a non-negative 64-bit integer, got {lines_changed!r}")
        return {
            "deployment_id": required_field(row, "deployment_id"),
            "service": required_field(row, "service"),
            "environment": required_field(row, "environment"),
            "commit_sha": required_field(row, "commit_sha"),
            "status": one_of(required_field(row, "status"), DEPLOYMENT_STATUSES, "status", "contract"),
            "deployed_at": _within_day(parse_timestamp(required_field(row, "deployed_at")), day, now, "deployed_at"),
            "triggered_by": optional_field(row, "triggered_by"),
            "lines_changed": lines_changed,
            "rollback_of": optional_field(row, "rollback_of"),
        }

    return parse_lines("deployments", data, source_file, to_record)
