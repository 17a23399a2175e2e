"""GitHub `pull_request` webhook payloads -> pull requests.

Folder: landing/pull_requests/github_webhook/. A file holds one payload (a JSON object), a JSON array of payloads,
or NDJSON with one payload per line; an empty file holds none.

A pull request is delivered by its `closed` payload (merged when pull_request.merged_at is set, closed unmerged
otherwise). Payloads of the other actions (opened, synchronize, labeled, reopened, ...) are read without a
record, so `records_read` = len(records) + len(rejects) + those payloads; a `closed` payload whose pull request
is not closed is rejected.

Fields, from `pull_request` (the same object as a REST "get a pull request"):
- repository = pull_request.base.repo.full_name (not head.repo: a fork's), number, pr_id = "<repository>#<number>"
- author = pull_request.user.login; author_type = bot when pull_request.user.type is "Bot", login otherwise
  (the `sender` is who closed or merged it, not the author)
- title, head_branch = head.ref, base_branch = base.ref, created_at, updated_at, closed_at, merged_at (UTC)
- merge_commit_sha only when merged_at is set (unmerged, GitHub fills it with a test merge commit)
- additions, deletions, changed_files: in the payload, taken as they are (null only if absent)
- labels = pull_request.labels[].name
- commit_count = pull_request.commits (the payload states how many)
- commits: a payload carries no commit list, so commits are empty and has_commit_list is false: the first
  commit's authored_at, and with it the lead time and the commit-message attribution (trailers), are unknown for
  these pull requests until a commit list (GitHub REST or the generic contract) is delivered for them.
- first_review_at: null (not in the payload).
"""

from orchestration.defs.ingest.connectors._common import RecordError, describe, parse_payloads, require_text
from orchestration.defs.ingest.connectors._pull_requests import github_pull_request
from orchestration.lib.contracts.records import Parsed

EXPECTED = "GitHub pull_request webhook payloads (a JSON object, a JSON array of them, or NDJSON)"


def parse(data: bytes, source_file: str) -> Parsed:
    remedy = "export the webhook delivery again (its full pull_request payload)"
    return parse_payloads(data, source_file, EXPECTED, "pull_requests", pull_request_from_payload, remedy)


def pull_request_from_payload(payload: object) -> dict | None:
    """The record of one payload, or None when its action is not `closed`."""
    if not isinstance(payload, dict):
        raise RecordError(f"expected a pull_request webhook payload (a JSON object), got {describe(payload)}")
    action = require_text(payload, "action")
    if not isinstance(payload.get("pull_request"), dict):
        raise RecordError(
            f"expected pull_request (a JSON object) in a pull_request webhook payload, got "
            f"{describe(payload.get('pull_request'))}: is this another event's payload?"
        )
    if action != "closed":
        return None
    record = github_pull_request(payload, "pull_request.")
    if record is None:
        raise RecordError("expected pull_request.state closed in a closed payload, got 'open'")
    return record
