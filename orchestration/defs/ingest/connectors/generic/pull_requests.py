"""Pull requests of the generic contract: `pull_requests/YYYY-MM-DD.ndjson`, one pull request a line, in the file of
the UTC day it was merged (or, unmerged, closed).

Fields: pr_id (e.g. `org/repo#123`), repository, number, author (a login or an email), title, head_branch,
base_branch, created_at, first_review_at?, merged_at?, closed_at?, merge_commit_sha?, additions, deletions,
changed_files, labels (array of strings), commits (array of {sha, authored_at, author, message}), updated_at.
Time stamps are RFC 3339 and converted to UTC. At least one of merged_at and closed_at is given, and it falls on
the file's day (merged_at when given) and not in the future.

- `commits: []` says the exporter has no commit list for the pull request (GitHub never merges a pull request
  without a commit): has_commit_list is false and commit_count null, so a lead time is never taken from nothing.
- merge_commit_sha of a pull request without merged_at is dropped (null): GitHub gives an unmerged pull request
  the sha of a test merge commit that never reaches the base branch.
- author_type: bot for a login ending in [bot], email for an address, login otherwise.
- first_review_at is optional: null when the exporter does not know it.
- A resend (the same pr_id again, in this or a `.part2` file or another day's) is a new row of the lake: every
  delivery is kept, and the warehouse counts the one with the latest updated_at (lib/canonical.py).

A record that breaks the contract is quarantined whole, commits and labels with it, with a reason that names the
field, what was expected and what to do.
"""

from datetime import UTC, date, datetime
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
from orchestration.defs.ingest.connectors._pull_requests import author_type, check_times, closed_day, distinct
from orchestration.defs.ingest.connectors.generic.rows import parse_lines
from orchestration.lib.contracts.records import Parsed

RESEND = "fix the exporter's record and resend it (a resend with a later updated_at replaces it)"


def parse_pull_requests(data: bytes, source_file: str, day: date, now: datetime | None = None) -> Parsed:
    now = now or datetime.now(UTC)

    def to_record(value: dict) -> dict:
        try:
            return _on_day(pull_request(value), day, now)
        except RecordError as error:
            raise RecordError(f"{error}; {RESEND}") from None

    return parse_lines("pull_requests", data, source_file, to_record)


def pull_request(value: dict) -> dict:
    """The canonical record of one generic-contract line; RecordError naming the field otherwise."""
    identity = {
        "pr_id": require_text(value, "pr_id"),
        "repository": require_text(value, "repository"),
        "number": _positive_integer(value, "number"),
    }
    author = require_text(value, "author")
    merged_at = _optional_timestamp(value, "merged_at")
    commits = _commits(value)
    record = {
        **identity,
        "author": author,
        "author_type": author_type(author),
        "title": require_text(value, "title"),
        "head_branch": require_text(value, "head_branch"),
        "base_branch": require_text(value, "base_branch"),
        "created_at": require_timestamp(value, "created_at"),
        "first_review_at": _optional_timestamp(value, "first_review_at"),
        "merged_at": merged_at,
        "closed_at": _optional_timestamp(value, "closed_at"),
        "merge_commit_sha": optional_text(value, "merge_commit_sha") if merged_at else None,
        "additions": require_count(value, "additions"),
        "deletions": require_count(value, "deletions"),
        "changed_files": require_count(value, "changed_files"),
        "commit_count": len(commits) or None,
        "has_commit_list": bool(commits),
        "updated_at": require_timestamp(value, "updated_at"),
        "labels": _labels(value),
        "commits": commits,
    }
    check_times(record)
    return record


def _on_day(record: dict, day: date, now: datetime) -> dict:
    name = "merged_at" if record["merged_at"] else "closed_at"
    moment = record[name]
    if moment > now:
        raise RecordError(f"expected {name} in the past, got {moment.isoformat()} (in the future)")
    if closed_day(record) != day:
        raise RecordError(
            f"expected {name} on the file's day {day.isoformat()}, got {moment.isoformat()}: a pull request goes "
            f"in the file of the UTC day it was merged or closed ({closed_day(record).isoformat()}.ndjson)"
        )
    return record


def _optional_timestamp(value: dict, name: str) -> datetime | None:
    return require_timestamp(value, name) if is_present(lookup(value, name)) else None


def _positive_integer(value: dict, name: str) -> int:
    number = lookup(value, name)
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**63:
        raise RecordError(f"expected {name} (a positive integer), got {describe(number)}")
    return number


def _array(value: dict, name: str, of: str) -> list:
    items = lookup(value, name)
    if not isinstance(items, list):
        raise RecordError(f"expected {name} (an array of {of}; [] when there are none), got {describe(items)}")
    return items


def _labels(value: dict) -> list[str]:
    labels = _array(value, "labels", "strings")
    for index, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            raise RecordError(f"expected labels[{index}] (a non-empty string), got {describe(label)}")
    return distinct([label.strip() for label in labels], key=lambda label: label)


def _commits(value: dict) -> list[dict]:
    commits = _array(value, "commits", "{sha, authored_at, author, message} objects")
    return distinct([_commit(commit, index) for index, commit in enumerate(commits)], key=lambda c: c["sha"])


def _commit(commit: Any, index: int) -> dict:
    where = f"commits[{index}]"
    if not isinstance(commit, dict):
        expected = "a JSON object with sha, authored_at, author, message"
        raise RecordError(f"expected {where} ({expected}), got {describe(commit)}")
    message = lookup(commit, "message")
    if not isinstance(message, str):
        raise RecordError(f"expected {where}.message (a string), got {describe(message)}")
    try:
        return {
            "sha": require_text(commit, "sha"),
            "authored_at": require_timestamp(commit, "authored_at"),
            "author": require_text(commit, "author"),
            "message": message,
        }
    except RecordError as error:
        raise RecordError(str(error).replace("expected ", f"expected {where}.", 1)) from None
