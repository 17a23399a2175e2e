"""Spend of the generic contract: one NDJSON file a UTC day, one amount a line.

`identity, tool, occurred_at, amount, currency, kind (seat | usage | credit), model?`: amount in the currency's
major unit (dollars, not cents), never negative; a tool outside tools.csv or a currency without a rate in
fx_rates.csv is quarantined naming what to add (a rate is never guessed)."""

import math
from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors.generic.rows import (
    one_of,
    optional_field,
    parse_lines,
    required_field,
    scalar_text,
    within_day,
)
from orchestration.lib.canonical import SPEND_KINDS
from orchestration.lib.contracts.generic import Catalogue
from orchestration.lib.contracts.records import Parsed, parse_timestamp


def spend_amount(value: object, name: str = "amount") -> float:
    """A non-negative, finite number (a JSON number, not a string or a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    amount = float(value)
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"{name}: expected a non-negative amount, got {value!r}")
    return amount


def currency_code(value: str) -> str:
    code = value.strip()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValueError(f"currency: expected an ISO 4217 code such as USD or EUR, got {value!r}")
    return code.upper()


def parse_spend(data: bytes, source_file: str, day: date, catalogue: Catalogue, now: datetime | None = None) -> Parsed:
    now = now or datetime.now(UTC)

    def to_record(value: dict) -> dict:
        row = {key: scalar_text(key, item) for key, item in value.items() if key != "amount"}
        identity, tool = required_field(row, "identity"), required_field(row, "tool")
        occurred_at = within_day(parse_timestamp(required_field(row, "occurred_at")), day, now, "occurred_at")
        record = {
            "identity": identity,
            "identity_type": "email" if "@" in identity else catalogue.tools.get(tool, "vendor_id"),
            "tool": tool,
            "spend_date": occurred_at.date(),
            "occurred_at": occurred_at,
            "kind": one_of(required_field(row, "kind"), SPEND_KINDS, "kind", "contract"),
            "model": optional_field(row, "model"),
            "amount": spend_amount(value.get("amount")),
            "currency": currency_code(required_field(row, "currency")),
        }
        reason = catalogue.unpriced(record)
        if reason:
            raise ValueError(reason)
        return record

    return parse_lines("spend", data, source_file, to_record)
