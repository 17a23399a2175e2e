"""Cursor daily usage data (Admin API `POST /teams/daily-usage-data`) -> tool_activity.

Folder: landing/usage/cursor_daily_usage/. A file is one response: a JSON object with `data[]` (and
`period`, the requested range, not checked). An empty file or a document without `data[]` cannot be
read; `"data": []` is a response with no usage. `_source_line` is the record's index in `data[]`.

Per record:
- identity = email (identity_type "email"); a record without an email (the key is optional) uses
  userId (identity_type "vendor_id"); neither is a reject
- activity_date = the UTC date of `date`, in epoch MILLISECONDS (an int, or a digit string). A
  value outside 2000-01-01..2100-01-01 as milliseconds (e.g. epoch seconds) is rejected as a
  timestamp in the wrong unit rather than read as a day in 1970.
- interaction = chatRequests + composerRequests + agentRequests + cmdkUsages (the user's own
  requests), and only when isActive: Cursor's definition of an active user is kept both ways, so an
  inactive row has no interaction whatever its counts, and an active row with no request (e.g. Tab
  only) still counts one interaction.
- suggestion_shown    = totalTabsShown
- suggestion_accepted = totalTabsAccepted
- code_edit_accepted  = totalAccepts (chat/composer/agent edits accepted)
One record per activity type with a count above zero; first_at, last_at and peak_events_per_minute
are null. Not mapped: line counts (totalLinesAdded, acceptedLinesAdded, ...), totalApplies,
totalRejects, bugbotUsages (PR review runs, not the engineer's use), billing counters
(subscriptionIncludedReqs, usageBasedReqs, apiKeyReqs), models and extensions.

Records of the same identity and day are summed (Cursor can return several rows for one user and
day), keeping the first row's `_source_line`. Conservation: `records_read` counts `data[]`
records; read = rows with records + rows without activity (accepted with no record) + len(rejects).
"""

from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    activity_records,
    describe,
    is_present,
    lookup,
    optional_text,
    parse_pages,
    require_bool,
    require_count,
)
from orchestration.lib.contracts.records import Parsed, epoch_millis_to_utc

EXPECTED = "a Cursor daily usage response (a JSON object with data[])"
TOOL = "cursor"

REQUEST_COUNTS = ("chatRequests", "composerRequests", "agentRequests", "cmdkUsages")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_pages(data, source_file, EXPECTED, activity_from_row)


def activity_from_row(row: object, source_line: int) -> list[dict]:
    if not isinstance(row, dict):
        raise RecordError("expected a daily usage record (a JSON object)")
    identity, identity_type = _identity(row)
    requests = sum(require_count(row, key) for key in REQUEST_COUNTS)
    is_active = require_bool(row, "isActive")
    return activity_records(
        identity=identity,
        identity_type=identity_type,
        tool=TOOL,
        activity_date=usage_date(row),
        counts={
            "interaction": max(requests, 1) if is_active else 0,
            "suggestion_shown": require_count(row, "totalTabsShown"),
            "suggestion_accepted": require_count(row, "totalTabsAccepted"),
            "code_edit_accepted": require_count(row, "totalAccepts"),
        },
        source_line=source_line,
    )


def _identity(row: dict) -> tuple[str, str]:
    email = optional_text(row, "email")
    if email:
        return email, "email"
    user_id = lookup(row, "userId")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        return str(user_id), "vendor_id"
    if isinstance(user_id, str) and user_id.strip():
        return user_id.strip(), "vendor_id"
    raise RecordError(f"expected email or userId (who used Cursor), got neither (userId {describe(user_id)})")


def usage_date(row: dict) -> date:
    return epoch_moment(row, "date").date()


def epoch_moment(row: dict, key: str) -> datetime:
    """A Cursor time in epoch milliseconds (an int or a digit string); a value that as milliseconds falls
    outside 2000..2100 (e.g. epoch seconds) is rejected as a timestamp in the wrong unit, not read as 1970."""
    value = lookup(row, key)
    if not is_present(value) or isinstance(value, bool):
        raise RecordError(f"expected {key} (epoch milliseconds), got {describe(value)}")
    try:
        moment = epoch_millis_to_utc(value)
    except (ValueError, OverflowError, OSError):
        raise RecordError(f"expected {key} (epoch milliseconds), got {describe(value)}") from None
    if not EARLIEST <= moment < LATEST:
        raise RecordError(
            f"expected {key} in epoch milliseconds (a day between 2000 and 2100), got {value!r}, "
            f"which as milliseconds is {moment:%Y-%m-%d}: wrong unit?"
        )
    return moment
