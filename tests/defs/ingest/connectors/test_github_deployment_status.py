"""GitHub deployment_status webhook payloads -> deployments."""

import copy
import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_deployment_status import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "github_deployment_status_webhook.json"
NAME = "deployments/github_deployment_status/2019-05-15.json"


@pytest.fixture
def payload(sample) -> dict:
    return json.loads(sample(SAMPLE))


def ndjson(*payloads: dict) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in payloads).encode()


def with_state(payload: dict, state: str, deployment_id: int) -> dict:
    changed = copy.deepcopy(payload)
    changed["deployment_status"]["state"] = state
    changed["deployment"]["id"] = deployment_id
    return changed


def test_sample_payload_is_one_successful_deploy(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.entity == "deployments"
    assert parsed.records == [
        {
            "deployment_id": "145988746",
            "service": "Codertocat/Hello-World",
            "environment": "production",
            "commit_sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            "status": "success",
            "deployed_at": datetime(2019, 5, 15, 15, 20, 55, tzinfo=UTC),
            "triggered_by": "Codertocat",
            "lines_changed": None,
            "rollback_of": None,
            "_source_line": 1,
        }
    ]
    assert parsed.rejects == [] and parsed.records_read == 1


def test_final_states_are_deploys_and_in_between_states_are_counted_without_record(payload, check_canonical):
    states = ["success", "failure", "error", "pending", "queued", "in_progress", "inactive"]
    data = ndjson(*(with_state(payload, state, number) for number, state in enumerate(states, start=1)))
    parsed = parse(data, NAME)
    check_canonical(parsed)
    assert [(r["deployment_id"], r["status"], r["_source_line"]) for r in parsed.records] == [
        ("1", "success", 1),
        ("2", "failure", 2),
        ("3", "error", 3),
    ]
    assert parsed.rejects == []
    assert parsed.records_read == 7  # 3 records + 4 payloads that are not a deploy


def test_an_unknown_state_is_rejected_naming_the_allowed_states(payload):
    parsed = parse(ndjson(with_state(payload, "exploded", 1)), NAME)
    assert parsed.records == []
    [reject] = parsed.rejects
    assert reject.source_file == NAME and reject.source_line == 1
    assert reject.reason.startswith("expected deployment_status.state one of error, failure, inactive")
    assert "got 'exploded'" in reject.reason


def test_an_offset_timestamp_is_converted_to_utc(payload):
    payload["deployment_status"]["updated_at"] = "2019-05-15T09:20:55-06:00"
    [record] = parse(ndjson(payload), NAME).records
    assert record["deployed_at"] == datetime(2019, 5, 15, 15, 20, 55, tzinfo=UTC)


def test_commit_sha_under_its_newer_name_is_read(payload):
    del payload["deployment"]["sha"]
    payload["deployment"]["commit_sha"] = "0123456789abcdef0123456789abcdef01234567"
    [record] = parse(ndjson(payload), NAME).records
    assert record["commit_sha"] == "0123456789abcdef0123456789abcdef01234567"


def test_triggered_by_falls_back_to_the_deployment_creator(payload):
    del payload["deployment_status"]["creator"]
    payload["deployment"]["creator"]["login"] = "deploy-bot"
    [record] = parse(ndjson(payload), NAME).records
    assert record["triggered_by"] == "deploy-bot"


def test_a_deployment_event_is_not_a_deployment_status_payload(sample):
    parsed = parse(sample("github_deployment_webhook.json"), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    assert [r.reason for r in parsed.rejects] == ["expected deployment_status (a JSON object), got missing"]


@pytest.mark.parametrize(
    ("remove", "reason"),
    [
        (("repository", "full_name"), "expected repository.full_name (a non-empty string), got missing"),
        (("deployment", "id"), "expected deployment.id (an integer or string id), got missing"),
        (("deployment", "sha"), "expected deployment.sha or deployment.commit_sha (the deployed commit sha)"),
        (("deployment", "environment"), "expected deployment.environment (a non-empty string), got missing"),
    ],
)
def test_a_payload_missing_a_required_key_is_rejected(payload, remove, reason):
    parent, key = remove
    del payload[parent][key]
    parsed = parse(ndjson(payload), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    assert parsed.rejects[0].reason.startswith(reason)


def test_unknown_keys_are_tolerated(payload):
    payload["new_top_level"] = {"anything": [1, 2]}
    payload["deployment_status"]["environment_url"] = "https://example.com"
    payload["deployment"]["new_field"] = None
    [record] = parse(ndjson(payload), NAME).records
    assert record["deployment_id"] == "145988746" and record["status"] == "success"


def test_a_bad_ndjson_line_is_rejected_and_the_others_kept(payload):
    good = json.dumps(with_state(payload, "success", 1))
    data = (good + "\n" + good[:50] + "\n").encode()
    parsed = parse(data, NAME)
    assert [r["deployment_id"] for r in parsed.records] == ["1"]
    assert [(r.source_line, r.reason.split(" (")[0]) for r in parsed.rejects] == [
        (2, "expected one JSON object on this NDJSON line")
    ]
    assert parsed.records_read == 2


def test_truncated_json_cannot_be_read(sample):
    data = sample(SAMPLE)
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected GitHub deployment_status"):
        parse(data[: len(data) // 2], NAME)


def test_text_that_is_not_json_cannot_be_read():
    with pytest.raises(UnreadableFile, match="invalid JSON at line 1"):
        parse(b"deployment,status\n1,success\n", NAME)


def test_an_empty_file_holds_no_payloads():
    parsed = parse(b"", NAME)
    assert parsed.records == [] and parsed.rejects == [] and parsed.records_read == 0
