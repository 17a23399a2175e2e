"""Amazon Q Developer user activity report CSV -> tool_activity.

Folder: landing/usage/amazon_q_user_activity/, at any depth (the S3 key layout
AWSLogs/<account>/QDeveloperLogs/by_user_analytic/<region>/<yyyy>/<mm>/<dd>/00/..._<n>.csv, split
into part files every 1,000 users; Kiro writes the same layout). One row per user active that day:
`UserId` (quoted), `Date` as MM-DD-YYYY, then 44 metric columns in which an empty cell means 0.

The header is read by name, in any order, extra (newer) columns tolerated; a header missing any
column used below cannot be read (the error names the missing columns), nor can an empty file. A
header-only file is a report with no users. `_source_line` is the physical line the row starts on.

Per row: identity = UserId (identity_type "vendor_id": an IAM Identity Center user id, mapped to an
engineer through identities.csv), activity_date = Date, and one record per activity type whose count
is above zero:
- interaction = Chat_MessagesSent + InlineChat_TotalEventCount + Dev_GenerationEventCount
  + TestGeneration_EventCount + DocGeneration_EventCount + Transformation_EventCount, the prompts and
  commands the user sent (chat, inline chat, /dev, /test, /doc, /transform; Chat_MessagesSent counts
  Amazon Q's answers too, as AWS reports it) - and at least 1 on every active user-day, see below.
- suggestion_shown    = Inline_SuggestionsCount
- suggestion_accepted = Inline_AcceptanceCount
- code_edit_accepted  = Dev_AcceptanceEventCount + InlineChat_AcceptanceEventCount
  + CodeFix_AcceptanceEventCount (agent edits accepted: events, not lines; test and doc generation
  report accepted tests and files, other units, and are not counted)
first_at, last_at and peak_events_per_minute are null.

Active users. AWS counts a user active on any user-initiated metric above zero: an event the user
started, either a prompt or command (the interaction columns) or acting on what Amazon Q offered
(USER_ACTIONS: accepting an inline suggestion, a /dev feature, an inline chat edit or a code fix,
dismissing or rejecting an inline chat edit, interacting with a chat answer). What Amazon Q shows or
runs unasked (Inline_SuggestionsCount, CodeReview_*, CodeFix_GenerationEventCount) and the sizes of
outputs (lines, files, tests) are not. The warehouse's active types are those of activity_types.csv
with is_active, and of the types above only interaction is: suggestion_accepted must stay inactive,
because on GitHub Copilot an accepted completion without an interaction is not an active user. So a
row active only through USER_ACTIONS (e.g. an engineer who only accepted inline suggestions) gets
interaction = 1, the same way the Cursor connector keeps Cursor's isActive; its acceptances still
count as value-deriving events. A dedicated active-only activity type would say the same with a new
entry in the generic contract, which exporters could then send as events. A cell that is neither empty nor a
non-negative integer, a bad Date, an empty UserId or a row with the wrong number of cells is a reject.

Rows of the same user and day within one file are summed, keeping the first row's `_source_line`.
Conservation: `records_read` counts data rows; read = rows with records + rows without activity
(accepted with no record) + len(rejects).
"""

from datetime import date, datetime

from orchestration.defs.ingest.connectors._common import (
    MAX_COUNT,
    CsvRow,
    RecordError,
    activity_records,
    csv_rows,
    decode,
    describe,
    roll_up,
)
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile

EXPECTED = "an Amazon Q Developer user activity report (CSV with a UserId,Date,<metrics> header)"
TOOL = "amazon_q"

ACTIVITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "interaction": (
        "Chat_MessagesSent",
        "InlineChat_TotalEventCount",
        "Dev_GenerationEventCount",
        "TestGeneration_EventCount",
        "DocGeneration_EventCount",
        "Transformation_EventCount",
    ),
    "suggestion_shown": ("Inline_SuggestionsCount",),
    "suggestion_accepted": ("Inline_AcceptanceCount",),
    "code_edit_accepted": (
        "Dev_AcceptanceEventCount",
        "InlineChat_AcceptanceEventCount",
        "CodeFix_AcceptanceEventCount",
    ),
}
# events the user started besides the interaction columns: acting on what Amazon Q offered
USER_ACTIONS = (
    "Inline_AcceptanceCount",
    "Dev_AcceptanceEventCount",
    "InlineChat_AcceptanceEventCount",
    "InlineChat_DismissalEventCount",
    "InlineChat_RejectionEventCount",
    "CodeFix_AcceptanceEventCount",
    "Chat_MessagesInteracted",
)
REQUIRED_COLUMNS = tuple(
    dict.fromkeys(
        ("UserId", "Date", *(name for columns in ACTIVITY_COLUMNS.values() for name in columns), *USER_ACTIONS)
    )
)


def parse(data: bytes, source_file: str) -> Parsed:
    text = decode(data, source_file, EXPECTED)
    if not text.strip():
        raise UnreadableFile(source_file, EXPECTED, "the file is empty")
    rows = csv_rows(text, source_file, EXPECTED)
    header = [name.strip() for name in next(rows).cells]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise UnreadableFile(source_file, EXPECTED, f"the header lacks {', '.join(missing)}")
    parsed = Parsed(entity="tool_activity")
    records: list[dict] = []
    for row in rows:
        parsed.records_read += 1
        try:
            records.extend(activity_from_row(header, row))
        except RecordError as error:
            parsed.rejects.append(Reject(source_file, row.line, str(error), row.raw))
    parsed.records = roll_up(records)
    return parsed


def activity_from_row(header: list[str], row: CsvRow) -> list[dict]:
    if len(row.cells) != len(header):
        raise RecordError(f"expected {len(header)} cells as in the header, got {len(row.cells)}")
    cells = dict(zip(header, row.cells, strict=True))
    user_id = cells["UserId"].strip()
    if not user_id:
        raise RecordError("expected UserId (a user id), got an empty cell")
    counts = {
        activity_type: sum(count(cells, column) for column in columns)
        for activity_type, columns in ACTIVITY_COLUMNS.items()
    }
    if counts["interaction"] == 0 and any(count(cells, column) for column in USER_ACTIONS):
        counts["interaction"] = 1  # active by AWS's definition though no prompt was sent (see the module doc)
    return activity_records(
        identity=user_id,
        identity_type="vendor_id",
        tool=TOOL,
        activity_date=report_date(cells["Date"]),
        counts=counts,
        source_line=row.line,
    )


def report_date(value: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%m-%d-%Y").date()
    except ValueError:
        raise RecordError(f"expected Date as MM-DD-YYYY, got {value!r}") from None


def count(cells: dict[str, str], column: str) -> int:
    """A metric cell: empty means 0 (Amazon Q leaves metrics without activity empty)."""
    value = cells[column].strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit():
        raise RecordError(f"expected {column} (a non-negative integer or empty), got {describe(value)}")
    # compared as text: Python refuses to convert a digit string longer than a few thousand digits
    if len(value.lstrip("0")) > len(str(MAX_COUNT)) or int(value) > MAX_COUNT:
        raise RecordError(f"expected {column} (a daily count up to {MAX_COUNT:,}), got {describe(value)}")
    return int(value)
