"""Reading the generic contract's files: CSV rows under a checked header, NDJSON objects line by line, and their
fields checked (required, optional_field, booleans, one of a list); a field that fails is a reject naming file and
line."""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from orchestration.defs.ingest.connectors._common import InvalidJson, parse_json
from orchestration.lib.contracts.generic import CSV_HEADERS
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile, decode_utf8
from orchestration.lib.landing_safety import excerpt

# One record may take a line of at most 1 MiB; a longer line (a runaway field, a file glued onto one line) is
# quarantined unparsed, so that one line cannot take the memory a day of events needs.
MAX_LINE_BYTES = 1 << 20
EXCERPT_CHARS = 200


def too_long_line(line: bytes | str, size: int) -> tuple[str, str]:
    """The reason and the bounded raw excerpt kept of a line longer than MAX_LINE_BYTES."""
    excerpt = line[:EXCERPT_CHARS]
    if isinstance(excerpt, bytes):
        excerpt = excerpt.decode("utf-8", "replace")
    return (
        f"line of {size:,} bytes, longer than the {MAX_LINE_BYTES:,} bytes one record may take: "
        "split the record or fix the exporter",
        excerpt + f"... ({size:,} bytes)",
    )


SCORE = re.compile(r"[0-9]{1,2}")  # ASCII digits only: str.isdigit() also takes "²", which int() refuses


def ndjson_objects(data: bytes, source_file: str) -> Iterable[tuple[int, str, dict | None, str | None]]:
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


def parse_lines(entity: str, data: bytes, source_file: str, to_record: Callable[[dict], dict]) -> Parsed:
    """Run `to_record` over each NDJSON object; a line that is no object, or a ValueError, becomes a reject naming
    file and line."""
    parsed = Parsed(entity)
    for line, raw, value, reason in ndjson_objects(data, source_file):
        parsed.records_read += 1
        try:
            if value is None:
                raise ValueError(reason or "unreadable")
            record = to_record(value)
        except ValueError as error:
            parsed.rejects.append(Reject(source_file, line, str(error), raw))
            continue
        parsed.records.append({**record, "_source_line": line})
    return parsed


def required_field(row: dict, name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise ValueError(f"missing required field {name}")
    return value


def optional_field(row: dict, name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def boolean_field(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"{name}: expected true or false, got {value!r}")


def one_of(value: str, allowed: Iterable[str], name: str, where: str) -> str:
    allowed = sorted(allowed)
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}: expected one of {', '.join(allowed)} ({where})")
    return value


def read_csv(data: bytes, source_file: str, expected: tuple[str, ...]) -> csv.DictReader:
    text = decode_utf8(data, source_file, "UTF-8 CSV text")
    # newline="" lets a quoted cell hold a line break, and a lone \r end a line, as the csv module expects
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = tuple(reader.fieldnames or ())
    except csv.Error as error:
        raise _unreadable_csv(reader, source_file, error) from None
    missing = [column for column in expected if column not in header]
    if missing:
        raise UnreadableFile(
            source_file,
            f"a CSV header with columns {','.join(expected)}",
            f"missing {', '.join(missing)}; found {excerpt(','.join(header)) or 'no header'}",
        )
    return reader


def csv_records(reader: csv.DictReader, source_file: str) -> Iterator[dict]:
    """The rows of a reader from read_csv; a file the csv module cannot split into rows is unreadable."""
    try:
        yield from reader
    except csv.Error as error:
        raise _unreadable_csv(reader, source_file, error) from None


def _unreadable_csv(reader: csv.DictReader, source_file: str, error: csv.Error) -> UnreadableFile:
    # e.g. a cell longer than the csv module's field limit, usually a quote left open
    return UnreadableFile(source_file, "CSV text", f"line {reader.line_num}: {error}; check the file's quoting")


def parse_rows(entity: str, data: bytes, source_file: str, to_record: Callable[[dict], dict]) -> Parsed:
    """Run `to_record` over each CSV row; a ValueError becomes a reject naming file and line."""
    parsed = Parsed(entity)
    reader = read_csv(data, source_file, CSV_HEADERS[entity])
    for row in csv_records(reader, source_file):
        parsed.records_read += 1
        line = reader.line_num
        try:
            record = to_record(row)
        except ValueError as error:
            raw = ",".join("" if value is None else str(value) for value in row.values())
            parsed.rejects.append(Reject(source_file, line, str(error), raw))
            continue
        record["_source_line"] = line
        parsed.records.append(record)
    return parsed


def scalar_text(name: str, value: object) -> str | None:
    """A field of a JSON line as text: strings, and numbers for ids; an object, array or boolean is no text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list | bool):
        kind = "an object" if isinstance(value, dict) else "an array" if isinstance(value, list) else "a boolean"
        raise ValueError(f"{name}: expected a string, got {kind}")
    return str(value)


def within_day(moment: datetime, day: date, now: datetime, name: str) -> datetime:
    if moment > now:
        raise ValueError(f"{name} {moment.isoformat()} is in the future")
    if moment.date() != day:
        raise ValueError(f"{name} {moment.isoformat()} is outside the file's day {day.isoformat()}")
    return moment
