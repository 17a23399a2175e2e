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
are null. Not mapped: lines_of_code, rejected tool actions, model tokens, customer_type, terminal_type.

Spend (`parse_spend`, read by the spend ingest from the same files): one usage record per actor, day and
`model_breakdown[].model`, amount = `estimated_cost.amount` / 100 in `estimated_cost.currency`. Anthropic
documents the amount in cents (US cents: `{"currency": "USD", "amount": 700}` is $7.00), so the connector
divides by 100; a record without model_breakdown has no spend. Rows of one actor, day and model are summed.

Records of the same actor and day (Anthropic splits a day by terminal_type) are summed, keeping the
first row's `_source_line`. Conservation: `records_read` counts `data[]` records; read = rows with
records + rows without activity (every count zero, accepted with no record) + len(rejects).
"""

from collections.abc import Mapping

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    activity_records,
    describe,
    is_present,
    lookup,
    parse_pages,
    require_count,
    require_object,
    require_text,
    require_timestamp,
)
from orchestration.defs.ingest.connectors._spend import require_amount, roll_up_spend, spend_record
from orchestration.lib.contracts.records import Parsed

EXPECTED = "a Claude Code analytics page (a JSON object with data[])"
TOOL = "claude_code"

ACTORS = {"user_actor": ("email_address", "email"), "api_actor": ("api_key_name", "api_key")}


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_pages(data, source_file, EXPECTED, activity_from_row)


def _actor(row: object) -> tuple[str, str]:
    """The identity of a record's actor and its type (email, or api_key for an API key)."""
    if not isinstance(row, dict):
        raise RecordError("expected an analytics record (a JSON object)")
    actor_type = lookup(row, "actor.type")
    if not isinstance(actor_type, str) or actor_type not in ACTORS:
        raise RecordError(f"expected actor.type user_actor or api_actor, got {describe(actor_type)}")
    identity_key, identity_type = ACTORS[actor_type]
    return require_text(row, f"actor.{identity_key}"), identity_type


def activity_from_row(row: object, source_line: int) -> list[dict]:
    identity, identity_type = _actor(row)
    return activity_records(
        identity=identity,
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


def parse_spend(data: bytes, source_file: str) -> Parsed:
    return parse_pages(data, source_file, EXPECTED, spend_from_row, entity="spend", combine=roll_up_spend)


def spend_from_row(row: object, source_line: int) -> list[dict]:
    identity, identity_type = _actor(row)
    day = require_timestamp(row, "date").date()
    breakdown = lookup(row, "model_breakdown")
    if not is_present(breakdown):
        return []
    if not isinstance(breakdown, list):
        raise RecordError(f"expected model_breakdown (a JSON array), got {describe(breakdown)}")
    records = []
    for index, item in enumerate(breakdown):
        path = f"model_breakdown[{index}]"
        if not isinstance(item, dict):
            raise RecordError(f"expected {path} (a JSON object), got {describe(item)}")
        try:
            model = require_text(item, "model")
            amount = require_amount(item, "estimated_cost.amount", units_per_dollar=100)  # cents
            currency = require_text(item, "estimated_cost.currency")
        except RecordError as error:
            raise RecordError(f"{path}: {error}") from None
        records.append(
            spend_record(
                identity=identity,
                identity_type=identity_type,
                tool=TOOL,
                day=day,
                amount=amount,
                currency=currency,
                model=model,
                source_line=source_line,
            )
        )
    return records
