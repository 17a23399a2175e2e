"""Deployments of the generic contract: one NDJSON file a UTC day, one deployment a line."""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors._common import InvalidJson, parse_json
from orchestration.defs.ingest.connectors.generic.rows import (
    MAX_LINE_BYTES,
    one_of,
    optional_field,
    required_field,
    too_long_line,
)
from orchestration.lib.canonical import DEPLOYMENT_STATUSES
from orchestration.lib.contracts.records import Parsed, Reject, decode_utf8, parse_timestamp


def _ndjson_objects(data: bytes, source_file: str) -> Iterable[tuple[int, str, dict | None, str | None]]:
    """(line, raw text, object or None, reason) for every non-blank line."""
    text = decode_utf8(data, source_file, "UTF-8 NDJSON")
    for line_no, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        if len(raw) > MAX_LINE_BYTES // 4 and (size := len(raw.encode())) > MAX_LINE_BYTES:
            reason, excerpt = too_long_line(raw, size)
            yield line_no, excerpt, None, reason
            continue
        try:
            value = parse_json(raw)
        except InvalidJson as error:
            yield line_no, raw, None, f"malformed JSON ({error}): expected one JSON object per line"
            continue
        if not isinstance(value, dict):
            yield line_no, raw, None, "expected a JSON object per line"
            continue
        yield line_no, raw, value, None


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
    parsed = Parsed("deployments")
    for line, raw, value, reason in _ndjson_objects(data, source_file):
        parsed.records_read += 1
        if value is None:
            parsed.rejects.append(Reject(source_file, line, reason or "unreadable", raw))
            continue
        try:
            row = {key: _scalar_text(key, item) for key, item in value.items()}
            lines_changed = value.get("lines_changed")
            if lines_changed is not None and (
                isinstance(lines_changed, bool) or not isinstance(lines_changed, int) or not 0 <= lines_changed < 2**63
            ):
                raise ValueError(f"lines_changed: expected a non-negative 64-bit integer, got {lines_changed!r}")
            record = {
                "deployment_id": required_field(row, "deployment_id"),
                "service": required_field(row, "service"),
                "environment": required_field(row, "environment"),
                "commit_sha": required_field(row, "commit_sha"),
                "status": one_of(required_field(row, "status"), DEPLOYMENT_STATUSES, "status", "contract"),
                "deployed_at": _within_day(
                    parse_timestamp(required_field(row, "deployed_at")), day, now, "deployed_at"
                ),
                "triggered_by": optional_field(row, "triggered_by"),
                "lines_changed": lines_changed,
                "rollback_of": optional_field(row, "rollback_of"),
                "_source_line": line,
            }
        except ValueError as error:
            parsed.rejects.append(Reject(source_file, line, str(error), raw))
            continue
        parsed.records.append(record)
    return parsed
