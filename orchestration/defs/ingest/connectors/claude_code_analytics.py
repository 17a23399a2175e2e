"""Claude Code analytics pages (`GET /v1/organizations/usage_report/claude_code`) -> tool_activity.

Folder: landing/usage/claude_code_analytics/. A file is one page: a JSON object with `data[]`,
`has_more` and `next_page` (each page its own file; pagination is the exporter's business). An
empty file or a document without `data[]` cannot be read; `"data": []` is an empty page.
`_source_line` is the record's index in `data[]`.

Per record (one actor, one UTC day, one terminal/customer type):
- identity: actor.type user_actor -> actor.email_address (identity_type "email");
  api_actor -> actor.api_key_name (identity_type "api_key"); any other actor type is rejected
- activity_date = the UTC date of `date` (RFC 3339)
- interaction          = core_metrics.num_sessions  (Anthropic's "active": num_sessions > 0; for
  api actors too, told apart by identity_type)
- code_edit_accepted   = the sum of tool_actions.<tool>.accepted over every tool listed
  (edit_tool, multi_edit_tool, write_tool, notebook_edit_tool, and any newer tool)
- commit_created       = core_metrics.commits_by_claude_code
- pull_request_created = core_metrics.pull_requests_by_claude_code
One record per activity type with a count above zero; first_at, last_at and peak_events_per_minute
are null. Not mapped: lines_of_code, rejected tool actions, model_breakdown (tokens, and
estimated_cost.amount in US cents: cost is not a canonical field), customer_type, terminal_type.

Records of the same actor and day (Anthropic splits a day by terminal_type) are summed, keeping the
first row's `_source_line`. Conservation: `records_read` counts `data[]` records; read = rows with
records + rows without activity (every count zero, accepted with no record) + len(rejects).
"""

from collections.abc import Mapping

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    activity_records,
    describe,
    lookup,
    parse_usage_pages,
    require_count,
    require_object,
    require_text,
    require_timestamp,
)
from orchestration.lib.contracts.records import Parsed

EXPECTED = "a Claude Code analytics page (a JSON object with data[])"
TOOL = "claude_code"

ACTORS = {"user_actor": ("email_address", "email"), "api_actor": ("api_key_name", "api_key")}


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_usage_pages(data, source_file, EXPECTED, activity_from_row)


def activity_from_row(row: object, source_line: int) -> list[dict]:
    if not isinstance(row, dict):
        raise RecordError("expected an analytics record (a JSON object)")
    actor_type = lookup(row, "actor.type")
    if not isinstance(actor_type, str) or actor_type not in ACTORS:
        raise RecordError(f"expected actor.type user_actor or api_actor, got {describe(actor_type)}")
    identity_key, identity_type = ACTORS[actor_type]
    return activity_records(
        identity=require_text(row, f"actor.{identity_key}"),
        identity_type=identity_type,
        tool=TOOL,
        activity_date=require_timestamp(row, "date").date(),
        counts={
            "interaction": require_count(row, "core_metrics.num_sessions"),
            "code_edit_accepted": accepted_edits(row),
            "commit_created": require_count(row, "core_metrics.commits_by_claude_code"),
            "pull_request_created": require_count(row, "core_metrics.pull_requests_by_claude_code"),
        },
        source_line=source_line,
    )


def accepted_edits(row: Mapping) -> int:
    """Accepted edits summed over every tool in tool_actions."""
    tools = require_object(row, "tool_actions")
    return sum(require_count(row, f"tool_actions.{tool}.accepted") for tool in tools)
