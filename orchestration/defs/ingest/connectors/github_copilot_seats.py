"""GitHub Copilot seat assignment pages -> licence_grants.

Folder: landing/licences/github_copilot_seats/. A file is one page of
`GET /orgs/{org}/copilot/billing/seats`: a JSON object with `seats[]` (and `total_seats`, the
organisation's total over all pages, not checked). An empty file or a document without `seats[]`
cannot be read; `"seats": []` is an empty page. `_source_line` is the seat's index in `seats[]`.

Per seat:
- identity = assignee.login, identity_type "login" (a seat whose assignee has no login, e.g. a
  team or organisation assignee, is rejected)
- tool = "github_copilot"
- granted_at = created_at, converted to UTC (the API writes offsets such as -06:00, so the UTC
  date can differ from the local one)
- revoked_at = pending_cancellation_date, a DATE (YYYY-MM-DD) taken as midnight UTC; null while the
  seat is not being cancelled
- plan = plan_type ("business", "enterprise"), null when the key is absent (it is optional)
- monthly_cost_usd = null: tools.csv holds the price.
Optional or newer keys (assigning_team, last_activity_at, last_activity_editor,
last_authenticated_at, ...) are ignored.
"""

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    dump,
    is_present,
    list_in_object,
    load_json,
    lookup,
    midnight_utc,
    optional_text,
    require_date,
    require_text,
    require_timestamp,
)
from orchestration.lib.contracts.records import Parsed, Reject

EXPECTED = "a GitHub Copilot seat assignments page (a JSON object with seats[])"
TOOL = "github_copilot"


def parse(data: bytes, source_file: str) -> Parsed:
    seats = list_in_object(load_json(data, source_file, EXPECTED), "seats", source_file, EXPECTED)
    parsed = Parsed(entity="licence_grants", records_read=len(seats))
    for position, seat in enumerate(seats, start=1):
        try:
            record = grant_from_seat(seat)
        except RecordError as error:
            parsed.rejects.append(Reject(source_file, position, str(error), dump(seat)))
            continue
        parsed.records.append({**record, "_source_line": position})
    return parsed


def grant_from_seat(seat: object) -> dict:
    if not isinstance(seat, dict):
        raise RecordError("expected a seat (a JSON object)")
    cancellation = lookup(seat, "pending_cancellation_date")
    return {
        "identity": require_text(seat, "assignee.login"),
        "identity_type": "login",
        "tool": TOOL,
        "granted_at": require_timestamp(seat, "created_at"),
        "revoked_at": midnight_utc(require_date(seat, "pending_cancellation_date"))
        if is_present(cancellation)
        else None,
        "plan": optional_text(seat, "plan_type"),
        "monthly_cost_usd": None,
    }
