"""GitHub Copilot per-user daily usage reports (`users-1-day`) -> tool_activity.

Folder: landing/usage/github_copilot_users_1_day/. The downloaded report is NDJSON, one user-day per
line; the docs example wraps the same records in a JSON array, which is read too (as is a single
JSON object). An empty file is a report with no users. `_source_line` is the NDJSON line, or the
record index in a JSON document.

Per record: identity = user_login (identity_type "login"), activity_date = day, and one record per
activity type whose count is above zero:
- interaction         = user_initiated_interaction_count  (GitHub's "active": this count > 0)
- suggestion_shown    = code_generation_activity_count
- suggestion_accepted = code_acceptance_activity_count
first_at, last_at and peak_events_per_minute are null (a daily aggregate). The three counters are
required: a report that renamed one is rejected rather than read as zero. Breakdowns (totals_by_*),
line counts, flags (used_agent, used_chat, used_cli) and newer keys are ignored; CLI prompts count
only as far as GitHub includes them in user_initiated_interaction_count.

Spend (`parse_spend`, read by the spend ingest from the same files): `ai_credits_used`, where a report carries
it (newer per-user reports do; older ones do not, and give no spend), is one credit record of the user-day in
USD at GitHub's published price of an AI credit, one US cent (AI_CREDITS_PER_DOLLAR). Zero credits give no record.

Conservation: one input record yields 0..3 tool_activity records, so `records_read` counts input
records and read = rows with records + rows without activity (all three counters zero, accepted
with no record) + len(rejects). Records of the same login and day (a report should hold one) are
summed, keeping the first row's `_source_line`.
"""

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    activity_records,
    is_present,
    lookup,
    parse_items,
    require_count,
    require_date,
    require_text,
)
from orchestration.defs.ingest.connectors._spend import require_amount, roll_up_spend, spend_record
from orchestration.lib.contracts.records import Parsed

EXPECTED = "a GitHub Copilot users-1-day usage report (NDJSON, or a JSON array of user-day records)"
TOOL = "github_copilot"
AI_CREDITS_PER_DOLLAR = 100

ACTIVITY_COUNTS = {
    "interaction": "user_initiated_interaction_count",
    "suggestion_shown": "code_generation_activity_count",
    "suggestion_accepted": "code_acceptance_activity_count",
}


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_items(data, source_file, EXPECTED, activity_from_user_day)


def activity_from_user_day(record: object, source_line: int) -> list[dict]:
    if not isinstance(record, dict):
        raise RecordError("expected a user-day usage record (a JSON object)")
    return activity_records(
        identity=require_text(record, "user_login"),
        identity_type="login",
        tool=TOOL,
        activity_date=require_date(record, "day"),
        counts={activity_type: require_count(record, key) for activity_type, key in ACTIVITY_COUNTS.items()},
        source_line=source_line,
    )


def parse_spend(data: bytes, source_file: str) -> Parsed:
    return parse_items(data, source_file, EXPECTED, spend_from_user_day, entity="spend", combine=roll_up_spend)


def spend_from_user_day(record: object, source_line: int) -> list[dict]:
    if not isinstance(record, dict):
        raise RecordError("expected a user-day usage record (a JSON object)")
    login, day = require_text(record, "user_login"), require_date(record, "day")
    if not is_present(lookup(record, "ai_credits_used")):
        return []
    amount = require_amount(record, "ai_credits_used", units_per_dollar=AI_CREDITS_PER_DOLLAR)
    if amount == 0:
        return []
    return [
        spend_record(
            identity=login,
            identity_type="login",
            tool=TOOL,
            day=day,
            amount=amount,
            currency="USD",
            model=None,
            source_line=source_line,
            kind="credit",
        )
    ]
