"""GitHub Copilot users-1-day usage reports -> tool_activity."""

import json
from datetime import date

import pytest

from orchestration.defs.ingest.connectors.github_copilot_users_1_day import parse
from orchestration.lib.contracts.records import UnreadableFile

NDJSON_SAMPLE = "github_copilot_usage_metrics_users_1_day.ndjson"
ARRAY_SAMPLE = "github_copilot_usage_metrics_users_1_day.json"
NAME = "usage/github_copilot_users_1_day/users_2025-10-01.ndjson"


def activity(login: str, day: date, activity_type: str, count: int, line: int) -> dict:
    return {
        "identity": login,
        "identity_type": "login",
        "tool": "github_copilot",
        "activity_date": day,
        "activity_type": activity_type,
        "activity_count": count,
        "first_at": None,
        "last_at": None,
        "peak_events_per_minute": None,
        "_source_line": line,
    }


# login1 generated and accepted one suggestion, but initiated no interaction: not active (used_cli
# and the CLI prompt_count do not change GitHub's definition).
SAMPLE_RECORDS = [
    activity("login1", date(2025, 10, 1), "suggestion_shown", 1, 1),
    activity("login1", date(2025, 10, 1), "suggestion_accepted", 1, 1),
]


@pytest.fixture
def record(sample) -> dict:
    return json.loads(sample(NDJSON_SAMPLE))


def ndjson(*records: dict) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in records).encode()


def test_ndjson_sample(sample, check_canonical):
    parsed = parse(sample(NDJSON_SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.records == SAMPLE_RECORDS
    assert parsed.rejects == [] and parsed.records_read == 1


def test_the_docs_json_array_wrapping_reads_the_same(sample, check_canonical):
    parsed = parse(sample(ARRAY_SAMPLE), "usage/github_copilot_users_1_day/users.json")
    check_canonical(parsed)
    assert parsed.records == SAMPLE_RECORDS and parsed.records_read == 1


def test_a_user_initiated_interaction_makes_an_interaction_record(record):
    record.update(user_login="octocat", user_initiated_interaction_count=4, code_generation_activity_count=0)
    parsed = parse(ndjson(record), NAME)
    assert [(r["identity"], r["activity_type"], r["activity_count"]) for r in parsed.records] == [
        ("octocat", "interaction", 4),
        ("octocat", "suggestion_accepted", 1),
    ]


def test_a_user_day_without_activity_is_read_but_yields_no_record(record):
    record.update(code_generation_activity_count=0, code_acceptance_activity_count=0)
    parsed = parse(ndjson(record), NAME)
    assert (parsed.records, parsed.rejects, parsed.records_read) == ([], [], 1)


def test_records_of_the_same_user_and_day_are_summed(record):
    second = {**record, "code_generation_activity_count": 5, "code_acceptance_activity_count": 0}
    parsed = parse(ndjson(record, second), NAME)
    assert [(r["activity_type"], r["activity_count"], r["_source_line"]) for r in parsed.records] == [
        ("suggestion_shown", 6, 1),
        ("suggestion_accepted", 1, 1),
    ]
    assert parsed.records_read == 2


def test_a_renamed_counter_is_rejected_not_read_as_zero(record):
    record["user_initiated_interactions"] = record.pop("user_initiated_interaction_count")
    parsed = parse(ndjson(record), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    assert [r.reason for r in parsed.rejects] == [
        "expected user_initiated_interaction_count (a non-negative integer), got missing"
    ]


def test_a_day_that_is_not_a_date_is_rejected(record):
    record["day"] = "10/01/2025"
    assert [r.reason for r in parse(ndjson(record), NAME).rejects] == [
        "expected day (a date YYYY-MM-DD), got '10/01/2025'"
    ]


def test_newer_fields_and_an_omitted_cli_breakdown_are_tolerated(record):
    del record["totals_by_cli"]  # omitted when there was no CLI usage
    record.update(organization_id="42", used_copilot_code_review_active=True, used_copilot_code_review_passive=False)
    assert parse(ndjson(record), NAME).records == SAMPLE_RECORDS


def test_a_truncated_last_line_is_rejected_and_earlier_lines_kept(record):
    line = json.dumps(record)
    parsed = parse((line + "\n" + line[:200]).encode(), NAME)
    assert parsed.records == SAMPLE_RECORDS
    assert [r.source_line for r in parsed.rejects] == [2] and parsed.records_read == 2


def test_a_truncated_json_array_cannot_be_read(sample):
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected a GitHub Copilot users-1-day"):
        parse(sample(ARRAY_SAMPLE)[:500], NAME)


def test_an_empty_report_has_no_users():
    assert parse(b"", NAME).records_read == 0
