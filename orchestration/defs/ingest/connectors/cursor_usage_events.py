"""Cursor filtered usage events (Admin API `POST /teams/filtered-usage-events`) -> spend.

Folder: landing/spend/cursor_usage_events/. A file is one page: a JSON object with `usageEvents[]` (and
`pagination`, `period`, not checked; each page its own file). An empty file or a document without
`usageEvents[]` cannot be read. `_source_line` is the event's index in `usageEvents[]`.

Per event: identity = userEmail (identity_type "email"); occurred_at = `timestamp`, epoch MILLISECONDS as a
string or an int (a value that is no day between 2000 and 2100 as milliseconds, e.g. seconds, is rejected).
`kind` says who pays:
- "Usage-based": billed beyond the plan. Its cost is `tokenUsage.totalCents`, in US cents (Cursor's unit, so
  the connector divides by 100 for dollars); `tokenUsage` is present only when `isTokenBasedCall` is true, and a
  usage-based event without it carries no dollar amount (`requestsCosts` counts requests, not money): rejected.
- "Included in <plan>" (e.g. "Included in Business"): paid by the seat, whose cost comes from the grants; the
  event is excluded by definition (counted by reason), never added to usage cost a second time.
- `isFreeBugbot` true: a free Bugbot run, excluded by definition.
Any other kind is rejected naming the kinds read. Each usage-based event is its own record, not summed per user
and day: events carry no id, so an event in two overlapping pages can only be recognised by its fields (user,
millisecond, model, cents) being equal, and the warehouse counts a charge delivered twice once.
"""

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    lookup,
    optional_text,
    parse_pages,
    require_bool,
    require_text,
)
from orchestration.defs.ingest.connectors._spend import require_amount, spend_record
from orchestration.defs.ingest.connectors.cursor_daily_usage import epoch_moment
from orchestration.lib.contracts.records import ExcludedRecord, Parsed

EXPECTED = "a Cursor filtered usage events page (a JSON object with usageEvents[])"
TOOL = "cursor"
USAGE_BASED = "Usage-based"
INCLUDED = "Included in "


def parse(data: bytes, source_file: str) -> Parsed:
    return parse_pages(data, source_file, EXPECTED, spend_from_event, key="usageEvents", entity="spend", combine=list)


def spend_from_event(event: object, source_line: int) -> list[dict]:
    if not isinstance(event, dict):
        raise RecordError("expected a usage event (a JSON object)")
    identity = require_text(event, "userEmail")
    moment = epoch_moment(event, "timestamp")
    kind = require_text(event, "kind")
    if lookup(event, "isFreeBugbot") is True:
        raise ExcludedRecord("free Bugbot run")
    if kind.startswith(INCLUDED):
        raise ExcludedRecord("included in the seat")
    if kind != USAGE_BASED:
        raise RecordError(f"expected kind {USAGE_BASED!r} or 'Included in <plan>', got {kind!r}")
    if not require_bool(event, "isTokenBasedCall"):
        raise RecordError("a usage-based event without tokenUsage (isTokenBasedCall false): no cost in dollars")
    return [
        spend_record(
            identity=identity,
            identity_type="email",
            tool=TOOL,
            day=moment.date(),
            amount=require_amount(event, "tokenUsage.totalCents", units_per_dollar=100),  # cents -> dollars
            currency="USD",
            model=optional_text(event, "model"),
            source_line=source_line,
            occurred_at=moment,
        )
    ]
