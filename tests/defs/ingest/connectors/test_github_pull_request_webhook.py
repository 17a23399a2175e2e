"""GitHub pull_request webhook payloads: closed events become pull requests, without a commit list."""

import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_pull_request_webhook import parse

NAME = "pull_requests/github_webhook/pull_request_2026-03-02.json"


@pytest.fixture
def payload(sample) -> dict:
    return json.loads(sample("github_pull_request_webhook_closed.json"))


def test_a_merged_closed_payload_is_a_pull_request_with_its_diff_size_and_no_commit_list(payload):
    parsed = parse(json.dumps(payload).encode(), NAME)
    [record] = parsed.records
    assert parsed.records_read == 1 and not parsed.rejects
    assert record["pr_id"] == "Codertocat/Hello-World#2" and record["author"] == "Codertocat"
    assert record["merged_at"] == datetime(2019, 5, 15, 15, 21, 18, tzinfo=UTC)
    assert record["merge_commit_sha"] == "c4295bd74fb0f4fda03689c3df3f2803b658fd85"
    assert (record["additions"], record["deletions"], record["changed_files"]) == (1, 1, 1)
    assert (record["commits"], record["has_commit_list"], record["commit_count"]) == ([], False, 1)
    assert record["labels"] == ["bug"] and record["first_review_at"] is None


def test_closed_unmerged_has_no_merge_commit(payload):
    payload["pull_request"].update(merged=False, merged_at=None)
    [record] = parse(json.dumps(payload).encode(), NAME).records
    assert record["merged_at"] is None and record["merge_commit_sha"] is None
    assert record["closed_at"] == datetime(2019, 5, 15, 15, 21, 18, tzinfo=UTC)


def test_a_bot_author_is_typed_bot_and_the_sender_is_not_the_author(payload):
    payload["pull_request"]["user"].update(login="Copilot", type="Bot")
    [record] = parse(json.dumps(payload).encode(), NAME).records
    assert (record["author"], record["author_type"]) == ("Copilot", "bot")


def test_times_with_offsets_are_taken_to_utc(payload):
    payload["pull_request"].update(merged_at="2019-05-15T17:21:18+02:00", closed_at="2019-05-15T17:21:18+02:00")
    [record] = parse(json.dumps(payload).encode(), NAME).records
    assert record["merged_at"] == datetime(2019, 5, 15, 15, 21, 18, tzinfo=UTC)


def test_other_actions_are_read_without_a_record(payload):
    opened = {**payload, "action": "opened", "pull_request": {**payload["pull_request"], "state": "open"}}
    data = "\n".join(json.dumps(item) for item in (opened, payload)).encode()
    parsed = parse(data, NAME)
    assert parsed.records_read == 2 and len(parsed.records) == 1 and not parsed.rejects
    assert parsed.records[0]["_source_line"] == 2


def test_another_event_or_a_broken_payload_is_rejected_naming_the_field(payload):
    deployment = {"action": "created", "deployment_status": {"state": "success"}}
    broken = json.loads(json.dumps(payload))
    broken["pull_request"]["additions"] = -1
    parsed = parse(json.dumps([deployment, broken]).encode(), NAME)
    first, second = parsed.rejects
    assert first.reason.startswith("expected pull_request (a JSON object) in a pull_request webhook payload")
    assert second.reason.startswith("expected pull_request.additions (a non-negative integer), got -1")
    assert second.reason.endswith("export the webhook delivery again (its full pull_request payload)")
