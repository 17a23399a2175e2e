"""Usage events: DuckDB's typed reader (the fast way) gives exactly what the line-by-line parser gives, and
declines every file on which it could differ, so that rejects keep their reasons and line numbers."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.defs.ingest.connectors.generic import (
    ParsedUsage,
    UsageDay,
    UsageFiles,
    parse_usage_events,
)
from orchestration.defs.ingest.connectors.generic.usage import _parse_lines, _parse_typed
from orchestration.lib.contracts.records import UnreadableFile
from tests.defs.ingest.generic_inputs import CATALOGUE, DAY, NOW

FILE = "usage/2026-03-02.ndjson"


def event(event_id: object, occurred_at: object = "2026-03-02T10:00:00Z", **fields: object) -> str:
    record = {"event_id": event_id, "occurred_at": occurred_at, "identity": "ana@example.com"}
    record |= {"tool": "cursor", "event_type": "interaction"} | fields
    return json.dumps(record, ensure_ascii=False)


HONEST = [
    event("e1", "2026-03-02T10:00:05Z"),
    event("e2", "2026-03-02T10:00:50Z", quantity=3),
    event("e3", "2026-03-02T11:00:00+01:00", identity="octo", tool="github_copilot"),
    event("e4", "2026-03-02T10:00:10Z", event_type="suggestion_accepted"),
    event("e5", "2026-03-02T10:00:20Z", event_type="suggestion_accepted", quantity=None),
    event("e6", "2026-03-02T23:59:59Z", identity="bo@example.com", quantity=0),
]


def ndjson(lines: list[str], end: str = "\n") -> bytes:
    return ("\n".join(lines) + end).encode()


def parse_both(files: UsageFiles, tmp_path: Path, now: datetime = NOW) -> tuple[ParsedUsage | None, ParsedUsage]:
    (tmp_path / "typed").mkdir(exist_ok=True)
    (tmp_path / "lines").mkdir(exist_ok=True)
    typed = _parse_typed(files, UsageDay(DAY, CATALOGUE, now, tmp_path / "typed"))
    return typed, _parse_lines(files, UsageDay(DAY, CATALOGUE, now, tmp_path / "lines"))


def assert_same(parsed: ParsedUsage, exact: ParsedUsage) -> None:
    assert parsed.activity.schema == exact.activity.schema
    assert parsed.activity.to_pylist() == exact.activity.to_pylist()
    assert parsed.rejects == exact.rejects
    assert (parsed.records_read, parsed.duplicates) == (exact.records_read, exact.duplicates)


ODD_BUT_ACCEPTED = {
    "padded values": [event(" e7 ", " 2026-03-02T10:01:00Z ", identity=" Ana@Example.com "), event("e7")],
    "unicode spaces and text": [event("e7", identity="\u00a0josé@example.com\u3000")],
    "numbers as text": [event(7, identity=12345, tool="github_copilot"), event(2.5, identity=-0.25)],
    "objects as text": [event("e7", identity={"login": "ana", "ids": [1, 2.5]})],
    "extra fields, other key order": ['{"extra": {"event_id": "x"}, ' + event("e7")[1:]],
    "crlf line ends": [line + "\r" for line in HONEST],
    "a trailing comma": [event("e7")[:-1] + ", }"],
}


@pytest.mark.parametrize("extra", ODD_BUT_ACCEPTED.values(), ids=ODD_BUT_ACCEPTED.keys())
def test_clean_files_take_the_typed_reader_with_identical_output(tmp_path, extra):
    for end in ("\n", ""):  # with and without a newline after the last line
        typed, exact = parse_both([(FILE, ndjson(HONEST + extra, end))], tmp_path)
        assert typed is not None and not exact.rejects
        assert_same(typed, exact)


def test_resent_files_keep_the_latest_delivery_in_both_ways(tmp_path):
    day_file = ndjson([*HONEST, event("e2", "2026-03-02T09:00:00Z", quantity=5)])  # e2 again, later in the file
    resent = ndjson([event("e1", "2026-03-02T08:00:00Z"), HONEST[3]])
    typed, exact = parse_both([(FILE, day_file), ("usage/2026-03-02.resent.ndjson", resent)], tmp_path)
    assert typed is not None and exact.duplicates == 3
    assert_same(typed, exact)
    ana = {row["activity_type"]: row for row in exact.activity.to_pylist() if row["identity"] == "ana@example.com"}
    assert ana["interaction"]["first_at"].hour == 8  # e1 as resent, e2 as repeated: the latest delivery wins
    assert ana["interaction"]["activity_count"] == 1 + 5


def test_line_numbers_stay_in_file_order_over_many_events(tmp_path):
    # more rows than one DuckDB vector (2,048): each identity-day names the line of its earliest event
    lines = [
        event(f"e{n}", f"2026-03-02T{n * 7919 % 24:02}:{n * 31 % 60:02}:00Z", identity=f"user{n % 97}@example.com")
        for n in range(6000)
    ]
    lines += lines[:500]  # a resend inside the same file: the later copies win
    typed, exact = parse_both([(FILE, ndjson(lines))], tmp_path)
    assert typed is not None and exact.duplicates == 500
    assert_same(typed, exact)


DECLINED = {
    # the fast way must decline, or it would accept these lines, number them wrongly or read them differently
    "malformed json": [*HONEST, '{"event_id": "e7", "occurred_at": "2026-03-02T1'],
    "blank line": [HONEST[0], "", *HONEST[1:]],
    "whitespace line": [HONEST[0], " \t ", *HONEST[1:]],
    "epoch millis as seconds": [*HONEST, event("e7", "58046-04-12T13:20:00Z")],
    "outside the day": [*HONEST, event("e7", "2026-03-03T00:00:00Z")],
    "quantity as text": [*HONEST, event("e7", quantity="3")],
    "fractional quantity": [*HONEST, event("e7", quantity=2.5)],
    "negative quantity": [*HONEST, event("e7", quantity=-1)],
    "quantity beyond bigint": [*HONEST, event("e7", quantity=2**64 - 1)],
    "identity as a large number": [*HONEST, event("e7", identity=1.5e300)],
    "event id as a large number": [*HONEST, event(1e20), event("100000000000000000000.0")],
    "unknown tool": [*HONEST, event("e7", tool="copilot-x")],
    "event type not of the tool": [*HONEST, event("e7", tool="github_copilot", event_type="suggestion_accepted")],
    "padded tool": [*HONEST, event("e7", tool=" cursor ")],
    "missing identity": [*HONEST, event("e7", identity=" ")],
    "unparseable timestamp": [*HONEST, event("e7", "not a time")],
    "not objects": [*HONEST, "[1, 2]", '"text"', "42", "null"],
    "byte-order mark": ["\ufeff" + HONEST[0], *HONEST[1:]],
    "form feed": [HONEST[0], "\f" + HONEST[1], *HONEST[2:]],
    "repeated key": [*HONEST, event("e7")[:-1] + ', "identity": "bo@example.com"}'],
}


@pytest.mark.parametrize("lines", DECLINED.values(), ids=DECLINED.keys())
def test_files_the_typed_reader_could_misread_go_line_by_line(tmp_path, lines):
    typed, exact = parse_both([(FILE, ndjson(lines))], tmp_path)
    assert typed is None
    assert_same(parse_usage_events([(FILE, ndjson(lines))], DAY, CATALOGUE, now=NOW), exact)


def test_an_empty_file_and_future_events_go_line_by_line(tmp_path):
    typed, exact = parse_both([(FILE, b"")], tmp_path)
    assert typed is None and exact.records_read == 0 and exact.activity.num_rows == 0
    typed, exact = parse_both([(FILE, ndjson(HONEST))], tmp_path, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    assert typed is None and [reject.source_line for reject in exact.rejects] == [6]


def test_paths_and_bytes_give_the_same_result(tmp_path):
    path = tmp_path / "2026-03-02.ndjson"
    path.write_bytes(ndjson(HONEST))
    from_path = parse_usage_events([(FILE, path)], DAY, CATALOGUE, now=NOW)
    assert_same(from_path, parse_usage_events([(FILE, path.read_bytes())], DAY, CATALOGUE, now=NOW))
    path.write_bytes(ndjson([*HONEST, "not json"]))
    [reject] = parse_usage_events([(FILE, path)], DAY, CATALOGUE, now=NOW).rejects
    assert (reject.source_file, reject.source_line, reject.raw) == (FILE, 7, "not json")


def test_a_file_that_is_not_utf8_fails_naming_its_line():
    data = HONEST[0].encode() + b"\n" + b'{"event_id": "e\xff"}\n'
    message = r"2026-03-02.ndjson: cannot be read: expected UTF-8 NDJSON \(not UTF-8 text: line 2,"
    with pytest.raises(UnreadableFile, match=message):
        parse_usage_events([(FILE, data)], DAY, CATALOGUE, NOW)


@pytest.mark.parametrize("excess", [0, 1])
@pytest.mark.parametrize("end", ["\n", ""])
def test_the_line_length_bound_is_the_same_in_both_ways(tmp_path, excess, end):
    """A line at the bound is an event; one byte over, it is quarantined, whichever reader took the file."""
    from orchestration.defs.ingest.connectors.generic import MAX_LINE_BYTES

    padded = event("e9", padding="")
    line = event("e9", padding="x" * (MAX_LINE_BYTES - len(padded.encode()) + excess))
    files = [(FILE, ndjson([*HONEST, line], end))]
    typed, exact = parse_both(files, tmp_path)
    assert [reject.source_line for reject in exact.rejects] == ([7] if excess else [])
    assert (typed is None) == bool(excess)
    if typed is not None:
        assert_same(typed, exact)
