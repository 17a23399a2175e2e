"""Usage events of the generic contract: millions a day, parsed, validated, deduplicated on event_id and
rolled up to identity x tool x activity type x day in DuckDB, keeping each line number so that every reject
still names its file and line. A clean day (every line an accepted event, the usual case) is read by DuckDB's
typed JSON reader, one parse per line; any other day is checked line by line as text."""

import codecs
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.defs.ingest.connectors._common import MAX_COUNT
from orchestration.defs.ingest.connectors.generic.rows import EXCERPT_CHARS, MAX_LINE_BYTES, too_long_line
from orchestration.defs.ingest.connectors.generic.usage_sql import (
    READ_JSON_OPTIONS,
    ROLLUP_SQL,
    TRIM_MACRO,
    TYPED_SQL,
    USAGE_SQL,
)
from orchestration.lib.contracts.generic import Catalogue
from orchestration.lib.contracts.records import Reject, decode_utf8

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

# Given the distinct event_ids of the day being parsed, the deliveries of them that other days hold
# (EVENT_KEYS_SCHEMA plus their `day`), or None: the parser asks for the few it needs rather than being
# handed every key of the neighbouring days (millions a day).
OtherDeliveries = Callable[[pa.Array], pa.Table | None]


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
        reason, excerpt = too_long_line(data[start : start + EXCERPT_CHARS], int(ends[index]) - start)
        rejects.append(Reject(name, int(index) + 1, reason, excerpt))
    keep = np.ones(count, dtype=bool)
    keep[long_lines] = False
    return table.filter(pa.array(keep)), rejects


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
    con: duckdb.DuckDBPyConnection,
    names: list[str],
    day: date,
    rejects: list[Reject],
    elsewhere: OtherDeliveries | None,
) -> ParsedUsage:
    """Deduplicate and roll up the table usage_accepted (every accepted event, with its file index and line).

    `elsewhere` finds the events other days delivered too (see OtherDeliveries): an event_id on two
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
    other = elsewhere(con.sql("select event_id from usage_latest").to_arrow_table().column(0)) if elsewhere else None
    if other is not None and other.num_rows:
        con.register("usage_elsewhere", other)
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
    activity = con.sql(ROLLUP_SQL, params={"day": day}).to_arrow_table()
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
    elsewhere: OtherDeliveries | None = None  # the events other days delivered too (see _rolled_up)


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
        f"from read_json($path{index}, {READ_JSON_OPTIONS})"
        for index in range(len(paths))
    )
    start = datetime.combine(day, time(), UTC)
    params = {"now": now, "day_start": start, "day_end": start + timedelta(days=1), "max_quantity": MAX_COUNT}
    with _connect(catalogue, folder) as con:
        con.execute(TRIM_MACRO)
        try:
            con.execute(
                f"create temp table usage_accepted as {TYPED_SQL.format(reads=reads)}",
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
            f"create temp table usage_checked as {USAGE_SQL}", {"day": day, "now": now, "max_quantity": MAX_COUNT}
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
    elsewhere: OtherDeliveries | None = None,
) -> ParsedUsage:
    """Validate, deduplicate and roll up one day's usage files (generic contract, NDJSON events).

    `files` are (name, content or path); given a path, DuckDB reads the file itself, which saves memory.
    `elsewhere`: finds the events other days delivered too (see _rolled_up)."""
    now = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="usage-") as folder:
        at = UsageDay(day, catalogue, now, Path(folder), elsewhere)
        return _parse_typed(files, at) or _parse_lines(files, at)
