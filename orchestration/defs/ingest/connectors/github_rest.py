"""GitHub REST "list deployments" and "list deployment statuses" responses -> deployments.

Folder: landing/deployments/github_rest/. A deployment and its statuses come from two endpoints, so
this format is read a folder (a partition's files) at a time: `parse_files({name: bytes})` returns
one `Parsed` per file.
- A file whose name contains "statuses" is a "list deployment statuses" response
  (`GET /repos/{owner}/{repo}/deployments/{id}/statuses`); every other file is a "list deployments"
  response (`GET /repos/{owner}/{repo}/deployments`). Both are JSON arrays; `[]` is an empty page.
- A status belongs to the deployment its `deployment_url` names (".../deployments/<id>"), so
  statuses files need no naming scheme beyond the word "statuses" and may hold several deployments.

A deploy is the final status of a deployment: the latest (by updated_at, then status id) of its
statuses in state success, failure or error, mapped to the same status. `inactive` (GitHub marks an
older deployment inactive once a newer one succeeds), `pending`, `queued` and `in_progress` never
decide: a deployment without a final status is accepted without a record (not deployed yet).

Fields, the same as the deployment_status webhook connector:
- deployment_id = str(id); environment = environment
- service = "owner/repo" taken from repository_url (https://api.github.com/repos/<owner>/<repo>),
  the same value as repository.full_name in webhooks
- commit_sha = `sha`, or `commit_sha` (the name from API version 2026-03-10 on)
- deployed_at = the deciding status's updated_at (or created_at), in UTC
- triggered_by = the deciding status's creator.login, falling back to the deployment's creator.login
- lines_changed and rollback_of: not in the responses, null. `production_environment` and
  `transient_environment` are ignored: environments.csv says which environment is production.

Conservation, per file (`records_read` counts the array's items):
- deployments file: records_read = len(records) + len(rejects) + deployments without a final status;
- statuses file: records_read = statuses folded into a deployment (no record of their own)
  + len(rejects). A status whose deployment is in none of the deployments files given is rejected
  (its deployment must be ingested with it), so no status is dropped silently.
A non-empty deployments list given without any statuses file cannot be read: every deployment would
otherwise vanish as "not deployed yet".
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from orchestration.defs.ingest.connectors._common import (
    Item,
    RecordError,
    array_items,
    is_present,
    lookup,
    optional_text,
    require_commit_sha,
    require_id,
    require_text,
    require_timestamp,
)
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile

EXPECTED_DEPLOYMENTS = 'a GitHub REST "list deployments" response (a JSON array of deployments)'
EXPECTED_STATUSES = 'a GitHub REST "list deployment statuses" response (a JSON array of statuses)'

DEPLOY_STATUSES = {"success": "success", "failure": "failure", "error": "error"}
KNOWN_STATES = frozenset({"error", "failure", "inactive", "in_progress", "pending", "queued", "success"})

_DEPLOYMENT_URL = re.compile(r"/deployments/(\d+)/?$")
_REPOSITORY_URL = re.compile(r"/repos/([^/]+/[^/]+?)/?$")


@dataclass(frozen=True)
class _Status:
    deployment_id: str
    state: str
    at: datetime
    status_id: int
    creator: str | None


def is_statuses_file(name: str) -> bool:
    return "statuses" in PurePosixPath(name.replace("\\", "/")).name.lower()


def parse_files(files: Mapping[str, bytes]) -> dict[str, Parsed]:
    """One Parsed per file: deployments lists carry the records, statuses lists decide them."""
    results: dict[str, Parsed] = {}
    statuses: dict[str, list[_Status]] = {}
    status_items: dict[str, list[tuple[Item, _Status]]] = {}
    for name, data in files.items():
        if not is_statuses_file(name):
            continue
        items = array_items(data, name, EXPECTED_STATUSES)
        results[name] = Parsed(entity="deployments", records_read=len(items))
        status_items[name] = []
        for item in items:
            try:
                status = _status(item.value)
            except RecordError as error:
                results[name].rejects.append(Reject(name, item.position, str(error), item.raw))
                continue
            status_items[name].append((item, status))
            statuses.setdefault(status.deployment_id, []).append(status)

    listed: set[str] = set()
    for name, data in files.items():
        if is_statuses_file(name):
            continue
        items = array_items(data, name, EXPECTED_DEPLOYMENTS)
        if items and not status_items:
            raise UnreadableFile(
                name,
                EXPECTED_DEPLOYMENTS + " read together with its statuses responses",
                'no statuses file (a file name containing "statuses") was given with it',
            )
        parsed = Parsed(entity="deployments", records_read=len(items))
        for item in items:
            if isinstance(item.value, dict) and is_present(item.value.get("id")):
                listed.add(str(item.value["id"]).strip())
            try:
                record = _deployment(item.value, statuses)
            except RecordError as error:
                parsed.rejects.append(Reject(name, item.position, str(error), item.raw))
                continue
            if record is not None:
                parsed.records.append({**record, "_source_line": item.position})
        results[name] = parsed

    for name, pairs in status_items.items():
        for item, status in pairs:
            if status.deployment_id not in listed:
                results[name].rejects.append(
                    Reject(
                        name,
                        item.position,
                        f"status of deployment {status.deployment_id}, which is in no deployments list "
                        "given with it (expected its deployment in a deployments file of the same folder)",
                        item.raw,
                    )
                )
    return results


def _status(value: object) -> _Status:
    if not isinstance(value, dict):
        raise RecordError("expected a deployment status (a JSON object)")
    url = require_text(value, "deployment_url")
    match = _DEPLOYMENT_URL.search(url)
    if match is None:
        raise RecordError(f"expected deployment_url ending in /deployments/<id>, got {url!r}")
    state = require_text(value, "state")
    if state not in KNOWN_STATES:
        raise RecordError(
            f"expected state one of {', '.join(sorted(KNOWN_STATES))}, got {state!r}",
        )
    updated = "updated_at" if is_present(value.get("updated_at")) else "created_at"
    status_id = lookup(value, "id")
    return _Status(
        deployment_id=match.group(1),
        state=state,
        at=require_timestamp(value, updated),
        status_id=status_id if isinstance(status_id, int) else 0,
        creator=optional_text(value, "creator.login"),
    )


def _deployment(value: object, statuses: Mapping[str, list[_Status]]) -> dict | None:
    if not isinstance(value, dict):
        raise RecordError("expected a deployment (a JSON object)")
    deployment_id = require_id(value, "id")
    record = {
        "deployment_id": deployment_id,
        "service": _service(value),
        "environment": require_text(value, "environment"),
        "commit_sha": require_commit_sha(value),
    }
    finals = [status for status in statuses.get(deployment_id, []) if status.state in DEPLOY_STATUSES]
    if not finals:
        return None
    final = max(finals, key=lambda status: (status.at, status.status_id))
    return {
        **record,
        "status": DEPLOY_STATUSES[final.state],
        "deployed_at": final.at,
        "triggered_by": final.creator or optional_text(value, "creator.login"),
        "lines_changed": None,
        "rollback_of": None,
    }


def _service(deployment: dict) -> str:
    url = require_text(deployment, "repository_url")
    match = _REPOSITORY_URL.search(url)
    if match is None:
        raise RecordError(f"expected repository_url ending in /repos/<owner>/<repo>, got {url!r}")
    return match.group(1)
