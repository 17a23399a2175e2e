"""Private helpers of the vendor connectors that read spend: an amount taken out of a vendor record in the
unit its docs state, turned into the major unit (dollars), and spend records rolled up to one per grain."""

import math
from datetime import date, datetime
from typing import Any

from orchestration.defs.ingest.connectors._common import RecordError, describe, lookup, midnight_utc


def require_amount(record: Any, path: str, units_per_dollar: int = 1) -> float:
    """A non-negative, finite number at `path` in dollars: divided by `units_per_dollar` (100 for an amount the vendor
    gives in cents; a division, so whole cents read back as exactly the decimal amount)."""
    value = lookup(record, path)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise RecordError(f"expected {path} (a non-negative number), got {describe(value)}")
    return float(value) / units_per_dollar


def spend_record(
    *,
    identity: str,
    identity_type: str,
    tool: str,
    day: date,
    amount: float,
    currency: str,
    model: str | None,
    source_line: int,
    kind: str = "usage",
    occurred_at: datetime | None = None,
) -> dict:
    """One spend record; a vendor's daily figure is dated midnight UTC of its day."""
    return {
        "identity": identity,
        "identity_type": identity_type,
        "tool": tool,
        "spend_date": day,
        "occurred_at": occurred_at or midnight_utc(day),
        "kind": kind,
        "model": model,
        "amount": amount,
        "currency": currency.strip().upper(),
        "_source_line": source_line,
    }


def roll_up_spend(records: list[dict]) -> list[dict]:
    """Records summed per identity, tool, day, kind, model and currency: the earliest occurred_at and the first
    record's `_source_line` stay."""
    merged: dict[tuple, dict] = {}
    for record in records:
        key = tuple(record[name] for name in ("identity", "tool", "spend_date", "kind", "model", "currency"))
        if key in merged:
            merged[key]["amount"] += record["amount"]
            merged[key]["occurred_at"] = min(merged[key]["occurred_at"], record["occurred_at"])
        else:
            merged[key] = dict(record)
    return list(merged.values())
