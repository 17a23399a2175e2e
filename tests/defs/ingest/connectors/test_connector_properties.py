"""Any bytes in, a parsed result or a named unreadable-file error out, never another exception.

Every vendor format of the registry and every generic-contract parser gets arbitrary bytes and
structural mutations of a valid sample: JSON with values replaced by junk (wrong types, nulls, NaN,
huge or deeply nested values), keys deleted and records duplicated; CSV with cells replaced, columns
dropped, added or renamed, and rows cut short; then the text re-encoded (byte-order mark, CRLF,
truncation, a stray non-UTF-8 byte, UTF-16). Whatever comes out must be either
- a `Parsed` whose records fit the canonical schema, whose rejects name the file and a line, and that
  accounts for every row it read: records_read is the format's row count, and records_read = rows
  accepted + rows rejected (a row is never both); or
- an `UnreadableFile` naming the file and what was expected.

The examples are derandomized, so a failure replays the same way on every machine. Each input that
once made a connector crash is pinned with @example.
"""

import codecs
import copy
import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orchestration.defs.ingest.connectors import generic
from orchestration.defs.ingest.connectors.registry import SPEND_IN_USAGE, VENDOR_FORMATS
from orchestration.lib import reference
from orchestration.lib.canonical import ENTITY_SCHEMAS, PULL_REQUEST_CHILDREN, pull_request_rows
from orchestration.lib.contracts.records import Parsed, UnreadableFile

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
VENDOR_SAMPLES_DIR = FIXTURES / "vendor_formats"
GENERIC_LANDING = FIXTURES / "generic_contract"  # laid out as a landing folder, with no reference overrides
DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 10, tzinfo=UTC)
CATALOGUE = reference.load_catalogue(GENERIC_LANDING)  # the shipped seeds

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------------------------------------
# what each parser is given, and how its rows are counted


@dataclass(frozen=True)
class Target:
    """One parser under test: the file name it is given, a valid sample, and how rows are counted.

    `rows` is the format's own notion of a row, counted from the bytes independently of the parser:
    "page:<key>" the items of the list under <key>; "array" the items of a JSON array; "items" one
    JSON object, the items of an array, or the non-blank NDJSON lines; "lines" non-blank lines;
    "csv:<n>" CSV rows after n header rows. `one_record_per_row`: every accepted row is one record
    (formats that fold rows or accept some without a record only promise records <= accepted rows).
    """

    entity: str
    name: str
    sample: bytes
    kind: str  # json | ndjson | csv: how the sample is mutated
    rows: str
    one_record_per_row: bool
    parse_files: Callable[[Mapping[str, bytes]], dict[str, Parsed]]
    companions: Mapping[str, bytes] | None = None  # files parsed with it (GitHub REST)


def _vendor(
    folder: str, name: str, sample: str | bytes, kind: str, rows: str, one_record_per_row: bool, **more
) -> Target:
    fmt = VENDOR_FORMATS[folder]
    data = sample if isinstance(sample, bytes) else (VENDOR_SAMPLES_DIR / sample).read_bytes()
    return Target(fmt.entity, f"{folder}/{name}", data, kind, rows, one_record_per_row, fmt.parse_files, **more)


def _spend_in_usage(folder: str, name: str, sample: str, kind: str, rows: str) -> Target:
    """The spend a usage export carries, read by its spend format (a row may have no spend, or several models')."""
    data = (VENDOR_SAMPLES_DIR / sample).read_bytes()
    return Target("spend", f"{folder}/{name}", data, kind, rows, False, SPEND_IN_USAGE[folder].parse_files)


def _each_file(parse: Callable[[bytes, str], Parsed]) -> Callable[[Mapping[str, bytes]], dict[str, Parsed]]:
    return lambda files: {name: parse(data, name) for name, data in files.items()}


REST_FOLDER = "deployments/github_rest"
REST_DEPLOYMENTS = f"{REST_FOLDER}/deployments_2026-03-02.json"
REST_STATUSES = f"{REST_FOLDER}/deployments_2026-03-02_statuses.json"
# the samples' status belongs to deployment 42: the listed deployment is renumbered to match it
REST_LIST = json.dumps(
    [{**item, "id": 42} for item in json.loads((VENDOR_SAMPLES_DIR / "github_deployments_list.json").read_bytes())]
).encode()
REST_STATUS_LIST = (VENDOR_SAMPLES_DIR / "github_deployment_statuses_list.json").read_bytes()
PULLS_FOLDER = "pull_requests/github_rest"
PULLS_LIST = f"{PULLS_FOLDER}/pulls_closed_page_1.json"
PULLS_COMMITS = f"{PULLS_FOLDER}/pull_1347_commits.json"
PULLS_LIST_SAMPLE = (VENDOR_SAMPLES_DIR / "github_pull_requests_list_closed.json").read_bytes()
PULLS_COMMITS_SAMPLE = (VENDOR_SAMPLES_DIR / "github_pull_1347_commits.json").read_bytes()

VENDOR_TARGETS = {
    "deployments/github_deployment_status": _vendor(
        "deployments/github_deployment_status",
        "deployment_status_2026-03-02.json",
        "github_deployment_status_webhook.json",
        "json",
        "items",
        False,  # queued, pending, in_progress and inactive payloads are read without a record
    ),
    REST_FOLDER: _vendor(
        REST_FOLDER,
        "deployments_2026-03-02.json",
        REST_LIST,
        "json",
        "array",
        False,  # a deployment without a final status is read without a record
        companions={REST_STATUSES: REST_STATUS_LIST},
    ),
    REST_FOLDER + " (statuses)": _vendor(
        REST_FOLDER,
        "deployments_2026-03-02_statuses.json",
        REST_STATUS_LIST,
        "json",
        "array",
        False,  # statuses fold into their deployment
        companions={REST_DEPLOYMENTS: REST_LIST},
    ),
    "deployments/github_workflow_run": _vendor(
        "deployments/github_workflow_run",
        "workflow_run_2026-03-02.json",
        "github_workflow_run_webhook_completed.json",
        "json",
        "items",
        False,  # runs not completed, or cancelled, are read without a record
    ),
    PULLS_FOLDER: _vendor(
        PULLS_FOLDER,
        "pulls_closed_page_1.json",
        PULLS_LIST_SAMPLE,
        "json",
        "array",
        False,  # an open pull request (a list fetched with state=all) is read without a record
        companions={PULLS_COMMITS: PULLS_COMMITS_SAMPLE},
    ),
    PULLS_FOLDER + " (commits)": _vendor(
        PULLS_FOLDER,
        "pull_1347_commits.json",
        PULLS_COMMITS_SAMPLE,
        "json",
        "array",
        False,  # commits fold into their pull request
        companions={PULLS_LIST: PULLS_LIST_SAMPLE},
    ),
    "pull_requests/github_webhook": _vendor(
        "pull_requests/github_webhook",
        "pull_request_2026-03-02.json",
        "github_pull_request_webhook_closed.json",
        "json",
        "items",
        False,  # payloads of other actions (opened, synchronize, ...) are read without a record
    ),
    "licences/github_copilot_seats": _vendor(
        "licences/github_copilot_seats", "seats_page_1.json", "github_copilot_seats.json", "json", "page:seats", True
    ),
    "licences/cursor_team_members": _vendor(
        "licences/cursor_team_members",
        "cursor_team_members_2025-10-14.json",
        "cursor_team_members.json",
        "json",
        "page:teamMembers",
        True,
    ),
    "usage/github_copilot_users_1_day": _vendor(
        "usage/github_copilot_users_1_day",
        "users_2025-10-01.ndjson",
        "github_copilot_usage_metrics_users_1_day.ndjson",
        "ndjson",
        "items",
        False,  # usage rows fold into one record per activity type, and idle rows give none
    ),
    "usage/claude_code_analytics": _vendor(
        "usage/claude_code_analytics", "page_1.json", "claude_code_analytics.json", "json", "page:data", False
    ),
    "usage/cursor_daily_usage": _vendor(
        "usage/cursor_daily_usage", "daily_usage.json", "cursor_daily_usage_data.json", "json", "page:data", False
    ),
    "usage/amazon_q_user_activity": _vendor(
        "usage/amazon_q_user_activity",
        "AWSLogs/111122223333/QDeveloperLogs/by_user_analytic/us-east-1/2025/04/17/00/report_part_1.csv",
        "amazon_q_user_activity.csv",
        "csv",
        "csv:1",
        False,
    ),
    "surveys/qualtrics": _vendor(
        "surveys/qualtrics", "nps_wave.csv", "qualtrics_nps_survey_export.csv", "csv", "csv:3", True
    ),
    "spend/cursor_usage_events": _vendor(
        "spend/cursor_usage_events",
        "usage_events_page_3.json",
        "cursor_filtered_usage_events.json",
        "json",
        "page:usageEvents",
        False,  # events included in the plan are excluded by definition, and a user's day of events is one record
    ),
    "usage/claude_code_analytics (spend)": _spend_in_usage(
        "usage/claude_code_analytics", "page_1.json", "claude_code_analytics.json", "json", "page:data"
    ),
    "usage/github_copilot_users_1_day (spend)": _spend_in_usage(
        "usage/github_copilot_users_1_day",
        "users_2025-10-01.ndjson",
        "github_copilot_usage_metrics_users_1_day_ai_credits.ndjson",  # the newer docs example's ai_credits_used
        "ndjson",
        "items",
    ),
}


def _generic(entity: str, relative: str, kind: str, rows: str, parse: Callable[[bytes, str], Parsed]) -> Target:
    return Target(entity, relative, (GENERIC_LANDING / relative).read_bytes(), kind, rows, True, _each_file(parse))


# how ingest calls each generic parser (assets.py)
GENERIC_TARGETS = {
    "roster": _generic(
        "roster", "roster/roster_2026-03-02.csv", "csv", "csv:1", lambda d, n: generic.parse_roster(d, n, DAY)
    ),
    "teams": _generic("teams", "teams/teams.csv", "csv", "csv:1", generic.parse_teams),
    "services": _generic("services", "services/services.csv", "csv", "csv:1", generic.parse_services),
    "identities": _generic("identities", "identities/identities.csv", "csv", "csv:1", generic.parse_identities),
    "licence_grants": _generic(
        "licence_grants",
        "licences/grants.csv",
        "csv",
        "csv:1",
        lambda d, n: generic.parse_licence_grants(d, n, CATALOGUE),
    ),
    "survey_responses": _generic(
        "survey_responses", "surveys/wave_1.csv", "csv", "csv:1", generic.parse_survey_responses
    ),
    "deployments": _generic(
        "deployments",
        "deployments/2026-03-02.ndjson",
        "ndjson",
        "lines",
        lambda d, n: generic.parse_deployments(d, n, DAY, now=NOW),
    ),
    "pull_requests": _generic(
        "pull_requests",
        "pull_requests/2026-03-02.ndjson",
        "ndjson",
        "lines",
        lambda d, n: generic.parse_pull_requests(d, n, DAY, now=NOW),
    ),
    "spend": _generic(
        "spend",
        "spend/2026-03-02.ndjson",
        "ndjson",
        "lines",
        lambda d, n: generic.parse_spend(d, n, DAY, CATALOGUE, NOW),
    ),
}
TARGETS = {**VENDOR_TARGETS, **GENERIC_TARGETS}
USAGE_SAMPLE = GENERIC_LANDING / "usage" / "2026-03-02.ndjson"


def test_every_vendor_format_has_a_property_target():
    formats = {key.split(" (")[0] for key in VENDOR_TARGETS if not key.endswith(" (spend)")}
    assert formats == set(VENDOR_FORMATS)
    assert {key.removesuffix(" (spend)") for key in VENDOR_TARGETS if key.endswith(" (spend)")} == set(SPEND_IN_USAGE)


# ---------------------------------------------------------------------------------------------
# the property


def expected_rows(rule: str, data: bytes) -> int:
    """The row count of a file the parser read, by the format's own rule (see Target)."""
    if rule == "lines":
        # a byte-order mark opens the file, it is no row (a file of a BOM alone is an empty file)
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
        return sum(1 for line in text.split("\n") if line.strip())
    text = data.decode("utf-8-sig")
    if rule.startswith("csv:"):
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
        return len(rows) - int(rule.removeprefix("csv:"))
    if rule == "items":
        try:
            document = json.loads(text) if text.strip() else []
        except json.JSONDecodeError:
            return sum(1 for line in text.split("\n") if line.strip())
        return len(document) if isinstance(document, list) else 1
    document = json.loads(text)
    return len(document if rule == "array" else document[rule.removeprefix("page:")])


def check_records(entity: str, records: list[dict]) -> None:
    """Exactly the entity's canonical fields plus a line, fitting its Arrow schema, timestamps in UTC. A pull
    request's commits and labels are checked as the lake rows they become."""
    if entity != "pull_requests":
        check_rows(entity, records)
        return
    for record in records:
        assert set(record) == {*ENTITY_SCHEMAS[entity].names, *PULL_REQUEST_CHILDREN, "_source_line"}
        for table, rows in pull_request_rows(record).items():
            check_rows(table, [{key: value for key, value in row.items() if key != "_source_file"} for row in rows])


def check_rows(entity: str, records: list[dict]) -> None:
    schema = ENTITY_SCHEMAS[entity]
    for record in records:
        assert set(record) == {*schema.names, "_source_line"}
        assert isinstance(record["_source_line"], int) and record["_source_line"] >= 1
        for field in schema:
            value = record[field.name]
            if pa.types.is_timestamp(field.type) and value is not None:
                assert value.utcoffset().total_seconds() == 0
            if isinstance(value, float):
                assert math.isfinite(value), f"{field.name} is {value}"
    pa.Table.from_pylist([{name: record[name] for name in schema.names} for record in records], schema=schema)


def check_parsed(target: Target, name: str, data: bytes, parsed: Parsed) -> None:
    assert isinstance(parsed, Parsed) and parsed.entity == target.entity
    check_records(target.entity, parsed.records)
    # a row left out (quarantined, or excluded by definition such as a partial survey response) is left out once
    left_out = [reject.source_line for reject in [*parsed.rejects, *parsed.excluded]]
    for reject in [*parsed.rejects, *parsed.excluded]:
        assert reject.source_file == name and reject.source_line >= 1
        assert isinstance(reject.reason, str) and reject.reason.strip() and isinstance(reject.raw, str)
    assert len(set(left_out)) == len(left_out), "a row is left out once"
    accepted_lines = {record["_source_line"] for record in parsed.records}
    assert not accepted_lines & set(left_out), "a row is either accepted or left out"
    if name == target.name:  # a companion file's rows are its own sample's
        assert parsed.records_read == expected_rows(target.rows, data)
    accepted = parsed.records_read - len(left_out)
    if target.one_record_per_row:
        assert len(parsed.records) == accepted
    else:
        assert len(accepted_lines) <= accepted


def check_outcome(target: Target, data: bytes) -> None:
    """Parse `data` as the target's file: a Parsed per file that holds up, or UnreadableFile naming one."""
    files = {target.name: data, **(target.companions or {})}
    try:
        results = target.parse_files(files)
    except UnreadableFile as error:
        assert error.source_file in files
        assert str(error).startswith(f"{error.source_file}: cannot be read: expected ")
        return
    assert set(results) == set(files)
    for name, parsed in results.items():
        check_parsed(target, name, files[name], parsed)


# ---------------------------------------------------------------------------------------------
# inputs

# JSON text json.dumps cannot write: a junk value of one of these strings is replaced by the text
RAW_JSON = {
    "\x00huge-integer": "9" * 5000,  # more digits than Python converts to int by default
    "\x00deep-array": "[" * 3000 + "]" * 3000,  # deeper than Python's JSON reader recurses
    "\x00deep-object": '{"a":' * 3000 + "1" + "}" * 3000,
    "\x00nearly-too-deep": "[" * 960 + "]" * 960,  # readable, but not much deeper than that
    "\x00huge-float": "1e400",
    "\x00nan": "NaN",
    "\x00minus-infinity": "-Infinity",
}
TRICKY_TEXT = (
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e400",
    "NaN",
    "Infinity",
    "٣",  # a digit, but not an ASCII one
    "²",
    "１２",
    "true",
    "null",
    "2025-10-01",
    "10/01/2025",
    "04-17-2025",
    "2025-13-45",
    "2025-10-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # UTC would be before year 1
    "9999-12-31T23:59:59-01:00",  # UTC would be after year 9999
    "user_actor",
    "api_actor",
    "success",
    "completed",
    "https://api.github.com/repos/octocat/example/deployments/1",
    "America",
    "a.b",
    "\ufeff",
    "\x00",
    "é",
)
CSV_CELLS = (
    *TRICKY_TEXT,
    '"',
    "a,b",
    "line\nbreak",
    "9" * 5000,
    "x" * 140_000,  # longer than the csv module's default field limit
    '{"ImportId": "QID1", "timeZone": "America"}',
    '{"ImportId": "QID1", "timeZone": "Mars/Olympus_Mons"}',
    '{"ImportId": ' + "9" * 5000 + "}",
    "[" * 3000,
    "[" * 3000 + "]" * 3000,
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from(TRICKY_TEXT),
    st.text(max_size=12),
    st.sampled_from(sorted(RAW_JSON)),
)
json_junk = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def dumps(value: object) -> str:
    text = json.dumps(value)
    for placeholder, raw in RAW_JSON.items():
        text = text.replace(json.dumps(placeholder), raw)
    return text


def paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    """Every position in a JSON document, the root first."""
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


def mutate(document: object, path: tuple, action: str, junk: object) -> object:
    if not path:
        return [document, junk] if action == "duplicate" else None if action == "null" else junk
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "null":
        parent[key] = None
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    else:
        parent[key] = junk
    return document


@st.composite
def mutated_json(draw: st.DrawFn, sample: bytes, ndjson: bool) -> str:
    text = sample.decode("utf-8-sig")
    document = [json.loads(line) for line in text.splitlines() if line.strip()] if ndjson else json.loads(text)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(list(paths(document))))
        action = draw(st.sampled_from(("replace", "replace", "delete", "null", "duplicate")))
        document = mutate(document, path, action, draw(json_junk))
    if ndjson and isinstance(document, list):
        return "".join(dumps(item) + "\n" for item in document)
    return dumps(document)


@st.composite
def mutated_csv(draw: st.DrawFn, sample: bytes) -> str:
    rows = [row for row in csv.reader(io.StringIO(sample.decode("utf-8-sig"), newline="")) if row]
    cell = st.one_of(st.sampled_from(CSV_CELLS), st.text(max_size=12))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        action = draw(st.sampled_from(("cell", "cell", "drop-column", "add-column", "cut-row", "extra-cell", "row")))
        row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        column = draw(st.integers(min_value=0, max_value=max(len(rows[row]) - 1, 0)))
        if action == "cell" and rows[row]:
            rows[row][column] = draw(cell)
        elif action == "drop-column":
            rows = [[value for index, value in enumerate(line) if index != column] for line in rows]
        elif action == "add-column":
            rows = [[*line[:column], draw(cell), *line[column:]] for line in rows]
        elif action == "cut-row":
            rows[row] = rows[row][:column]
        elif action == "extra-cell":
            rows[row].append(draw(cell))
        else:
            rows.insert(row, list(rows[row]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """The text as a file: UTF-8, or damaged or re-encoded the ways exports arrive."""
    data = text.encode("utf-8", errors="surrogatepass")
    how = draw(st.sampled_from(("utf-8", "bom", "crlf", "truncated", "stray-byte", "utf-16")))
    position = draw(st.integers(min_value=0, max_value=len(data)))
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "truncated":
        return data[:position]
    if how == "stray-byte":
        return data[:position] + draw(st.sampled_from((b"\xff", b"\xe9", b"\x0b", b"\x0c", b"\x00"))) + data[position:]
    if how == "utf-16":
        return text.encode("utf-16", errors="surrogatepass")
    return data


def mutations(target: Target) -> st.SearchStrategy[bytes]:
    sample = target.sample
    text = mutated_csv(sample) if target.kind == "csv" else mutated_json(sample, ndjson=target.kind == "ndjson")
    return text.flatmap(encoded)


any_bytes = st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda text: text.encode("utf-8", "replace")))


# ---------------------------------------------------------------------------------------------
# the tests


def test_every_sample_parses_cleanly():
    """The samples the mutations start from are valid: they give records."""
    for target in TARGETS.values():
        results = target.parse_files({target.name: target.sample, **(target.companions or {})})
        assert results[target.name].records_read > 0, target.name
        assert any(parsed.records for parsed in results.values()), target.name


def _replaced(sample: bytes, old: bytes, new: bytes) -> bytes:
    assert old in sample
    return sample.replace(old, new, 1)


# Inputs that once made a parser crash (the exception it raised), each run against every parser.
ONCE_CRASHED = {
    "a JSON number of 5,000 digits (ValueError from json.loads)": b"9" * 5000,
    "such a number on an NDJSON line after a good one (ValueError)": b'{"a": 1}\n' + b"9" * 5000 + b"\n",
    "JSON nested 5,000 levels deep (RecursionError)": b"[" * 5000 + b"]" * 5000,
    "a lone carriage return in an unquoted CSV cell (csv.Error)": b"\r\x00",
    "a CSV cell longer than the csv module's field limit (csv.Error)": _replaced(
        GENERIC_TARGETS["identities"].sample, b"bo-alt", b"x" * 140_000
    ),
    "a seat created at a time before year 1 in UTC (OverflowError)": _replaced(
        VENDOR_TARGETS["licences/github_copilot_seats"].sample,
        b"2021-08-03T18:00:00-06:00",
        b"0001-01-01T00:00:00+01:00",
    ),
    "a deployment deployed before year 1 in UTC (OverflowError)": _replaced(
        GENERIC_TARGETS["deployments"].sample, b"2026-03-02T10:00:00Z", b"0001-01-01T00:00:00+01:00"
    ),
    "a deployment's lines_changed beyond 64 bits (OverflowError when stored)": _replaced(
        GENERIC_TARGETS["deployments"].sample, b'"lines_changed": 42', b'"lines_changed": 36893488147419103232'
    ),
    "a Claude Code count beyond 64 bits (OverflowError when stored)": _replaced(
        VENDOR_TARGETS["usage/claude_code_analytics"].sample,
        b'"num_sessions": 5',
        b'"num_sessions": 36893488147419103232',
    ),
    "an Amazon Q cell of 5,000 digits (ValueError from int)": _replaced(
        VENDOR_TARGETS["usage/amazon_q_user_activity"].sample, b",69,", b"," + b"9" * 5000 + b","
    ),
    "a Qualtrics timeZone naming a folder of zones (IsADirectoryError)": _replaced(
        VENDOR_TARGETS["surveys/qualtrics"].sample,
        b'""recordedDate"",""timeZone"":""America/Denver""',
        b'""recordedDate"",""timeZone"":""America""',
    ),
    "a Qualtrics RecordedDate after year 9999 in UTC (OverflowError)": _replaced(
        VENDOR_TARGETS["surveys/qualtrics"].sample, b"2025-06-02 09:16:42", b"9999-12-31 23:00:00"
    ),
    "a Qualtrics ImportId holding a 5,000-digit number (ValueError)": _replaced(
        VENDOR_TARGETS["surveys/qualtrics"].sample, b'""ImportId"":""status""', b'""ImportId"":' + b"9" * 5000
    ),
    "a licence grant costing NaN dollars (a NaN in a canonical record)": _replaced(
        GENERIC_TARGETS["licence_grants"].sample, b"business,19", b"business,NaN"
    ),
}


def once_crashed(test: Callable) -> Callable:
    for why, data in ONCE_CRASHED.items():
        test = example(file=data).via(why)(test)
    return test


@pytest.mark.parametrize("key", sorted(TARGETS))
@PROPERTY
@given(file=any_bytes)
@once_crashed
def test_any_bytes_give_a_parsed_result_or_a_named_unreadable_file(key: str, file: bytes):
    check_outcome(TARGETS[key], file)


@pytest.mark.parametrize("key", sorted(TARGETS))
@PROPERTY
@given(data=st.data())
def test_mutated_samples_give_a_parsed_result_or_a_named_unreadable_file(key: str, data: st.DataObject):
    check_outcome(TARGETS[key], data.draw(mutations(TARGETS[key]), label="file"))


# ---------------------------------------------------------------------------------------------
# generic usage: a day's files parsed together in DuckDB, rejects naming file and line

USAGE_NAMES = ("usage/2026-03-02.ndjson", "usage/2026-03-02.part2.ndjson")


def check_usage(files: list[tuple[str, bytes]]) -> None:
    try:
        usage = generic.parse_usage_events(files, DAY, CATALOGUE, now=NOW)
    except UnreadableFile as error:
        assert error.source_file in dict(files)
        assert str(error).startswith(f"{error.source_file}: cannot be read: expected ")
        return
    non_blank = sum(
        1 for _, data in files for line in data.removeprefix(codecs.BOM_UTF8).split(b"\n") if line.strip(b" \t\r\n")
    )
    assert usage.records_read == non_blank, "every non-blank line is an event read (a byte-order mark is none)"
    where = [(reject.source_file, reject.source_line) for reject in usage.rejects]
    assert len(set(where)) == len(where) <= usage.records_read
    for reject in usage.rejects:
        assert reject.source_file in dict(files) and reject.source_line >= 1 and reject.reason
    assert 0 <= usage.duplicates <= usage.records_read - len(usage.rejects)
    accepted = usage.activity.to_pylist()
    assert not {(row["_source_file"], row["_source_line"]) for row in accepted} & set(where)
    assert all(row["activity_count"] >= 0 for row in accepted)


usage_settings = settings(PROPERTY, max_examples=40)
TWO_HUGE_EVENTS = b"".join(
    json.dumps(
        {
            "event_id": f"e{number}",
            "occurred_at": "2026-03-02T09:00:00Z",
            "identity": "ana@example.com",
            "tool": "cursor",
            "event_type": "interaction",
            "quantity": 2**63 - 1,
        }
    ).encode()
    + b"\n"
    for number in (1, 2)
)


@usage_settings
@given(first=any_bytes, second=any_bytes)
@example(first=TWO_HUGE_EVENTS, second=b"").via("quantities whose sum overflows 64 bits (DuckDB ConversionException)")
def test_usage_any_bytes_give_a_parsed_day_or_a_named_unreadable_file(first: bytes, second: bytes):
    check_usage(list(zip(USAGE_NAMES, (first, second), strict=True)))


@usage_settings
@given(first=mutated_json(USAGE_SAMPLE.read_bytes(), ndjson=True).flatmap(encoded))
def test_usage_mutated_samples_give_a_parsed_day_or_a_named_unreadable_file(first: bytes):
    check_usage([(USAGE_NAMES[0], first), (USAGE_NAMES[1], USAGE_SAMPLE.read_bytes())])


# ---------------------------------------------------------------------------------------------
# wrong values the properties turned up that did not crash but were read wrongly


def test_a_survey_score_in_other_digits_is_rejected_as_not_a_score():
    data = GENERIC_TARGETS["survey_responses"].sample.replace(b",cursor,9,", b",cursor,\xc2\xb2,")  # "²"
    parsed = generic.parse_survey_responses(data, "surveys/wave_1.csv")
    assert [(reject.source_line, reject.reason) for reject in parsed.rejects] == [
        (2, "score: expected an integer 0..10, got '²'")
    ]


def test_a_deployment_field_holding_an_object_or_array_is_rejected_not_read_as_its_text():
    line = json.loads(GENERIC_TARGETS["deployments"].sample.splitlines()[0])
    lines = [{**line, "service": {"name": "acme/payments-api"}}, {**line, "commit_sha": ["a1b2c3"]}]
    data = "".join(json.dumps(item) + "\n" for item in lines).encode()
    parsed = generic.parse_deployments(data, "deployments/2026-03-02.ndjson", DAY, now=NOW)
    assert parsed.records == []
    assert [(reject.source_line, reject.reason) for reject in parsed.rejects] == [
        (1, "service: expected a string, got an object"),
        (2, "commit_sha: expected a string, got an array"),
    ]
