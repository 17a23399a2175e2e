"""GitHub Actions `workflow_run` webhook payloads of pipelines that deploy -> deployments.

For teams that deploy from a GitHub Actions workflow without creating GitHub deployments. A file
holds one payload (a JSON object), a JSON array of payloads, or NDJSON; an empty file holds none.
Every run in the file is taken to be a deploy pipeline: the exporter selects the deploying workflows
(e.g. by workflow path), since a payload does not say whether a workflow deploys.

- Only completed runs with conclusion success -> status success, failure -> failure are deploys.
  Runs not completed yet (`requested`, `in_progress`) and other conclusions (cancelled, skipped,
  neutral, timed_out, action_required, stale, startup_failure) are accepted without a record, so
  `records_read` = len(records) + len(rejects) + those runs.
- deployment_id = "workflow_run:<workflow_run.id>:<workflow_run.run_attempt>" (a re-run is a new
  deploy attempt; payloads older than `run_attempt` count as attempt 1)
- service = repository.full_name (falling back to workflow_run.repository.full_name)
- environment: a payload does not name the environment, so it is a parameter of `parse`
  (default "production"); a pipeline deploying elsewhere gets its own folder or exporter setting.
- commit_sha = workflow_run.head_sha
- deployed_at = workflow_run.updated_at (when the run completed), in UTC
- triggered_by = workflow_run.triggering_actor.login, falling back to workflow_run.actor.login and
  then sender.login
- lines_changed and rollback_of: null.
"""

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    is_present,
    lookup,
    optional_text,
    parse_payloads,
    require_id,
    require_object,
    require_text,
    require_timestamp,
)
from orchestration.lib.contracts.records import Parsed

EXPECTED = "GitHub workflow_run webhook payloads (a JSON object, a JSON array of them, or NDJSON)"

DEPLOY_CONCLUSIONS = {"success": "success", "failure": "failure"}


def parse(data: bytes, source_file: str, environment: str = "production") -> Parsed:
    if not environment.strip():
        raise ValueError("environment must be a non-empty environment name")
    return parse_payloads(
        data, source_file, EXPECTED, "deployments", lambda payload: deployment_from_run(payload, environment.strip())
    )


def deployment_from_run(payload: object, environment: str) -> dict | None:
    """The canonical deployment of one payload, or None when the run is not a finished deploy."""
    if not isinstance(payload, dict):
        raise RecordError("expected a workflow_run webhook payload (a JSON object)")
    run = require_object(payload, "workflow_run")
    if require_text(payload, "workflow_run.status") != "completed":
        return None
    conclusion = lookup(payload, "workflow_run.conclusion")
    if is_present(conclusion) and not isinstance(conclusion, str):
        raise RecordError(f"expected workflow_run.conclusion (a string or null), got {conclusion!r}")
    if conclusion not in DEPLOY_CONCLUSIONS:
        return None
    attempt = run.get("run_attempt")
    if not is_present(attempt):
        attempt = 1
    elif not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        raise RecordError(f"expected workflow_run.run_attempt (a positive integer), got {attempt!r}")
    service_path = (
        "repository.full_name"
        if is_present(lookup(payload, "repository.full_name"))
        else "workflow_run.repository.full_name"
    )
    return {
        "deployment_id": f"workflow_run:{require_id(payload, 'workflow_run.id')}:{attempt}",
        "service": require_text(payload, service_path),
        "environment": environment,
        "commit_sha": require_text(payload, "workflow_run.head_sha"),
        "status": DEPLOY_CONCLUSIONS[conclusion],
        "deployed_at": require_timestamp(payload, "workflow_run.updated_at"),
        "triggered_by": optional_text(payload, "workflow_run.triggering_actor.login")
        or optional_text(payload, "workflow_run.actor.login")
        or optional_text(payload, "sender.login"),
        "lines_changed": None,
        "rollback_of": None,
    }
