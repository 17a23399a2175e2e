"""GitHub `deployment_status` webhook payloads -> deployments.

Folder: landing/deployments/github_deployment_status/. A file holds one payload (a JSON object), a
JSON array of payloads, or NDJSON with one payload per line; an empty file holds no payloads.

A deploy is the final status of a deployment. One deployment sends several payloads (queued,
in_progress, then success, failure or error, and later inactive once a newer deployment replaces
it); only the final states become a record:
- state success -> status success, failure -> failure, error -> error;
- state pending, queued, in_progress or inactive -> no record: the payload is accepted without a
  record, so `records_read` = len(records) + len(rejects) + payloads in those states;
- any other state is rejected (expected one of the seven documented states).

Fields:
- deployment_id = str(deployment.id)
- service = repository.full_name ("owner/repo", unique across the organisation; the bare
  repository.name is not). The REST connector derives the same value, so both agree.
- environment = deployment.environment
- commit_sha = deployment.sha (or deployment.commit_sha, the name in newer API versions)
- status, as above
- deployed_at = deployment_status.updated_at (falling back to created_at), in UTC
- triggered_by = deployment_status.creator.login, falling back to deployment.creator.login
  (null when neither is present)
- lines_changed and rollback_of: not in the payload, null.
Unknown extra keys are ignored. `_source_line` is the record index (JSON document) or the line (NDJSON).
"""

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    is_present,
    optional_text,
    parse_payloads,
    require_commit_sha,
    require_id,
    require_object,
    require_text,
    require_timestamp,
)
from orchestration.lib.contracts.records import Parsed

EXPECTED = "GitHub deployment_status webhook payloads (a JSON object, a JSON array of them, or NDJSON)"

DEPLOY_STATUSES = {"success": "success", "failure": "failure", "error": "error"}
NOT_A_DEPLOY = frozenset({"pending", "queued", "in_progress", "inactive"})


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_payloads(data, source_file, EXPECTED, "deployments", deployment_from_payload)


def deployment_from_payload(payload: object) -> dict | None:
    """The canonical deployment of one payload, or None when its state is not a final one."""
    if not isinstance(payload, dict):
        raise RecordError("expected a deployment_status webhook payload (a JSON object)")
    status = require_object(payload, "deployment_status")
    require_object(payload, "deployment")
    state = require_text(payload, "deployment_status.state")
    if state in NOT_A_DEPLOY:
        return None
    if state not in DEPLOY_STATUSES:
        raise RecordError(
            "expected deployment_status.state one of error, failure, inactive, in_progress, pending, "
            f"queued, success, got {state!r}"
        )
    updated = "updated_at" if is_present(status.get("updated_at")) else "created_at"
    return {
        "deployment_id": require_id(payload, "deployment.id"),
        "service": require_text(payload, "repository.full_name"),
        "environment": require_text(payload, "deployment.environment"),
        "commit_sha": require_commit_sha(payload, "deployment"),
        "status": DEPLOY_STATUSES[state],
        "deployed_at": require_timestamp(payload, f"deployment_status.{updated}"),
        "triggered_by": optional_text(payload, "deployment_status.creator.login")
        or optional_text(payload, "deployment.creator.login"),
        "lines_changed": None,
        "rollback_of": None,
    }
