"""Cursor team members (a dated snapshot) -> licence_grants."""

import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.cursor_team_members import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "cursor_team_members.json"
NAME = "licences/cursor_team_members/cursor_team_members_2025-10-14.json"


def test_sample_members_hold_a_grant_from_the_snapshot_date(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.records == [
        {
            "identity": "lee.chen@example.org",
            "identity_type": "email",
            "tool": "cursor",
            "granted_at": datetime(2025, 10, 14, tzinfo=UTC),
            "revoked_at": None,
            "plan": "member",
            "monthly_cost_usd": None,
            "_source_line": 1,
        },
        {
            "identity": "rosa.diaz@example.org",
            "identity_type": "email",
            "tool": "cursor",
            "granted_at": datetime(2025, 10, 14, tzinfo=UTC),
            "revoked_at": None,
            "plan": "owner",
            "monthly_cost_usd": None,
            "_source_line": 2,
        },
    ]
    assert parsed.rejects == [] and parsed.records_read == 2


def test_the_sample_file_name_has_no_snapshot_date(sample):
    with pytest.raises(UnreadableFile, match=r"^cursor_team_members.json: cannot be read: expected a snapshot date"):
        parse(sample(SAMPLE), "cursor_team_members.json")


def test_an_impossible_date_in_the_name_cannot_be_read(sample):
    with pytest.raises(UnreadableFile, match="'2025-13-40' is not a valid date"):
        parse(sample(SAMPLE), "licences/cursor_team_members/members_2025-13-40.json")


def test_a_member_without_email_is_rejected_and_unknown_keys_are_tolerated():
    data = json.dumps(
        {
            "teamMembers": [
                {
                    "name": "Lee",
                    "email": "lee.chen@example.org",
                    "role": "free-owner",
                    "id": 7,
                    "joinedAt": 1,
                },
                {"name": "Ghost", "role": "member"},
                {"email": "no.role@example.org"},
            ],
            "nextCursor": None,
        }
    ).encode()
    parsed = parse(data, NAME)
    assert [(r["identity"], r["plan"], r["_source_line"]) for r in parsed.records] == [
        ("lee.chen@example.org", "free-owner", 1),
        ("no.role@example.org", None, 3),
    ]
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [
        (2, "expected email (a non-empty string), got missing")
    ]
    assert parsed.records_read == 3


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "the file is empty"),
        (b'{"teamMembers": [{"name": "Lee", "email": "lee', "invalid JSON"),
        (b'{"members": []}', "'teamMembers' is missing"),
    ],
)
def test_empty_truncated_or_renamed_documents_cannot_be_read(data, detail):
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected a Cursor team members .*{detail}"):
        parse(data, NAME)
