"""GitHub Copilot seat assignment pages -> licence_grants."""

import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_copilot_seats import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "github_copilot_seats.json"
NAME = "licences/github_copilot_seats/seats_2021-10-15_page1.json"


@pytest.fixture
def page(sample) -> dict:
    return json.loads(sample(SAMPLE))


def test_sample_page_gives_one_grant_per_seat(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.entity == "licence_grants"
    assert parsed.records == [
        {
            "identity": "octocat",
            "identity_type": "login",
            "tool": "github_copilot",
            # 2021-08-03T18:00:00-06:00 is the next day in UTC
            "granted_at": datetime(2021, 8, 4, 0, 0, tzinfo=UTC),
            "revoked_at": None,
            "plan": "business",
            "monthly_cost_usd": None,
            "_source_line": 1,
        },
        {
            "identity": "octokitten",
            "identity_type": "login",
            "tool": "github_copilot",
            "granted_at": datetime(2021, 9, 24, 0, 0, tzinfo=UTC),
            # pending_cancellation_date "2021-11-01" is a date: midnight UTC
            "revoked_at": datetime(2021, 11, 1, 0, 0, tzinfo=UTC),
            "plan": None,
            "monthly_cost_usd": None,
            "_source_line": 2,
        },
    ]
    assert parsed.rejects == [] and parsed.records_read == 2


def test_a_seat_without_plan_type_or_assigning_team_is_accepted(page):
    seat = page["seats"][0]
    del seat["plan_type"], seat["assigning_team"]
    [record] = parse(json.dumps({"seats": [seat]}).encode(), NAME).records
    assert record["identity"] == "octocat" and record["plan"] is None


def test_an_offset_created_at_is_converted_to_utc(page):
    seat = page["seats"][0]
    seat["created_at"] = "2024-01-31T23:30:00-06:00"
    [record] = parse(json.dumps({"seats": [seat]}).encode(), NAME).records
    assert record["granted_at"] == datetime(2024, 2, 1, 5, 30, tzinfo=UTC)


def test_newer_and_nullable_keys_are_tolerated(page):
    seat = page["seats"][0]
    seat["last_authenticated_at"] = "2021-10-14T00:53:32-06:00"
    seat["last_activity_at"] = None
    seat["last_activity_editor"] = None
    page["some_new_page_key"] = 1
    parsed = parse(json.dumps(page).encode(), NAME)
    assert [r["identity"] for r in parsed.records] == ["octocat", "octokitten"] and parsed.rejects == []


def test_a_cancellation_date_that_is_not_a_date_is_rejected(page):
    page["seats"][1]["pending_cancellation_date"] = "next month"
    parsed = parse(json.dumps(page).encode(), NAME)
    assert [r["identity"] for r in parsed.records] == ["octocat"]
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [
        (2, "expected pending_cancellation_date (a date YYYY-MM-DD), got 'next month'")
    ]
    assert parsed.records_read == 2


def test_a_seat_assigned_to_a_team_without_login_is_rejected(page):
    page["seats"][0]["assignee"] = {"id": 1, "name": "Justice League", "slug": "justice-league"}
    parsed = parse(json.dumps(page).encode(), NAME)
    assert [r.reason for r in parsed.rejects] == ["expected assignee.login (a non-empty string), got missing"]
    assert len(parsed.records) == 1 and parsed.records_read == 2


def test_an_empty_page_has_no_grants():
    parsed = parse(b'{"total_seats": 0, "seats": []}', NAME)
    assert (parsed.records, parsed.rejects, parsed.records_read) == ([], [], 0)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "the file is empty"),
        (b'{"total_seats": 2, "seats": [{"created_at": "2021-08-03T18:00', "invalid JSON"),
        (b'{"total_seats": 2, "assignments": []}', "'seats' is missing"),
        (b'[{"login": "octocat"}]', "the document is a JSON array"),
    ],
)
def test_empty_truncated_or_wrong_documents_cannot_be_read(data, detail):
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected a GitHub Copilot seat .*{detail}"):
        parse(data, NAME)
