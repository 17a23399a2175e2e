"""Private helpers shared by the vendor connectors: reading JSON, NDJSON and CSV documents, taking
typed fields out of vendor records with errors that name the field and the expected form, and
building tool_activity records.

Everything here is pure. A record-level problem raises `RecordError` (a ValueError); the connector
turns it into a `Reject`. A file-level problem raises `UnreadableFile`.
"""

import csv
import io
import json
import reprlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from orchestration.lib.contracts.records import (
    ExcludedRecord,
    Parsed,
    Reject,
    UnreadableFile,
    parse_date,
    parse_timestamp,
)
from orchestration.lib.contracts.records import decode_utf8 as decode


class RecordError(ValueError):
    """One record is not what its format promises; the message names the field and the expected form."""


class InvalidJson(ValueError):
    """Text that cannot be read as JSON; the message says where or why."""


_MISSING = object()

# The largest daily count of one user taken as real: no one makes two billion requests in a day, so a larger
# value is corrupt, and keeping counts this small means sums of them always fit the 64-bit activity_count.
MAX_COUNT = 2**31 - 1

# describe() shows at most this much of a value in a reject reason (a record may hold megabytes of junk)
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 120
_SHORT.maxlevel = 3


# ---------------------------------------------------------------------------------------------
# documents


def parse_json(text: str) -> Any:
    """json.loads, with every way the text fails as JSON raised as InvalidJson. Besides syntax errors, Python
    refuses integers longer than its digit limit (a plain ValueError) and nesting deeper than its recursion
    limit (RecursionError): valid JSON it cannot hold, unreadable all the same."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidJson(f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise InvalidJson("JSON nested too deeply to read (arrays or objects thousands of levels deep)") from None
    except ValueError:
        raise InvalidJson(f"a JSON number of more than {sys.get_int_max_str_digits()} digits") from None


def load_json(data: bytes, source_file: str, expected: str) -> Any:
    """One JSON document; an empty file or invalid (e.g. truncated) JSON cannot be read."""
    text = decode(data, source_file, expected)
    if not text.strip():
        raise UnreadableFile(source_file, expected, "the file is empty")
    try:
        return parse_json(text)
    except InvalidJson as error:
        raise UnreadableFile(source_file, expected, str(error)) from None


def list_in_object(document: Any, key: str, source_file: str, expected: str) -> list:
    """The list under `key` of a JSON object (a page such as {"data": [...]})."""
    if not isinstance(document, dict):
        raise UnreadableFile(source_file, expected, f"the document is a JSON {_json_kind(document)}")
    items = document.get(key, _MISSING)
    if not isinstance(items, list):
        found = "missing" if items is _MISSING else f"a JSON {_json_kind(items)}"
        raise UnreadableFile(source_file, expected, f"{key!r} is {found}")
    return items


@dataclass(frozen=True)
class Item:
    """One record of a JSON document or NDJSON file: its 1-based position, value and raw text."""

    position: int
    value: Any
    raw: str


def json_items(data: bytes, source_file: str, expected: str) -> tuple[list[Item], list[Reject]]:
    """The records of a file holding one JSON object, a JSON array of objects, or NDJSON.

    Positions are the record index (1-based) for a JSON document and the physical line for NDJSON.
    An empty (or blank) file is NDJSON with no records. NDJSON is recognised by its first non-blank
    line being a complete JSON value; otherwise the whole file must be one JSON document, so a
    truncated document cannot be read. A bad NDJSON line after the first is a Reject.
    """
    text = decode(data, source_file, expected)
    if not text.strip():
        return [], []
    try:
        document = parse_json(text)
    except InvalidJson as error:
        return _ndjson_items(text, source_file, expected, error)
    if isinstance(document, dict):
        return [Item(1, document, text.strip())], []
    if isinstance(document, list):
        return [Item(index, value, dump(value)) for index, value in enumerate(document, start=1)], []
    raise UnreadableFile(source_file, expected, f"the document is a JSON {_json_kind(document)}")


def _ndjson_items(
    text: str, source_file: str, expected: str, document_error: InvalidJson
) -> tuple[list[Item], list[Reject]]:
    items: list[Item] = []
    rejects: list[Reject] = []
    first = True
    for number, line in enumerate(text.split("\n"), start=1):
        raw = line.strip()
        if not raw:
            continue
        try:
            value = parse_json(raw)
        except InvalidJson as error:
            if first:
                raise UnreadableFile(source_file, expected, str(document_error)) from None
            rejects.append(Reject(source_file, number, f"expected one JSON object on this NDJSON line ({error})", raw))
            continue
        first = False
        items.append(Item(number, value, raw))
    return items, rejects


def parse_payloads(
    data: bytes,
    source_file: str,
    expected: str,
    entity: str,
    to_record: Callable[[Any], dict | None],
    remedy: str = "",
) -> Parsed:
    """Webhook payloads (one JSON object, an array of them, or NDJSON), each to a record, to none (a payload read
    without a record, such as an event of another state) or to a reject whose reason ends with `remedy`."""
    items, rejects = json_items(data, source_file, expected)
    parsed = Parsed(entity=entity, rejects=rejects, records_read=len(items) + len(rejects))
    for item in items:
        try:
            record = to_record(item.value)
        except RecordError as error:
            reason = f"{error}; {remedy}" if remedy else str(error)
            parsed.rejects.append(Reject(source_file, item.position, reason, item.raw))
            continue
        if record is not None:
            parsed.records.append({**record, "_source_line": item.position})
    return parsed


def array_items(data: bytes, source_file: str, expected: str) -> list[Item]:
    """The items of a file holding one JSON array (a REST list response), with their 1-based index."""
    document = load_json(data, source_file, expected)
    if not isinstance(document, list):
        raise UnreadableFile(source_file, expected, "the document is not a JSON array")
    return [Item(index, value, dump(value)) for index, value in enumerate(document, start=1)]


def dump(value: Any) -> str:
    """A record as JSON text for a reject's raw column (abridged when it is nested too deeply to write)."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    except RecursionError:
        return _SHORT.repr(value)


def _json_kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file: the physical line it starts on, its cells and its raw text."""

    line: int
    cells: list[str]
    raw: str


def csv_rows(text: str, source_file: str, expected: str) -> Iterator[CsvRow]:
    """Every row of a CSV text (header rows included), skipping blank lines; quoted newlines allowed."""
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(source_file, expected, f"CSV error at line {reader.line_num}: {error}") from None
        end = reader.line_num
        if not cells:
            continue
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        yield CsvRow(start, cells, raw)


# ---------------------------------------------------------------------------------------------
# typed fields of a vendor record


def lookup(record: Any, path: str) -> Any:
    """The value at a dotted path, or the _MISSING marker when a key on the way is absent."""
    value = record
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def describe(value: Any) -> str:
    """A value for a reject reason, abridged: a field may hold anything, megabytes or deep nesting."""
    if value is _MISSING:
        return "missing"
    if value is None:
        return "null"
    return _SHORT.repr(value)


def is_present(value: Any) -> bool:
    return value is not _MISSING and value is not None


def require_object(record: Any, path: str) -> Mapping:
    value = lookup(record, path)
    if not isinstance(value, Mapping):
        raise RecordError(f"expected {path} (a JSON object), got {describe(value)}")
    return value


def require_text(record: Any, path: str) -> str:
    value = lookup(record, path)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"expected {path} (a non-empty string), got {describe(value)}")
    return value.strip()


def optional_text(record: Any, path: str) -> str | None:
    """A string, or None when absent, null or empty; any other JSON type is an error."""
    value = lookup(record, path)
    if not is_present(value):
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected {path} (a string or null), got {describe(value)}")
    return value.strip() or None


def require_id(record: Any, path: str) -> str:
    """An identifier given as an integer or a non-empty string, as text."""
    value = lookup(record, path)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise RecordError(f"expected {path} (an integer or string id), got {describe(value)}")


def require_count(record: Any, path: str) -> int:
    """A non-negative integer count up to MAX_COUNT (an integral float such as 5.0 is accepted)."""
    value = lookup(record, path)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RecordError(f"expected {path} (a non-negative integer), got {describe(value)}")
    if value > MAX_COUNT:
        raise RecordError(f"expected {path} (a daily count up to {MAX_COUNT:,}), got {describe(value)}")
    return value


def require_bool(record: Any, path: str) -> bool:
    value = lookup(record, path)
    if not isinstance(value, bool):
        raise RecordError(f"expected {path} (true or false), got {describe(value)}")
    return value


def require_timestamp(record: Any, path: str) -> datetime:
    """An RFC 3339 timestamp converted to UTC (offsets such as -06:00 applied)."""
    value = lookup(record, path)
    try:
        return parse_timestamp(value)
    except ValueError:
        raise RecordError(f"expected {path} (an RFC 3339 timestamp), got {describe(value)}") from None


def require_date(record: Any, path: str) -> date:
    value = lookup(record, path)
    try:
        return parse_date(value)
    except ValueError:
        raise RecordError(f"expected {path} (a date YYYY-MM-DD), got {describe(value)}") from None


def require_commit_sha(record: Any, path: str = "") -> str:
    """`sha`, or `commit_sha` as newer GitHub API versions call the deployed commit, of the object at
    `path` (the record itself when empty)."""
    prefix = f"{path}." if path else ""
    for key in ("sha", "commit_sha"):
        value = lookup(record, prefix + key)
        if is_present(value):
            if isinstance(value, str) and value.strip():
                return value.strip()
            raise RecordError(f"expected {prefix}{key} (the deployed commit sha), got {describe(value)}")
    raise RecordError(f"expected {prefix}sha or {prefix}commit_sha (the deployed commit sha), got neither")


def midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# tool_activity


def activity_records(
    *,
    identity: str,
    identity_type: str,
    tool: str,
    activity_date: date,
    counts: Mapping[str, int],
    source_line: int,
) -> list[dict]:
    """One tool_activity record per activity type with a count above zero (daily aggregates:
    no first/last time and no busiest minute)."""
    return [
        {
            "identity": identity,
            "identity_type": identity_type,
            "tool": tool,
            "activity_date": activity_date,
            "activity_type": activity_type,
            "activity_count": count,
            "first_at": None,
            "last_at": None,
            "peak_events_per_minute": None,
            "_source_line": source_line,
        }
        for activity_type, count in counts.items()
        if count > 0
    ]


def roll_up(records: list[dict]) -> list[dict]:
    """Sum records of the same (identity, identity_type, tool, activity_date, activity_type), so a
    file holds one record per grain; the sum keeps the `_source_line` of the first row behind it."""
    merged: dict[tuple, dict] = {}
    for record in records:
        key = (
            record["identity"],
            record["identity_type"],
            record["tool"],
            record["activity_date"],
            record["activity_type"],
        )
        if key in merged:
            merged[key]["activity_count"] += record["activity_count"]
        else:
            merged[key] = dict(record)
    return list(merged.values())


def parse_pages(
    data: bytes,
    source_file: str,
    expected: str,
    from_row: Callable[[object, int], list[dict]],
    *,
    key: str = "data",
    entity: str = "tool_activity",
    combine: Callable[[list[dict]], list[dict]] = roll_up,
) -> Parsed:
    """A JSON page with its rows under `key`: each row to records, a reject or an exclusion, then combined (usage
    rolled up to one record per grain)."""
    rows = list_in_object(load_json(data, source_file, expected), key, source_file, expected)
    return _parsed_rows(
        ((position, row, dump(row)) for position, row in enumerate(rows, start=1)),
        [],
        entity,
        source_file,
        from_row,
        combine,
    )


def parse_items(
    data: bytes,
    source_file: str,
    expected: str,
    from_item: Callable[[object, int], list[dict]],
    *,
    entity: str = "tool_activity",
    combine: Callable[[list[dict]], list[dict]] = roll_up,
) -> Parsed:
    """The records of a JSON object, a JSON array or NDJSON (json_items), each to records, a reject or an
    exclusion, then combined."""
    items, rejects = json_items(data, source_file, expected)
    rows = ((item.position, item.value, item.raw) for item in items)
    return _parsed_rows(rows, rejects, entity, source_file, from_item, combine)


def _parsed_rows(
    rows: Iterable[tuple[int, object, str]],
    rejects: list[Reject],
    entity: str,
    source_file: str,
    from_row: Callable[[object, int], list[dict]],
    combine: Callable[[list[dict]], list[dict]],
) -> Parsed:
    parsed = Parsed(entity=entity, rejects=list(rejects), records_read=len(rejects))
    records: list[dict] = []
    for position, row, raw in rows:
        parsed.records_read += 1
        try:
            records.extend(from_row(row, position))
        except ExcludedRecord as exclusion:
            parsed.excluded.append(Reject(source_file, position, str(exclusion), raw))
        except RecordError as error:
            parsed.rejects.append(Reject(source_file, position, str(error), raw))
    parsed.records = combine(records)
    return parsed
