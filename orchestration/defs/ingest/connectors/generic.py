"""Generic contract v1 (DESIGN.md): the CSV and NDJSON files the demo generator and any exporter write.

Small entities are parsed row by row; usage, millions of events a day, is parsed, validated, deduplicated
on event_id and rolled up to identity x tool x activity type x day in DuckDB, keeping each line number so
that every reject still names its file and line. A clean day (every line an accepted event, the usual case)
is read by DuckDB's typed JSON reader, one parse per line; any other day is checked line by line as text.
"""

import codecs
import csv
import io
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.lib.canonical import DEPLOYMENT_STATUSES, IDENTITY_TYPES
from orchestration.lib.landing_safety import excerpt

from ._common import MAX_COUNT, InvalidJson, parse_json
from .base import Parsed, Reject, UnreadableFile, decode_utf8, parse_date, parse_timestamp

CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "roster": (
        "engineer_id",
        "email",
        "github_login",
        "full_name",
        "team_id",
        "manager_email",
        "role",
        "is_engineer",
    ),
    "teams": ("team_id", "team_name", "org", "parent_org", "velocity_target"),
    "services": ("service", "team_id", "valid_from", "valid_to"),
    "identities": ("identity", "identity_type", "engineer_id"),
    "licence_grants": ("identity", "tool", "granted_at", "revoked_at", "plan", "monthly_cost_usd"),
    "survey_responses": ("response_id", "survey_id", "respondent", "tool", "score", "submitted_at"),
}


# The longest line of an NDJSON file taken as one record: an honest event or deployment is well under a
# kilobyte, and a longer line (a runaway field, a file glued onto one line) is quarantined unparsed, so that one
# line cannot take the memory a day of events needs.
MAX_LINE_BYTES = 1 << 20
EXCERPT_CHARS = 200


def _too_long(line: bytes | str, size: int) -> tuple[str, str]:
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


@dataclass(frozen=True)
class Catalogue:
    """The reference data ingest validates against (seeds, or the organisation's overrides)."""

    tools: dict[str, str]  # tool -> identity_type of its exports
    activity_types: dict[str, frozenset[str]]  # activity_type -> tools allowed to emit it
    value_deriving: frozenset[str] = frozenset()  # activity types that count as value-deriving events
    ceilings: Mapping[str, int] = field(default_factory=dict)  # activity_type -> the most one identity does a day

    def above_ceiling(self, activity_type: str, count: int) -> str | None:
        """Why a count of one record (an event's quantity, a vendor's daily count) is implausible, or None."""
        ceiling = self.ceilings.get(activity_type)
        if ceiling is None or count <= ceiling:
            return None
        return (
            f"{activity_type} count {count:,} is above its ceiling of {ceiling:,} a day for one identity "
            "(activity_types.csv max_per_day): corrupt or gamed; raise the ceiling in "
            "landing/reference/activity_types.csv if it is real"
        )


def _required(row: dict, name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise ValueError(f"missing required field {name}")
    return value


def _optional(row: dict, name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _boolean(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"{name}: expected true or false, got {value!r}")


def _one_of(value: str, allowed: Iterable[str], name: str, where: str) -> str:
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


def _parse_rows(entity: str, data: bytes, source_file: str, to_record: Callable[[dict], dict]) -> Parsed:
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


def parse_roster(data: bytes, source_file: str, snapshot_date: date) -> Parsed:
    def to_record(row: dict) -> dict:
        return {
            "engineer_id": _required(row, "engineer_id"),
            "email": _required(row, "email").lower(),
            "github_login": _optional(row, "github_login"),
            "full_name": _optional(row, "full_name"),
            "team_id": _required(row, "team_id"),
            "manager_email": _optional(row, "manager_email"),
            "role": _optional(row, "role"),
            "is_engineer": _boolean(_required(row, "is_engineer"), "is_engineer"),
            "snapshot_date": snapshot_date,
        }

    return _parse_rows("roster", data, source_file, to_record)


def parse_teams(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        target = _required(row, "velocity_target")
        if target not in ("3", "10"):
            raise ValueError(f"velocity_target: expected 3 or 10, got {target!r}")
        return {
            "team_id": _required(row, "team_id"),
            "team_name": _required(row, "team_name"),
            "org": _required(row, "org"),
            "parent_org": _optional(row, "parent_org"),
            "velocity_target": int(target),
        }

    return _parse_rows("teams", data, source_file, to_record)


def parse_services(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        valid_to = _optional(row, "valid_to")
        return {
            "service": _required(row, "service"),
            "team_id": _required(row, "team_id"),
            "valid_from": parse_date(_required(row, "valid_from")),
            "valid_to": parse_date(valid_to) if valid_to else None,
        }

    return _parse_rows("services", data, source_file, to_record)


def parse_identities(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        return {
            "identity": _required(row, "identity"),
            "identity_type": _one_of(_required(row, "identity_type"), IDENTITY_TYPES, "identity_type", "contract"),
            "engineer_id": _required(row, "engineer_id"),
        }

    return _parse_rows("identities", data, source_file, to_record)


def identity_type_of(identity: str, tool_identity_type: str) -> str:
    return "email" if "@" in identity else tool_identity_type


def parse_licence_grants(data: bytes, source_file: str, catalogue: Catalogue) -> Parsed:
    def to_record(row: dict) -> dict:
        identity = _required(row, "identity")
        tool = _one_of(_required(row, "tool"), catalogue.tools, "tool", "tools.csv")
        revoked_at = _optional(row, "revoked_at")
        cost = _optional(row, "monthly_cost_usd")
        try:
            monthly_cost = float(cost) if cost is not None else None
        except ValueError:
            monthly_cost = math.nan
        if monthly_cost is not None and not (math.isfinite(monthly_cost) and monthly_cost >= 0):
            raise ValueError(f"monthly_cost_usd: expected a non-negative number of US dollars, got {cost!r}")
        return {
            "identity": identity,
            "identity_type": identity_type_of(identity, catalogue.tools[tool]),
            "tool": tool,
            "granted_at": parse_timestamp(_required(row, "granted_at")),
            "revoked_at": parse_timestamp(revoked_at) if revoked_at else None,
            "plan": _optional(row, "plan"),
            "monthly_cost_usd": monthly_cost,
        }

    return _parse_rows("licence_grants", data, source_file, to_record)


def parse_survey_responses(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        score_text = _required(row, "score")
        if not SCORE.fullmatch(score_text) or not 0 <= int(score_text) <= 10:
            raise ValueError(f"score: expected an integer 0..10, got {score_text!r}")
        return {
            "response_id": _required(row, "response_id"),
            "survey_id": _required(row, "survey_id"),
            "identity": _optional(row, "respondent"),
            "tool": _optional(row, "tool"),
            "score": int(score_text),
            "submitted_at": parse_timestamp(_required(row, "submitted_at")),
        }

    return _parse_rows("survey_responses", data, source_file, to_record)


def _ndjson_objects(data: bytes, source_file: str) -> Iterable[tuple[int, str, dict | None, str | None]]:
    """(line, raw text, object or None, reason) for every non-blank line."""
    text = decode_utf8(data, source_file, "UTF-8 NDJSON")
    for line_no, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        if len(raw) > MAX_LINE_BYTES // 4 and (size := len(raw.encode())) > MAX_LINE_BYTES:
            reason, excerpt = _too_long(raw, size)
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
                "deployment_id": _required(row, "deployment_id"),
                "service": _required(row, "service"),
                "environment": _required(row, "environment"),
                "commit_sha": _required(row, "commit_sha"),
                "status": _one_of(_required(row, "status"), DEPLOYMENT_STATUSES, "status", "contract"),
                "deployed_at": _within_day(parse_timestamp(_required(row, "deployed_at")), day, now, "deployed_at"),
                "triggered_by": _optional(row, "triggered_by"),
                "lines_changed": lines_changed,
                "rollback_of": _optional(row, "rollback_of"),
                "_source_line": line,
            }
        except ValueError as error:
            parsed.rejects.append(Reject(source_file, line, str(error), raw))
            continue
        parsed.records.append(record)
    return parsed


UsageFiles = Sequence[tuple[str, bytes | Path]]  # (name under landing/, the file's content or its path)


EVENT_KEYS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("_source_file", pa.string()),
        ("_source_line", pa.int64()),
        ("is_counted", pa.bool_()),  # false when another day's delivery of the event counts instead
    ]
)


@dataclass(frozen=True)
class RepeatedEvent:
    """An event_id this day delivers that another day delivers too: the earlier occurred_at counts."""

    event_id: str
    here: str  # file:line of this day's delivery
    there: str  # file:line of the other day's
    there_day: date
    counts_here: bool
    counted_there: bool  # the other day's partition counts it too, until that day is ingested again


@dataclass
class ParsedUsage:
    """Usage events of one day, validated and rolled up; `duplicates` were dropped on event_id (within the day,
    and those another day delivers with a later occurred_at)."""

    activity: pa.Table  # canonical tool_activity fields + _source_file, _source_line (first event)
    rejects: list[Reject]
    records_read: int
    duplicates: int
    keys: pa.Table = field(default_factory=EVENT_KEYS_SCHEMA.empty_table)  # one row per distinct event_id
    repeated: list[RepeatedEvent] = field(default_factory=list)


def _lines_table(data: bytes, file_index: int, name: str) -> tuple[pa.Table, list[Reject]]:
    """Split NDJSON into an Arrow table of (file_index, line_no, raw) without a Python loop per line; a line
    longer than MAX_LINE_BYTES is left out of the table and returned as a reject."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buffer == ord("\n"))
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    offsets = np.concatenate(([0], ends + 1)).astype(np.int64)
    offsets[-1] = min(offsets[-1], len(data))
    count = len(offsets) - 1
    raw = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))
    table = pa.table(
        {
            "file_index": pa.array(np.full(count, file_index, dtype=np.int32)),
            "line_no": pa.array(np.arange(1, count + 1, dtype=np.int64)),
            "raw": raw,
        }
    )
    long_lines = np.flatnonzero(ends - offsets[:-1] > MAX_LINE_BYTES)  # ends: each line's newline, or the end
    if not len(long_lines):
        return table, []
    rejects = []
    for index in long_lines:
        start = int(offsets[index])
        reason, excerpt = _too_long(data[start : start + EXCERPT_CHARS], int(ends[index]) - start)
        rejects.append(Reject(name, int(index) + 1, reason, excerpt))
    keep = np.ones(count, dtype=bool)
    keep[long_lines] = False
    return table.filter(pa.array(keep)), rejects


_USAGE_SQL = """
with lines as (
    select file_index, line_no, trim(raw, ' \t\r\n') as raw from usage_lines
    where trim(raw, ' \t\r\n') <> ''
),
extracted as (
    -- try(): a malformed line yields null fields instead of failing the whole file
    select
        file_index, line_no, raw,
        coalesce(try(json_valid(raw) and json_type(raw) = 'OBJECT'), false) as is_object,
        nullif(trim(try(json_extract_string(raw, '$.event_id'))), '') as event_id,
        nullif(trim(try(json_extract_string(raw, '$.occurred_at'))), '') as occurred_at_text,
        nullif(trim(try(json_extract_string(raw, '$.identity'))), '') as identity,
        nullif(trim(try(json_extract_string(raw, '$.tool'))), '') as tool,
        nullif(trim(try(json_extract_string(raw, '$.event_type'))), '') as event_type,
        try(json_extract(raw, '$.quantity')) as quantity_json
    from lines
),
typed as (
    select
        *,
        try_cast(occurred_at_text as timestamptz) as occurred_at,
        case
            when quantity_json is null or json_type(quantity_json) = 'NULL' then 1
            when json_type(quantity_json) in ('UBIGINT', 'BIGINT') then try_cast(quantity_json as bigint)
        end as quantity
    from extracted
),
checked as (
    select
        typed.*,
        case
            when not is_object then 'malformed JSON: expected one JSON object per line'
            when event_id is null then 'missing required field event_id'
            when occurred_at_text is null then 'missing required field occurred_at'
            when identity is null then 'missing required field identity'
            when tool is null then 'missing required field tool'
            when event_type is null then 'missing required field event_type'
            when occurred_at is null
                then 'unparseable timestamp occurred_at ' || occurred_at_text || ': expected RFC 3339'
            when occurred_at > $now
                then 'occurred_at ' || occurred_at_text || ' is in the future'
            when cast(occurred_at as date) <> $day
                then 'occurred_at ' || occurred_at_text
                    || ' is outside the file''s day ' || cast($day as varchar)
            when tool not in (select tool from catalogue_tools)
                then 'unknown tool ' || tool || ': expected one of tools.csv (' ||
                    (select string_agg(tool, ', ' order by tool) from catalogue_tools) || ')'
            when not exists (
                select 1 from catalogue_activity as allowed
                where allowed.activity_type = typed.event_type and allowed.tool = typed.tool
            )
                then 'unknown event_type ' || event_type || ' for tool ' || tool
                    || ': expected an activity type of activity_types.csv allowed for that tool'
            when quantity is null or quantity < 0
                then 'quantity: expected a non-negative integer, got ' || left(cast(quantity_json as varchar), 120)
            when quantity > $max_quantity
                then 'quantity: expected at most ' || cast($max_quantity as varchar)
                    || ' (one event), got ' || cast(quantity as varchar)
            when quantity > ceilings.max_per_day
                then event_type || ' count ' || format('{:,}', quantity) || ' is above its ceiling of '
                    || format('{:,}', ceilings.max_per_day) || ' a day for one identity '
                    || '(activity_types.csv max_per_day): corrupt or gamed; raise the ceiling in '
                    || 'landing/reference/activity_types.csv if it is real'
        end as reason
    from typed
    left join catalogue_ceilings as ceilings on ceilings.activity_type = typed.event_type
)
select * from checked
"""

_ROLLUP_SQL = """
with per_minute as (
    -- the bot rule: value-deriving events of one identity in one UTC minute, across tools and types
    select identity, date_trunc('minute', occurred_at) as minute, count(*) as events
    from usage_counted
    where event_type in (select activity_type from catalogue_value_deriving)
    group by all
),
peaks as (
    select identity, max(events) as peak_events_per_minute
    from per_minute
    group by all
),
rolled as (
    select
        identity,
        tool,
        event_type as activity_type,
        sum(quantity) as activity_count,
        min(occurred_at) as first_at,
        max(occurred_at) as last_at,
        min({'occurred_at': occurred_at, 'file_index': file_index, 'line_no': line_no}) as first_event
    from usage_counted
    group by all
)
select
    rolled.identity,
    case when contains(rolled.identity, '@') then 'email' else tools.identity_type end as identity_type,
    rolled.tool,
    cast($day as date) as activity_date,
    rolled.activity_type,
    cast(rolled.activity_count as bigint) as activity_count,
    rolled.first_at,
    rolled.last_at,
    coalesce(peaks.peak_events_per_minute, 0) as peak_events_per_minute,
    rolled.first_event.file_index,
    rolled.first_event.line_no as _source_line
from rolled
left join peaks using (identity)
inner join catalogue_tools as tools using (tool)
order by rolled.identity, rolled.tool, rolled.activity_type
"""

_READ_JSON_OPTIONS = (
    f"format = 'newline_delimited', records = true, compression = 'none', maximum_object_size = {MAX_LINE_BYTES}, "
    "columns = {event_id: 'VARCHAR', "
    "occurred_at: 'VARCHAR', identity: 'VARCHAR', tool: 'VARCHAR', event_type: 'VARCHAR', quantity: 'JSON'}"
)

# the line parser's trim() (it strips Unicode spaces, decoding every character) at a fraction of its cost: an
# ASCII value (strlen = length) has no space but ' ', so it needs trimming only when it starts or ends with one
_TRIM_MACRO = """
create temp macro trimmed(value) as
    case
        when strlen(value) = length(value) and not starts_with(value, ' ') and not ends_with(value, ' ') then value
        else trim(value)
    end
"""

_TYPED_SQL = """
with lines as (
    {reads}
),
typed as (
    select
        file_index,
        line_no,
        nullif(trimmed(event_id), '') as event_id,
        nullif(trimmed(identity), '') as identity,
        tool,
        event_type,
        try_cast(trimmed(occurred_at) as timestamptz) as occurred_at,
        case
            when quantity is null or json_type(quantity) = 'NULL' then 1
            when json_type(quantity) in ('UBIGINT', 'BIGINT') then try_cast(quantity as bigint)
        end as quantity
    from lines
)
select
    typed.*,
    -- true when the line-by-line parser might reject the event or read it differently
    typed.event_id is null
    or typed.identity is null
    or allowed.tool is null  -- tool and event type exactly as in the catalogue (a padded one is doubtful)
    or typed.occurred_at is null
    or typed.occurred_at > $now
    or not (typed.occurred_at >= $day_start and typed.occurred_at < $day_end)
    or typed.quantity is null
    or typed.quantity < 0
    or typed.quantity > $max_quantity
    or typed.quantity > ceilings.max_per_day
    -- a JSON number read as text: DuckDB prints some (1e+20) unlike json_extract_string (100000000000000000000.0)
    or regexp_full_match(typed.event_id, '-?[0-9.]+e[-+][0-9]+')
    or regexp_full_match(typed.identity, '-?[0-9.]+e[-+][0-9]+') as doubtful
from typed
left join catalogue_activity as allowed
    on allowed.activity_type = typed.event_type and allowed.tool = typed.tool
left join catalogue_ceilings as ceilings on ceilings.activity_type = typed.event_type
"""


def _connect(catalogue: Catalogue, spill: Path) -> duckdb.DuckDBPyConnection:
    # bounded and spilling to disk: a day of usage is the pipeline's biggest step, and a run must stay under 4 GiB
    con = duckdb.connect(config={"memory_limit": "2GB", "temp_directory": str(spill)})
    con.execute("set TimeZone = 'UTC'")
    con.register(
        "catalogue_tools",
        pa.table({"tool": list(catalogue.tools), "identity_type": list(catalogue.tools.values())}),
    )
    pairs = [
        (kind, tool) for kind, tools in catalogue.activity_types.items() for tool in tools if tool in catalogue.tools
    ]
    con.register(
        "catalogue_activity",
        pa.table({"activity_type": [kind for kind, _ in pairs], "tool": [tool for _, tool in pairs]}),
    )
    con.register(
        "catalogue_ceilings",
        pa.table(
            {
                "activity_type": pa.array(list(catalogue.ceilings), pa.string()),
                "max_per_day": pa.array(list(catalogue.ceilings.values()), pa.int64()),
            }
        ),
    )
    con.register(
        "catalogue_value_deriving",
        pa.table({"activity_type": pa.array(sorted(catalogue.value_deriving), pa.string())}),
    )
    return con


def _rolled_up(
    con: duckdb.DuckDBPyConnection, names: list[str], day: date, rejects: list[Reject], elsewhere: pa.Table | None
) -> ParsedUsage:
    """Deduplicate and roll up the table usage_accepted (every accepted event, with its file index and line).

    `elsewhere` holds the events other days delivered (EVENT_KEYS_SCHEMA plus their `day`): an event_id on two
    days counts once, on the day of its earlier occurred_at (where it was first seen), whichever day is
    ingested first. Days ingested in order resolve it at once; a day ingested again after a later one that
    also counted the event says so (RepeatedEvent.counted_there), for that later day to be ingested again."""
    [(accepted, unique)] = con.execute("select count(*), count(distinct event_id) from usage_accepted").fetchall()
    columns = "event_id, identity, tool, event_type, occurred_at, quantity, file_index, line_no"
    if unique < accepted:
        # the same event delivered twice (a resent file) counts once: the latest delivery wins
        con.execute(
            f"create temp table usage_latest as select {columns} from usage_accepted "
            "qualify row_number() over (partition by event_id order by file_index desc, line_no desc) = 1"
        )
    else:  # no window (it sorts every event) and no copy
        con.execute(f"create temp view usage_latest as select {columns} from usage_accepted")
    repeated: list[RepeatedEvent] = []
    if elsewhere is not None and elsewhere.num_rows:
        con.register("usage_elsewhere", elsewhere)
        rows = con.execute(
            "select latest.event_id, latest.file_index, latest.line_no, other._source_file, other._source_line, "
            "other.day, latest.occurred_at <= other.occurred_at as counts_here, other.is_counted "
            "from usage_latest as latest inner join usage_elsewhere as other using (event_id) "
            "order by latest.file_index, latest.line_no, other.day"
        ).fetchall()
        repeated = [
            RepeatedEvent(event_id, f"{names[index]}:{line}", f"{file}:{other_line}", day_, bool(here), bool(there))
            for event_id, index, line, file, other_line, day_, here, there in rows
        ]
        con.execute(
            "create temp view usage_counted as select * from usage_latest where event_id not in "
            "(select other.event_id from usage_elsewhere as other inner join usage_latest as latest "
            "using (event_id) where other.occurred_at < latest.occurred_at)"
        )
    else:
        con.execute("create temp view usage_counted as select * from usage_latest")
    activity = con.sql(_ROLLUP_SQL, params={"day": day}).to_arrow_table()
    source_files = pa.array(names, pa.string()).take(activity.column("file_index"))
    activity = activity.drop_columns(["file_index"]).append_column("_source_file", source_files)
    counted = "event_id in (select event_id from usage_counted)" if repeated else "true"
    keys = con.sql(
        f"select event_id, occurred_at, file_index, line_no as _source_line, {counted} as is_counted from usage_latest"
    ).to_arrow_table()
    keys = keys.append_column("_source_file", pa.array(names, pa.string()).take(keys.column("file_index")))
    keys = keys.select(EVENT_KEYS_SCHEMA.names).cast(EVENT_KEYS_SCHEMA)
    [(counted,)] = con.execute("select count(*) from usage_counted").fetchall()
    return ParsedUsage(
        activity, rejects, accepted + len(rejects), duplicates=accepted - counted, keys=keys, repeated=repeated
    )


@dataclass(frozen=True)
class UsageDay:
    """What parsing one day's usage files needs besides the files."""

    day: date
    catalogue: Catalogue
    now: datetime
    folder: Path  # scratch space: DuckDB spills here, and bytes given in memory are written here
    elsewhere: pa.Table | None = None  # the events other days delivered (see _rolled_up)


def _line_count(path: Path) -> int | None:
    """The file's lines, or None when DuckDB's reader would skip a character the line parser rejects (a
    byte-order mark, a vertical tab or a form feed: whitespace to DuckDB, malformed JSON to json_valid) or a
    line is longer than MAX_LINE_BYTES (quarantined unparsed by the line parser)."""
    lines, last, since_newline = 0, b"", 0
    with path.open("rb") as file:
        if file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            return None
        file.seek(0)
        while chunk := file.read(1 << 24):
            if b"\x0b" in chunk or b"\x0c" in chunk:
                return None
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n"))
            if len(newlines):
                longest = max(since_newline + int(newlines[0]), int(np.diff(newlines).max(initial=1)) - 1)
                since_newline = len(chunk) - int(newlines[-1]) - 1
            else:
                longest = since_newline = since_newline + len(chunk)
            if max(longest, since_newline) > MAX_LINE_BYTES:
                return None
            lines += len(newlines)
            last = chunk[-1:]
    if last not in (b"", b"\n"):
        lines += 1  # the last line has no newline
    return lines


def _parse_typed(files: UsageFiles, at: UsageDay) -> ParsedUsage | None:
    """The fast way, for files whose every line is an event the contract accepts: DuckDB's typed reader parses
    each line once. None when a file is not that clean, for the line parser to name each reject."""
    day, catalogue, now, folder, elsewhere = at.day, at.catalogue, at.now, at.folder, at.elsewhere
    paths = []
    for index, (_, source) in enumerate(files):
        if isinstance(source, bytes):
            (folder / f"{index}.ndjson").write_bytes(source)
            source = folder / f"{index}.ndjson"
        paths.append(source)
    lines = [_line_count(path) for path in paths]
    if not paths or None in lines:
        return None
    # row_number() over () is the line number: a streaming window numbers the rows in the order of the scan,
    # and a blank line (skipped by read_json) shows as a row count below the line count
    reads = " union all ".join(
        f"select {index} as file_index, row_number() over () as line_no, * "
        f"from read_json($path{index}, {_READ_JSON_OPTIONS})"
        for index in range(len(paths))
    )
    start = datetime.combine(day, time(), UTC)
    params = {"now": now, "day_start": start, "day_end": start + timedelta(days=1), "max_quantity": MAX_COUNT}
    with _connect(catalogue, folder) as con:
        con.execute(_TRIM_MACRO)
        try:
            con.execute(
                f"create temp table usage_accepted as {_TYPED_SQL.format(reads=reads)}",
                params | {f"path{index}": str(path) for index, path in enumerate(paths)},
            )
        except duckdb.InvalidInputException:  # a line the strict reader cannot take: malformed, not an object
            return None
        counts = con.execute(
            "select count(*), count(*) filter (where doubtful) from usage_accepted "
            "group by file_index order by file_index"
        ).fetchall()
        if counts != [(count, 0) for count in lines]:
            return None
        return _rolled_up(con, [name for name, _ in files], day, [], elsewhere)


def _parse_lines(files: UsageFiles, at: UsageDay) -> ParsedUsage:
    """The exact way, for any file: every line is checked as text, and each reject names its file and line."""
    day, catalogue, now, folder, elsewhere = at.day, at.catalogue, at.now, at.folder, at.elsewhere
    names = [name for name, _ in files]
    contents = [source if isinstance(source, bytes) else source.read_bytes() for _, source in files]
    for name, data in zip(names, contents, strict=True):
        decode_utf8(data, name, "UTF-8 NDJSON")
    # a byte-order mark is dropped as every reader drops it: left in, it made the first event malformed JSON
    contents = [data.removeprefix(codecs.BOM_UTF8) for data in contents]
    split = [_lines_table(data, index, name) for index, (name, data) in enumerate(zip(names, contents, strict=True))]
    lines = pa.concat_tables([table for table, _ in split] or [_lines_table(b"", 0, "")[0]])
    too_long = [reject for _, rejects in split for reject in rejects]
    with _connect(catalogue, folder) as con:
        con.register("usage_lines", lines)
        con.execute(
            f"create temp table usage_checked as {_USAGE_SQL}", {"day": day, "now": now, "max_quantity": MAX_COUNT}
        )
        con.execute("create temp view usage_accepted as select * from usage_checked where reason is null")
        rejects = [
            Reject(names[file_index], line_no, reason, raw)
            for file_index, line_no, reason, raw in con.execute(
                "select file_index, line_no, reason, raw from usage_checked where reason is not null "
                "order by file_index, line_no"
            ).fetchall()
        ]
        order = {name: index for index, name in enumerate(names)}
        rejects = sorted(rejects + too_long, key=lambda reject: (order[reject.source_file], reject.source_line))
        return _rolled_up(con, names, day, rejects, elsewhere)


def parse_usage_events(
    files: UsageFiles,
    day: date,
    catalogue: Catalogue,
    now: datetime | None = None,
    elsewhere: pa.Table | None = None,
) -> ParsedUsage:
    """Validate, deduplicate and roll up one day's usage files (generic contract, NDJSON events).

    `files` are (name, content or path); given a path, DuckDB reads the file itself, which saves memory.
    `elsewhere`: the events other days delivered (see _rolled_up)."""
    now = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="usage-") as folder:
        at = UsageDay(day, catalogue, now, Path(folder), elsewhere)
        return _parse_typed(files, at) or _parse_lines(files, at)
