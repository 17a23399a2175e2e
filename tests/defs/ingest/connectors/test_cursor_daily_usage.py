"""Cursor daily usage data -> tool_activity."""

import json
from datetime import date

import pytest

from orchestration.defs.ingest.connectors.cursor_daily_usage import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "cursor_daily_usage_data.json"
NAME = "usage/cursor_daily_usage/2024-03-30.json"


def activity(activity_type: str, count: int, line: int, identity: str = "lee.chen@example.org") -> dict:
    return {
        "identity": identity,
        "identity_type": "email",
        "tool": "cursor",
        "activity_date": date(2024, 3, 30),
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


def response(*rows: dict) -> bytes:
    return json.dumps({"data": list(rows), "period": {"startDate": 1711756800000, "endDate": 1711843200000}}).encode()


def counts(parsed) -> dict[str, int]:
    return {r["activity_type"]: r["activity_count"] for r in parsed.records}


def test_sample_two_rows_of_one_user_and_day_are_summed(sample, check_canonical):
    """Both sample rows are lee.chen@example.org on 1711756800000 ms = 2024-03-30 UTC."""
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.records == [
        activity("interaction", 569, 1),  # (139 + 55 + 11 + 51) + (137 + 44 + 23 + 109) requests
        activity("suggestion_shown", 609, 1),  # 229 + 380 tabs shown
        activity("suggestion_accepted", 819, 1),  # 296 + 523 tabs accepted
        activity("code_edit_accepted", 126, 1),  # 65 + 61 accepts
    ]
    assert parsed.rejects == [] and parsed.records_read == 2


def test_date_is_epoch_milliseconds_as_a_number_or_a_digit_string(row):
    row["date"] = "1711843199999"  # 2024-03-30T23:59:59.999Z
    assert {r["activity_date"] for r in parse(response(row), NAME).records} == {date(2024, 3, 30)}


def test_a_date_in_epoch_seconds_is_rejected_as_the_wrong_unit(row):
    row["date"] = 1711756800
    parsed = parse(response(row), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    [reject] = parsed.rejects
    assert reject.reason.startswith("expected date in epoch milliseconds")
    assert "1970-01-20: wrong unit?" in reject.reason


def test_an_inactive_row_has_no_interaction_whatever_its_requests(row):
    row["isActive"] = False
    assert counts(parse(response(row), NAME)) == {
        "suggestion_shown": 229,
        "suggestion_accepted": 296,
        "code_edit_accepted": 65,
    }


def test_an_active_row_without_requests_still_counts_one_interaction(row):
    row.update(chatRequests=0, composerRequests=0, agentRequests=0, cmdkUsages=0)
    assert counts(parse(response(row), NAME))["interaction"] == 1


def test_a_row_without_email_is_identified_by_user_id(row):
    del row["email"]
    row["userId"] = "user_3k9Xq"
    [identity] = {(r["identity"], r["identity_type"]) for r in parse(response(row), NAME).records}
    assert identity == ("user_3k9Xq", "vendor_id")


def test_a_row_without_email_or_user_id_is_rejected(row):
    del row["email"]
    assert [r.reason for r in parse(response(row), NAME).rejects] == [
        "expected email or userId (who used Cursor), got neither (userId missing)"
    ]


def test_a_renamed_counter_is_rejected(row):
    row["tabsShown"] = row.pop("totalTabsShown")
    assert [r.reason for r in parse(response(row), NAME).rejects] == [
        "expected totalTabsShown (a non-negative integer), got missing"
    ]


def test_optional_and_unknown_keys_are_tolerated(row):
    for optional in ("email", "clientVersion", "applyMostUsedExtension", "tabMostUsedExtension"):
        row.pop(optional)
    row.update(userId=42, newMetric=7, mostUsedModel="gpt-5")
    parsed = parse(response(row), NAME)
    assert parsed.rejects == [] and counts(parsed)["interaction"] == 256


def test_an_empty_data_list_has_no_records():
    assert parse(b'{"data": [], "period": {}}', NAME).records_read == 0


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "the file is empty"),
        (b'{"data": [{"date": 1711756800000, "isActive": tr', "invalid JSON"),
        (b'{"usage": []}', "'data' is missing"),
    ],
)
def test_empty_truncated_or_renamed_responses_cannot_be_read(data, detail):
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected a Cursor daily usage .*{detail}"):
        parse(data, NAME)
