"""GitHub Actions workflow_run webhook payloads of deploy pipelines -> deployments."""

import copy
import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_workflow_run import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "github_workflow_run_webhook_completed.json"
NAME = "deployments/github_workflow_run/2020-10-05.ndjson"


@pytest.fixture
def payload(sample) -> dict:
    return json.loads(sample(SAMPLE))


def ndjson(*payloads: dict) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in payloads).encode()


def run(payload: dict, run_id: int, status: str = "completed", conclusion: str | None = "success") -> dict:
    changed = copy.deepcopy(payload)
    changed["workflow_run"].update(id=run_id, status=status, conclusion=conclusion)
    return changed


def test_sample_completed_run_is_a_successful_production_deploy(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.records == [
        {
            "deployment_id": "workflow_run:289782451:1",
            "service": "octo-org/octo-repo",
            "environment": "production",
            "commit_sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
            "status": "success",
            "deployed_at": datetime(2020, 10, 5, 16, 33, 49, tzinfo=UTC),
            "triggered_by": "Codertocat",
            "lines_changed": None,
            "rollback_of": None,
            "_source_line": 1,
        }
    ]
    assert parsed.rejects == [] and parsed.records_read == 1


def test_the_environment_is_a_parameter(sample):
    [record] = parse(sample(SAMPLE), NAME, environment="staging").records
    assert record["environment"] == "staging"


def test_only_success_and_failure_of_completed_runs_are_deploys(payload):
    data = ndjson(
        run(payload, 1, conclusion="success"),
        run(payload, 2, conclusion="failure"),
        run(payload, 3, conclusion="cancelled"),
        run(payload, 4, conclusion="skipped"),
        run(payload, 5, conclusion="timed_out"),
        run(payload, 6, status="in_progress", conclusion=None),
        run(payload, 7, status="requested", conclusion=None),
    )
    parsed = parse(data, NAME)
    assert [(r["deployment_id"], r["status"]) for r in parsed.records] == [
        ("workflow_run:1:1", "success"),
        ("workflow_run:2:1", "failure"),
    ]
    assert parsed.rejects == [] and parsed.records_read == 7


def test_a_rerun_is_its_own_attempt_and_old_payloads_count_as_attempt_one(payload):
    rerun = run(payload, 9)
    rerun["workflow_run"]["run_attempt"] = 2
    old = run(payload, 10)
    del old["workflow_run"]["run_attempt"]
    records = parse(ndjson(rerun, old), NAME).records
    assert [r["deployment_id"] for r in records] == ["workflow_run:9:2", "workflow_run:10:1"]


def test_triggered_by_falls_back_to_the_actor(payload):
    del payload["workflow_run"]["triggering_actor"]
    payload["workflow_run"]["actor"]["login"] = "release-bot"
    [record] = parse(ndjson(payload), NAME).records
    assert record["triggered_by"] == "release-bot"


def test_a_run_without_head_sha_is_rejected(payload):
    del payload["workflow_run"]["head_sha"]
    parsed = parse(ndjson(payload), NAME)
    assert parsed.records == [] and parsed.records_read == 1
    assert [r.reason for r in parsed.rejects] == ["expected workflow_run.head_sha (a non-empty string), got missing"]


def test_unknown_keys_are_tolerated(payload):
    payload["workflow_run"]["referenced_workflows"] = [{"path": "x"}]
    payload["deployment"] = None
    [record] = parse(ndjson(payload), NAME).records
    assert record["deployment_id"] == "workflow_run:289782451:1"


def test_truncated_json_cannot_be_read(sample):
    with pytest.raises(UnreadableFile, match=rf"^{NAME}: cannot be read: expected GitHub workflow_run"):
        parse(sample(SAMPLE)[:3000], NAME)


def test_an_empty_file_holds_no_runs():
    parsed = parse(b"\n", NAME)
    assert (parsed.records, parsed.rejects, parsed.records_read) == ([], [], 0)
