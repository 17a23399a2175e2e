"""GitHub REST "list deployments" + "list deployment statuses" responses -> deployments."""

import copy
import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_rest import parse_files
from orchestration.lib.contracts.records import UnreadableFile

DEPLOYMENTS = "deployments/github_rest/deployments_2012-07-20.json"
STATUSES = "deployments/github_rest/statuses_2012-07-20.json"


@pytest.fixture
def deployment(sample) -> dict:
    [item] = json.loads(sample("github_deployments_list.json"))
    return item


@pytest.fixture
def status(sample) -> dict:
    [item] = json.loads(sample("github_deployment_statuses_list.json"))
    return item


def status_of(template: dict, deployment_id: int, state: str, at: str, status_id: int) -> dict:
    changed = copy.deepcopy(template)
    changed["deployment_url"] = f"https://api.github.com/repos/octocat/example/deployments/{deployment_id}"
    changed.update(state=state, created_at=at, updated_at=at, id=status_id)
    return changed


def deployment_numbered(template: dict, deployment_id: int) -> dict:
    return {**copy.deepcopy(template), "id": deployment_id}


def files(deployments: list, statuses: list) -> dict[str, bytes]:
    return {DEPLOYMENTS: json.dumps(deployments).encode(), STATUSES: json.dumps(statuses).encode()}


def test_samples_as_they_are_name_different_deployments(sample):
    """The samples' status belongs to deployment 42, the listed deployment is 1."""
    results = parse_files(
        {
            "github_deployments_list.json": sample("github_deployments_list.json"),
            "github_deployment_statuses_list.json": sample("github_deployment_statuses_list.json"),
        }
    )
    listed, statuses = (
        results["github_deployments_list.json"],
        results["github_deployment_statuses_list.json"],
    )
    assert (listed.records, listed.rejects, listed.records_read) == ([], [], 1)  # no status yet: no deploy
    assert statuses.records == [] and statuses.records_read == 1
    [orphan] = statuses.rejects
    assert orphan.source_file == "github_deployment_statuses_list.json" and orphan.source_line == 1
    assert orphan.reason.startswith("status of deployment 42, which is in no deployments list given with it")


@pytest.mark.parametrize("listing", ["github_deployments_list.json", "github_deployments_list_api_2026-03-10.json"])
def test_sha_and_newer_commit_sha_both_give_the_deployed_commit(sample, status, check_canonical, listing):
    """API version 2026-03-10 renamed `sha` to `commit_sha`."""
    matched = status_of(status, 1, "success", "2012-07-20T01:19:13Z", 1)
    results = parse_files({DEPLOYMENTS: sample(listing), STATUSES: json.dumps([matched]).encode()})
    check_canonical(results[DEPLOYMENTS])
    assert results[DEPLOYMENTS].records == [
        {
            "deployment_id": "1",
            "service": "octocat/example",
            "environment": "production",
            "commit_sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
            "status": "success",
            "deployed_at": datetime(2012, 7, 20, 1, 19, 13, tzinfo=UTC),
            "triggered_by": "octocat",
            "lines_changed": None,
            "rollback_of": None,
            "_source_line": 1,
        }
    ]
    assert results[STATUSES].rejects == [] and results[STATUSES].records_read == 1


def test_the_latest_final_status_decides_and_inactive_does_not_undo_a_deploy(deployment, status):
    statuses = [
        status_of(status, 1, "queued", "2024-05-01T10:00:00Z", 11),
        status_of(status, 1, "in_progress", "2024-05-01T10:01:00Z", 12),
        status_of(status, 1, "success", "2024-05-01T10:05:00-02:00", 13),
        status_of(status, 1, "inactive", "2024-05-02T09:00:00Z", 14),
        status_of(status, 2, "pending", "2024-05-01T11:00:00Z", 21),
        status_of(status, 2, "error", "2024-05-01T11:02:00Z", 22),
        status_of(status, 3, "failure", "2024-05-01T12:00:00Z", 31),
        status_of(status, 3, "success", "2024-05-01T12:30:00Z", 32),
        status_of(status, 4, "in_progress", "2024-05-01T13:00:00Z", 41),
    ]
    deployments = [deployment_numbered(deployment, number) for number in (1, 2, 3, 4)]
    results = parse_files(files(deployments, statuses))
    assert [(r["deployment_id"], r["status"], r["deployed_at"]) for r in results[DEPLOYMENTS].records] == [
        ("1", "success", datetime(2024, 5, 1, 12, 5, tzinfo=UTC)),
        ("2", "error", datetime(2024, 5, 1, 11, 2, tzinfo=UTC)),
        ("3", "success", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    ]
    # deployment 4 is still in progress: read, not a deploy, not rejected
    assert results[DEPLOYMENTS].records_read == 4 and results[DEPLOYMENTS].rejects == []
    assert results[STATUSES].records_read == 9 and results[STATUSES].rejects == []


def test_statuses_may_be_split_over_several_files(deployment, status):
    results = parse_files(
        {
            DEPLOYMENTS: json.dumps([deployment]).encode(),
            "deployments/github_rest/statuses_1_page1.json": json.dumps(
                [status_of(status, 1, "pending", "2024-05-01T10:00:00Z", 1)]
            ).encode(),
            "deployments/github_rest/statuses_1_page2.json": json.dumps(
                [status_of(status, 1, "failure", "2024-05-01T10:03:00Z", 2)]
            ).encode(),
        }
    )
    assert [r["status"] for r in results[DEPLOYMENTS].records] == ["failure"]


def test_a_deployment_without_sha_is_rejected(deployment, status):
    del deployment["sha"]
    results = parse_files(files([deployment], [status_of(status, 1, "success", "2024-05-01T10:00:00Z", 1)]))
    assert results[DEPLOYMENTS].records == []
    assert [r.reason for r in results[DEPLOYMENTS].rejects] == [
        "expected sha or commit_sha (the deployed commit sha), got neither"
    ]


def test_a_status_without_state_is_rejected_in_its_own_file(deployment, status):
    broken = status_of(status, 1, "success", "2024-05-01T10:00:00Z", 1)
    del broken["state"]
    results = parse_files(files([deployment], [broken]))
    assert results[DEPLOYMENTS].records == [] and results[DEPLOYMENTS].rejects == []
    assert [(r.source_file, r.source_line, r.reason) for r in results[STATUSES].rejects] == [
        (STATUSES, 1, "expected state (a non-empty string), got missing")
    ]


def test_unknown_keys_are_tolerated(deployment, status):
    deployment["a_new_field"] = {"x": 1}
    matched = status_of(status, 1, "success", "2024-05-01T10:00:00Z", 1)
    matched["another_new_field"] = [1]
    [record] = parse_files(files([deployment], [matched]))[DEPLOYMENTS].records
    assert record["deployment_id"] == "1" and record["status"] == "success"


def test_deployments_without_any_statuses_file_cannot_be_read(sample):
    with pytest.raises(UnreadableFile, match=rf"^{DEPLOYMENTS}: cannot be read: .*no statuses file"):
        parse_files({DEPLOYMENTS: sample("github_deployments_list.json")})


def test_an_empty_deployments_page_needs_no_statuses():
    assert parse_files({DEPLOYMENTS: b"[]"})[DEPLOYMENTS].records_read == 0


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "the file is empty"),
        (b'[{"id": 1, "sha": "a8', "invalid JSON"),
        (b'{"message": "Not Found"}', "not a JSON array"),
    ],
)
def test_empty_truncated_or_non_array_responses_cannot_be_read(status, data, detail):
    with pytest.raises(UnreadableFile, match=rf"^{DEPLOYMENTS}: cannot be read: expected a GitHub REST .*{detail}"):
        parse_files({DEPLOYMENTS: data, STATUSES: json.dumps([status]).encode()})


def test_a_truncated_statuses_file_cannot_be_read(sample):
    data = sample("github_deployment_statuses_list.json")
    with pytest.raises(UnreadableFile, match=rf"^{STATUSES}: cannot be read"):
        parse_files({DEPLOYMENTS: sample("github_deployments_list.json"), STATUSES: data[:-40]})
