"""Pull requests of the generic contract: hand-written records through parse_pull_requests."""

import json
from datetime import UTC, datetime

from orchestration.defs.ingest.connectors import generic
from orchestration.lib.canonical import pull_request_rows
from tests.defs.ingest.generic_inputs import DAY, NOW

NAME = "pull_requests/2026-03-02.ndjson"
MERGED = {
    "pr_id": "acme/checkout#12",
    "repository": "acme/checkout",
    "number": 12,
    "author": "ana-gh",
    "title": "Retry card authorisation",
    "head_branch": "cursor/retry-auth",
    "base_branch": "main",
    "created_at": "2026-02-28T09:00:00-05:00",
    "first_review_at": "2026-03-01T10:00:00+01:00",
    "merged_at": "2026-03-02T10:00:00Z",
    "closed_at": "2026-03-02T10:00:00Z",
    "merge_commit_sha": "m12",
    "additions": 40,
    "deletions": 2,
    "changed_files": 3,
    "labels": ["ai-assisted", "payments", "ai-assisted"],
    "commits": [
        {
            "sha": "c1",
            "authored_at": "2026-02-28T08:30:00-05:00",
            "author": "ana@example.com",
            "message": "Retry\n\nMade-with: Cursor",
        },
        {"sha": "c2", "authored_at": "2026-03-01T09:00:00Z", "author": "ana@example.com", "message": "Test the retry"},
    ],
    "updated_at": "2026-03-02T10:00:05Z",
}


def parse(*records: dict | str):
    lines = [record if isinstance(record, str) else json.dumps(record) for record in records]
    return generic.parse_pull_requests(("\n".join(lines) + "\n").encode(), NAME, DAY, now=NOW)


def with_(**changes) -> dict:
    return {key: value for key, value in {**MERGED, **changes}.items() if value is not ...}


def test_a_merged_pull_request_with_offsets_is_taken_to_utc():
    parsed = parse(MERGED)
    [record] = parsed.records
    assert parsed.records_read == 1 and not parsed.rejects
    assert record["created_at"] == datetime(2026, 2, 28, 14, 0, tzinfo=UTC)
    assert record["first_review_at"] == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert record["commits"][0]["authored_at"] == datetime(2026, 2, 28, 13, 30, tzinfo=UTC)
    assert (record["author_type"], record["commit_count"], record["has_commit_list"]) == ("login", 2, True)
    assert record["labels"] == ["ai-assisted", "payments"]  # a label repeated counts once
    rows = pull_request_rows({**record, "_source_file": NAME})
    assert [row["sha"] for row in rows["pull_request_commits"]] == ["c1", "c2"]
    assert {row["pr_updated_at"] for row in rows["pull_request_labels"]} == {datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)}
    assert all(row["_source_line"] == 1 and row["_source_file"] == NAME for row in rows["pull_request_commits"])


def test_a_resend_is_kept_beside_the_first_delivery():
    """Every delivery reaches the lake; staging keeps the latest updated_at per pr_id."""
    resent = with_(title="Retry card authorisation (v2)", labels=["ai-assisted"], updated_at="2026-03-02T12:00:00Z")
    parsed = parse(MERGED, resent)
    assert [record["pr_id"] for record in parsed.records] == ["acme/checkout#12", "acme/checkout#12"]
    assert [record["updated_at"].hour for record in parsed.records] == [10, 12]


def test_closed_unmerged_keeps_no_merge_commit_and_goes_by_its_closed_day():
    [record] = parse(with_(merged_at=None, closed_at="2026-03-02T18:00:00Z", merge_commit_sha="test-merge")).records
    assert record["merged_at"] is None and record["merge_commit_sha"] is None


def test_a_bot_or_an_email_author_is_typed():
    bot, email = parse(with_(author="copilot-swe-agent[bot]"), with_(author="Ana@Example.com")).records
    assert (bot["author_type"], email["author_type"]) == ("bot", "email")


def test_missing_optional_fields_are_null():
    [record] = parse(with_(first_review_at=..., closed_at=..., merge_commit_sha=...)).records
    assert (record["first_review_at"], record["closed_at"], record["merge_commit_sha"]) == (None, None, None)


def test_an_empty_commit_list_is_no_commit_list():
    [record] = parse(with_(commits=[])).records
    assert (record["has_commit_list"], record["commit_count"], record["commits"]) == (False, None, [])


def test_bad_records_are_quarantined_naming_the_field_the_expectation_and_what_to_do():
    parsed = parse(
        with_(merged_at=..., closed_at=...),
        with_(additions=...),
        with_(labels="ai-assisted"),
        with_(commits=[{"sha": "c1", "authored_at": 1772445600, "author": "ana", "message": ""}]),
        with_(merged_at="2026-03-03T01:00:00Z"),
        with_(number="12"),
        "not json",
    )
    reasons = [reject.reason for reject in parsed.rejects]
    assert parsed.records == [] and parsed.records_read == 7
    assert reasons[0].startswith("expected merged_at or closed_at (a pull request merged or closed), got neither")
    assert reasons[1].startswith("expected additions (a non-negative integer), got missing")
    assert reasons[2].startswith("expected labels (an array of strings; [] when there are none), got 'ai-assisted'")
    assert reasons[3].startswith("expected commits[0].authored_at (an RFC 3339 timestamp), got 1772445600")
    assert reasons[4].startswith("expected merged_at on the file's day 2026-03-02, got 2026-03-03T01:00:00+00:00")
    assert "2026-03-03.ndjson" in reasons[4]
    assert reasons[5].startswith("expected number (a positive integer), got '12'")
    assert all(reason.endswith("(a resend with a later updated_at replaces it)") for reason in reasons[:6])
    assert reasons[6].startswith("malformed JSON")
    assert [reject.source_line for reject in parsed.rejects] == [1, 2, 3, 4, 5, 6, 7]


def test_a_merge_before_the_pull_request_was_created_is_rejected():
    parsed = parse(with_(created_at="2026-03-02T11:00:00Z"))
    assert parsed.rejects[0].reason.startswith("expected merged_at at or after created_at")


def test_services_take_an_optional_repository_column():
    with_column = generic.parse_services(
        b"service,team_id,valid_from,valid_to,repository\ncheckout,team-a,2025-01-01,,acme/checkout\nledger,team-a,2025-01-01,,\n",
        "services/services.csv",
    )
    assert [record["repository"] for record in with_column.records] == ["acme/checkout", None]
    without = generic.parse_services(b"service,team_id,valid_from,valid_to\ncheckout,team-a,2025-01-01,\n", "s.csv")
    assert without.records[0]["repository"] is None and not without.rejects
