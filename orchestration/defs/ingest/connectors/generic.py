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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.lib.canonical import DEPLOYMENT_STATUSES, IDENTITY_TYPES
from orchestration.lib.landing_safety import excerpt

from ._common import MAX_COUNT, InvalidJson, parse_json
from .base import Parsed, Reject, UnreadableFile, parse_date, parse_timestamp

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


SCORE = re.compile(r"[0-9]{1,2}")  # ASCII digits only: str.isdigit() also takes "²", which int() refuses


@dataclass(frozen=True)
class Catalogue:
    """The reference data ingest validates against (seeds, or the organisation's overrides)."""

    tools: dict[str, str]  # tool -> identity_type of its exports
    activity_types: dict[str, frozenset[str]]  # activity_type -> tools allowed to emit it
    value_deriving: frozenset[str] = frozenset()  # activity types that count as value-deriving events


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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(source_file, "UTF-8 CSV text", str(error)) from None
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
    for line_no, raw_bytes in enumerate(data.split(b"\n"), start=1):
        raw = raw_bytes.decode("utf-8", errors="replace").strip()
        if not raw:
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


@dataclass
class ParsedUsage:
    """Usage events of one day, validated and rolled up; `duplicates` were dropped on event_id."""

    activity: pa.Table  # canonical tool_activity fields + _source_file, _source_line (first event)
    rejects: list[Reject]
    records_read: int
    duplicates: int


def _lines_table(data: bytes, file_index: int) -> pa.Table:
    """Split NDJSON into an Arrow table of (file_index, line_no, raw) without a Python loop per line."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buffer == ord("\n"))
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    offsets = np.concatenate(([0], ends + 1)).astype(np.int64)
    offsets[-1] = min(offsets[-1], len(data))
    count = len(offsets) - 1
    raw = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))
    return pa.table(
        {
            "file_index": pa.array(np.full(count, file_index, dtype=np.int32)),
            "line_no": pa.array(np.arange(1, count + 1, dtype=np.int64)),
            "raw": raw,
        }
    )


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
        *,
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
        end as reason
    from typed
)
select * from checked
"""

_ROLLUP_SQL = """
with per_minute as (
    -- the bot rule: value-deriving events of one identity in one UTC minute, across tools and types
    select identity, date_trunc('minute', occurred_at) as minute, count(*) as events
    from usage_latest
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
    from usage_latest
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
    "format = 'newline_delimited', records = true, compression = 'none', columns = {event_id: 'VARCHAR', "
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
    -- a JSON number read as text: DuckDB prints some (1e+20) unlike json_extract_string (100000000000000000000.0)
    or regexp_full_match(typed.event_id, '-?[0-9.]+e[-+][0-9]+')
    or regexp_full_match(typed.identity, '-?[0-9.]+e[-+][0-9]+') as doubtful
from typed
left join catalogue_activity as allowed
    on allowed.activity_type = typed.event_type and allowed.tool = typed.tool
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
        "catalogue_value_deriving",
        pa.table({"activity_type": pa.array(sorted(catalogue.value_deriving), pa.string())}),
    )
    return con


def _rolled_up(con: duckdb.DuckDBPyConnection, names: list[str], day: date, rejects: list[Reject]) -> ParsedUsage:
    """Deduplicate and roll up the table usage_accepted (every accepted event, with its file index and line)."""
    [(accepted, unique)] = con.execute("select count(*), count(distinct event_id) from usage_accepted").fetchall()
    columns = "identity, tool, event_type, occurred_at, quantity, file_index, line_no"
    if unique < accepted:
        # the same event delivered twice (a resent file) counts once: the latest delivery wins
        con.execute(
            f"create temp table usage_latest as select {columns} from usage_accepted "
            "qualify row_number() over (partition by event_id order by file_index desc, line_no desc) = 1"
        )
    else:  # no window (it sorts every event) and no copy
        con.execute(f"create temp view usage_latest as select {columns} from usage_accepted")
    activity = con.sql(_ROLLUP_SQL, params={"day": day}).to_arrow_table()
    source_files = pa.array(names, pa.string()).take(activity.column("file_index"))
    activity = activity.drop_columns(["file_index"]).append_column("_source_file", source_files)
    return ParsedUsage(activity, rejects, accepted + len(rejects), duplicates=accepted - unique)


def _line_count(path: Path) -> int | None:
    """The file's lines, or None when DuckDB's reader would skip a character the line parser rejects: a
    byte-order mark, a vertical tab or a form feed (whitespace to DuckDB, malformed JSON to json_valid)."""
    lines, last = 0, b""
    with path.open("rb") as file:
        if file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            return None
        file.seek(0)
        while chunk := file.read(1 << 24):
            if b"\x0b" in chunk or b"\x0c" in chunk:
                return None
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last not in (b"", b"\n"):
        lines += 1  # the last line has no newline
    return lines


def _parse_typed(files: UsageFiles, day: date, catalogue: Catalogue, now: datetime, folder: Path) -> ParsedUsage | None:
    """The fast way, for files whose every line is an event the contract accepts: DuckDB's typed reader parses
    each line once. None when a file is not that clean, for the line parser to name each reject."""
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
        return _rolled_up(con, [name for name, _ in files], day, [])


def _require_utf8(name: str, data: bytes) -> None:
    """Text that is not UTF-8 is not NDJSON: the file fails, naming the first bad line."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(name, "UTF-8 NDJSON", f"line {line}: {error.reason} at byte {error.start}") from None


def _parse_lines(files: UsageFiles, day: date, catalogue: Catalogue, now: datetime, folder: Path) -> ParsedUsage:
    """The exact way, for any file: every line is checked as text, and each reject names its file and line."""
    names = [name for name, _ in files]
    contents = [source if isinstance(source, bytes) else source.read_bytes() for _, source in files]
    for name, data in zip(names, contents, strict=True):
        _require_utf8(name, data)
    lines = pa.concat_tables(
        [_lines_table(data, index) for index, data in enumerate(contents)] or [_lines_table(b"", 0)]
    )
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
        return _rolled_up(con, names, day, rejects)


def parse_usage_events(files: UsageFiles, day: date, catalogue: Catalogue, now: datetime | None = None) -> ParsedUsage:
    """Validate, deduplicate and roll up one day's usage files (generic contract, NDJSON events).

    `files` are (name, content or path); given a path, DuckDB reads the file itself, which saves memory."""
    now = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="usage-") as folder:
        return _parse_typed(files, day, catalogue, now, Path(folder)) or _parse_lines(
            files, day, catalogue, now, Path(folder)
        )
