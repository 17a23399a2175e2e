"""Private helpers shared by the pull request connectors (generic contract, GitHub REST, GitHub webhook): the
identity type of an author, the day a pull request belongs to, the checks every source's record gets, and the
record of a GitHub pull request object (the REST list item and the webhook's pull_request share one shape).

A pull request record is the fields of `pull_requests` (lib/canonical.py) plus `labels` (a list of strings) and
`commits` (a list of {sha, authored_at, author, message}); the lake stores the lists as rows of their own.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    describe,
    is_present,
    lookup,
    optional_text,
    require_count,
    require_text,
    require_timestamp,
)


def author_type(author: str, is_bot: bool = False) -> str:
    """bot when the source says so (GitHub's user.type "Bot") or the login ends in [bot] (GitHub App accounts such
    as dependabot[bot]); email for an address; login otherwise."""
    if is_bot or author.lower().endswith("[bot]"):
        return "bot"
    return "email" if "@" in author else "login"


def closed_day(record: dict) -> date:
    """The UTC day a pull request belongs to: the day it was merged, else the day it was closed."""
    return (record["merged_at"] or record["closed_at"]).date()


def check_times(record: dict) -> None:
    """A merged or closed pull request, not merged or closed before it was created."""
    if record["merged_at"] is None and record["closed_at"] is None:
        raise RecordError(
            "expected merged_at or closed_at (a pull request merged or closed), got neither: an open pull request "
            "is delivered once it is merged or closed"
        )
    for name in ("merged_at", "closed_at"):
        moment: datetime | None = record[name]
        if moment is not None and moment < record["created_at"]:
            raise RecordError(
                f"expected {name} at or after created_at, got {name} {moment.isoformat()} before created_at "
                f"{record['created_at'].isoformat()}: check the time zone or unit of both"
            )


def distinct(items: list, key) -> list:
    """The items with the first of each key kept, in order (a commit listed twice, a label repeated)."""
    seen: set = set()
    kept = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept


# ---------------------------------------------------------------------------------------------
# a GitHub pull request object (REST "list pull requests" item, "get a pull request", webhook pull_request)

_PULL_URL = re.compile(r"/repos/([^/]+/[^/]+)/pulls/\d+/?$")
GITHUB_STATES = ("closed", "open")


def github_pull_request(document: Any, prefix: str = "") -> dict | None:
    """The record of the GitHub pull request object at `prefix` in `document` ("" for a REST list item,
    "pull_request." in a webhook payload), without commits; None for an open one (state "open")."""
    pull = lookup(document, prefix.removesuffix(".")) if prefix else document
    if not isinstance(pull, Mapping):
        where = prefix.removesuffix(".") or "a pull request"
        raise RecordError(f"expected {where} (a JSON object), got {describe(pull)}")
    state = require_text(document, f"{prefix}state")
    if state == "open":
        return None
    if state not in GITHUB_STATES:
        raise RecordError(f"expected {prefix}state one of {', '.join(GITHUB_STATES)}, got {describe(state)}")
    repository = _github_repository(document, prefix)
    number = lookup(document, f"{prefix}number")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**63:
        raise RecordError(f"expected {prefix}number (a positive integer), got {describe(number)}")
    author = require_text(document, f"{prefix}user.login")
    merged_at = _optional_timestamp(document, f"{prefix}merged_at")
    record = {
        "pr_id": f"{repository}#{number}",
        "repository": repository,
        "number": number,
        "author": author,
        "author_type": author_type(author, is_bot=lookup(document, f"{prefix}user.type") == "Bot"),
        "title": require_text(document, f"{prefix}title"),
        "head_branch": require_text(document, f"{prefix}head.ref"),
        "base_branch": require_text(document, f"{prefix}base.ref"),
        "created_at": require_timestamp(document, f"{prefix}created_at"),
        "first_review_at": None,
        "merged_at": merged_at,
        "closed_at": require_timestamp(document, f"{prefix}closed_at"),
        # unmerged, GitHub still fills merge_commit_sha: the sha of a test merge that never reached the base branch
        "merge_commit_sha": optional_text(document, f"{prefix}merge_commit_sha") if merged_at else None,
        # the single-pull endpoint and the webhook carry these; the list endpoint does not: null, never 0
        "additions": _optional_count(document, f"{prefix}additions"),
        "deletions": _optional_count(document, f"{prefix}deletions"),
        "changed_files": _optional_count(document, f"{prefix}changed_files"),
        "commit_count": _optional_count(document, f"{prefix}commits"),
        "has_commit_list": False,
        "updated_at": require_timestamp(document, f"{prefix}updated_at"),
        "labels": _github_labels(document, f"{prefix}labels"),
        "commits": [],
    }
    check_times(record)
    return record


def _github_repository(document: Any, prefix: str) -> str:
    """base.repo.full_name (where the pull request merges; head.repo is a fork's), else the pull request's url."""
    if is_present(lookup(document, f"{prefix}base.repo.full_name")):
        return require_text(document, f"{prefix}base.repo.full_name")
    url = lookup(document, f"{prefix}url")
    match = _PULL_URL.search(url) if isinstance(url, str) else None
    if match is None:
        raise RecordError(
            f"expected {prefix}base.repo.full_name, or {prefix}url ending in /repos/<owner>/<repo>/pulls/<number>, "
            f"got neither (url {describe(url)})"
        )
    return match.group(1)


def _github_labels(document: Any, path: str) -> list[str]:
    labels = lookup(document, path)
    if not is_present(labels):
        return []
    if not isinstance(labels, list):
        raise RecordError(f"expected {path} (an array of label objects), got {describe(labels)}")
    names = [require_text(label, "name") if isinstance(label, Mapping) else None for label in labels]
    for index, name in enumerate(names):
        if name is None:
            raise RecordError(f"expected {path}[{index}] (a label object with a name), got {describe(labels[index])}")
    return distinct(names, key=lambda name: name)


def _optional_timestamp(document: Any, path: str) -> datetime | None:
    return require_timestamp(document, path) if is_present(lookup(document, path)) else None


def _optional_count(document: Any, path: str) -> int | None:
    return require_count(document, path) if is_present(lookup(document, path)) else None
