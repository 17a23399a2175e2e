"""Deployments of the generic contract: one NDJSON file a UTC day, one deployment a line."""

from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors.generic.rows import (
    one_of,
    optional_field,
    parse_lines,
    required_field,
    scalar_text,
    within_day,
)
from orchestration.lib.canonical import DEPLOYMENT_STATUSES
from orchestration.lib.contracts.records import Parsed, parse_timestamp


def parse_deployments(data: bytes, source_file: str, day: date, now: datetime | None = None) -> Parsed:
    now = now or datetime.now(UTC)

    def to_record(value: dict) -> dict:
        row = {key: scalar_text(key, item) for key, item in value.items()}
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
            "deployed_at": within_day(parse_timestamp(required_field(row, "deployed_at")), day, now, "deployed_at"),
            "triggered_by": optional_field(row, "triggered_by"),
            "lines_changed": lines_changed,
            "rollback_of": optional_field(row, "rollback_of"),
        }

    return parse_lines("deployments", data, source_file, to_record)
