"""Deployments moved into GitHub deployment-status webhook payloads where a webhook can say them exactly."""

from collections import defaultdict
from datetime import timedelta

from orchestration.defs.ingest.connectors import generic
from orchestration.tools.demo.vendor.common import (
    WEBHOOK_STATES,
    Landing,
    _drop_lines,
    files_by_day,
    numeric_id,
    rfc3339,
    write_ndjson,
)


def convert_deployments(landing: Landing) -> None:
    status_id = 0
    for day, paths in files_by_day(landing.root / "deployments").items():
        payloads, converted_lines = [], defaultdict(set)
        for path in paths:
            name = landing.relative(path)
            data = path.read_bytes()
            for record in generic.parse_deployments(data, name, day).records:
                creator = _creator(record["triggered_by"], landing.logins)
                if (record["triggered_by"] and not creator) or not _webhook_can_say(record):
                    continue
                for state in ("in_progress", record["status"]):
                    status_id += 1
                    payloads.append(_deployment_status_payload(record, state, creator, status_id))
                converted_lines[name].add(record["_source_line"])
            path.write_bytes(_drop_lines(data, converted_lines[name]))
        target = (
            landing.root / "deployments" / "github_deployment_status" / f"deployment_status_{day.isoformat()}.ndjson"
        )
        write_ndjson(target, payloads)


def _webhook_can_say(record: dict) -> bool:
    """A deploy a webhook carries without changing a metric or guard (see the module docstring)."""
    return record["status"] in WEBHOOK_STATES and record["rollback_of"] is None and record["lines_changed"] != 0


def _creator(triggered_by: str | None, logins: dict[str, str]) -> str | None:
    """The GitHub login that resolves like `triggered_by` (an email becomes its roster github_login);
    None when there is none, or when an email names no roster engineer."""
    if triggered_by is None or "@" not in triggered_by:
        return triggered_by
    return logins.get(triggered_by.lower())


def _deployment_status_payload(record: dict, state: str, creator: str | None, status_id: int) -> dict:
    service, deployment_id = record["service"], record["deployment_id"]
    final = state == record["status"]
    at = record["deployed_at"] - (timedelta(0) if final else timedelta(minutes=2))
    api = f"https://api.github.com/repos/{service}"
    person = (
        {"login": creator, "id": numeric_id(creator), "type": "Bot" if "[bot]" in creator else "User"}
        if creator
        else None
    )
    status = {
        "url": f"{api}/deployments/{deployment_id}/statuses/{status_id}",
        "id": status_id,
        "state": state,
        "description": "",
        "environment": record["environment"],
        "created_at": rfc3339(at),
        "updated_at": rfc3339(at),
        "deployment_url": f"{api}/deployments/{deployment_id}",
        "repository_url": api,
    }
    deployment = {
        "url": f"{api}/deployments/{deployment_id}",
        "id": deployment_id,
        "sha": record["commit_sha"],
        "ref": "main",
        "task": "deploy",
        "payload": {},
        "original_environment": record["environment"],
        "environment": record["environment"],
        "description": None,
        "created_at": rfc3339(record["deployed_at"] - timedelta(minutes=3)),
        "updated_at": rfc3339(at),
        "statuses_url": f"{api}/deployments/{deployment_id}/statuses",
        "repository_url": api,
    }
    if person:
        status["creator"] = deployment["creator"] = person
    payload = {
        "action": "created",
        "deployment_status": status,
        "deployment": deployment,
        "repository": {"name": service, "full_name": service, "private": True},
    }
    if person:
        payload["sender"] = person
    return payload
