"""Claude Code analytics pages -> tool_activity."""

import copy
import json
from datetime import date

import pytest

from orchestration.defs.ingest.connectors.claude_code_analytics import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "claude_code_analytics.json"
NAME = "usage/claude_code_analytics/2025-10-14_page1.json"


def activity(identity: str, identity_type: str, day: date, activity_type: str, count: int, line: int) -> dict:
    return {
        "identity": identity,
        "identity_type": identity_type,
        "tool": "claude_code",
        "activity_date": day,
        "activity_type": activity_type,
        "activity_count": count,
        "first_at": None,
        "last_at": None,
        "peak_events_per_minute": None,
        "_source_line": line,
    }


@pytest.fixture
def row(sample) -> dict:
    return json.loads(sample(SAMPLE))["data"][0]


def page(*rows: dict) -> bytes:
    return json.dumps({"data": list(rows), "has_more": False, "next_page": None}).encode()


def test_sample_page(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    lee, day = "lee.chen@example.org", date(2025, 10, 14)
    assert parsed.records == [
        activity(lee, "email", day, "interaction", 5, 1),  # num_sessions
        activity(lee, "email", day, "code_edit_accepted", 54, 1),  # 31 + 11 + 10 + 2 accepted
        activity(lee, "email", day, "commit_created", 10, 1),
        activity(lee, "email", day, "pull_request_created", 3, 1),
    ]
    assert parsed.rejects == [] and parsed.records_read == 1


def test_an_api_actor_is_identified_by_its_key_name(row):
    row["actor"] = {"type": "api_actor", "api_key_name": "ci-review-key"}
    records = parse(page(row), NAME).records
    assert {(r["identity"], r["identity_type"]) for r in records} == {("ci-review-key", "api_key")}


def test_an_unknown_actor_type_is_rejected(row):
    row["actor"] = {"type": "service_actor", "name": "x"}
    parsed = parse(page(row), NAME)
    assert [r.reason for r in parsed.rejects] == ["expected actor.type user_actor or api_actor, got 'service_actor'"]


def test_the_activity_date_is_the_utc_date(row):
    row["date"] = "2025-10-14T23:30:00-05:00"
    assert {r["activity_date"] for r in parse(page(row), NAME).records} == {date(2025, 10, 15)}


def test_rows_of_one_actor_and_day_from_two_terminals_are_summed(row):
    other = copy.deepcopy(row)
    other["terminal_type"] = "iTerm.app"
    other["core_metrics"]["num_sessions"] = 2
    parsed = parse(page(row, other), NAME)
    counts = {r["activity_type"]: (r["activity_count"], r["_source_line"]) for r in parsed.records}
    assert counts == {
        "interaction": (7, 1),
        "code_edit_accepted": (108, 1),
        "commit_created": (20, 1),
        "pull_request_created": (6, 1),
    }
    assert parsed.records_read == 2


def test_a_row_without_activity_is_read_but_yields_no_record(row):
    row["core_metrics"].update(num_sessions=0, commits_by_claude_code=0, pull_requests_by_claude_code=0)
    for action in row["tool_actions"].values():
        action["accepted"] = 0
    parsed = parse(page(row), NAME)
    assert (parsed.records, parsed.rejects, parsed.records_read) == ([], [], 1)


def test_a_newer_tool_and_unknown_keys_are_tolerated(row):
    row["tool_actions"]["new_edit_tool"] = {"accepted": 6, "rejected": 1}
    row["subscription_type"] = "team"
    row["core_metrics"]["lines_of_code"]["moved"] = 3
    edits = [r["activity_count"] for r in parse(page(row), NAME).records if r["activity_type"] == "code_edit_accepted"]
    assert edits == [60]


def test_a_missing_session_count_is_rejected(row):
    del row["core_metrics"]["num_sessions"]
    parsed = parse(page(row), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [
        (1, "expected core_metrics.num_sessions (a non-negative integer), got missing")
    ]


def test_an_empty_page_has_no_records():
    assert parse(b'{"data": [], "has_more": false, "next_page": null}', NAME).records_read == 0


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "the file is empty"),
        (b'{"data": [{"date": "2025-10-14T00:00:00Z", "actor": {', "invalid JSON"),
        (b'{"results": []}', "'data' is missing"),
    ],
)
def test_empty_truncated_or_renamed_pages_cannot_be_read(data, detail):
    with pytest.raises(
        UnreadableFile, match=rf"^{NAME}: cannot be read: expected a Claude Code analytics page .*{detail}"
    ):
        parse(data, NAME)
