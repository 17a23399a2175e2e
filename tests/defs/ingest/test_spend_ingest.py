"""Spend through the real ingest assets: generic files, Cursor usage events and the cost in Claude Code usage pages
land in the partition of their own day; an amount that cannot be costed is quarantined naming the file, the line and
what to add; a day included in the seat is excluded by reason; a re-downloaded usage page counts once."""

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.defs.ingest.test_pull_request_ingest import land
from tests.defs.ingest.test_vendor_ingest import materialize_days, rows, stats

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor_formats"
GENERIC = (
    '{"identity":"ana@example.com","tool":"claude_code","occurred_at":"2026-03-02T09:00:00Z","amount":12.5,'
    '"currency":"USD","kind":"usage","model":"claude-sonnet-4-5"}\n'
    '{"identity":"ana@example.com","tool":"cursor","occurred_at":"2026-03-02T10:00:00Z","amount":20,'
    '"currency":"EUR","kind":"usage"}\n'
)


def millis(moment: str) -> str:
    return str(int(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() * 1000))


def cursor_page() -> str:
    usage_based, _, included = json.loads((FORMATS / "cursor_filtered_usage_events.json").read_text())["usageEvents"]
    events = [
        {**usage_based, "timestamp": millis("2026-03-02T11:00:00"), "userEmail": "bo@example.com"},
        {**usage_based, "timestamp": millis("2026-03-03T11:00:00"), "userEmail": "bo@example.com"},
        {**included, "timestamp": millis("2026-03-03T12:00:00"), "userEmail": "ana@example.com"},
    ]
    return json.dumps({"usageEvents": events})


def claude_page(cents: int) -> str:
    page = json.loads((FORMATS / "claude_code_analytics.json").read_text())
    [row] = page["data"]
    row["date"] = "2026-03-03T00:00:00Z"
    row["model_breakdown"][0]["estimated_cost"]["amount"] = cents
    return json.dumps(page)


def test_spend_lands_by_day_with_rejects_exclusions_and_resends(tiny_workspace):
    land(tiny_workspace, "spend/2026-03-02.ndjson", GENERIC)
    land(tiny_workspace, "spend/cursor_usage_events/events_page_1.json", cursor_page())
    land(tiny_workspace, "usage/claude_code_analytics/claude_code_2026-03-03.json", claude_page(700))
    land(tiny_workspace, "usage/claude_code_analytics/claude_code_2026-03-03_again.json", claude_page(900))
    assert materialize_days(tiny_workspace, "2026-03-02", "2026-03-03").success

    day_2 = sorted(
        (row["tool"], row["identity"], row["amount"]) for row in rows(tiny_workspace, "spend", "day=2026-03-02")
    )
    assert day_2 == [("claude_code", "ana@example.com", 12.5), ("cursor", "bo@example.com", 0.2195534)]
    [quarantined] = rows(tiny_workspace, "spend", "day=2026-03-02", root="quarantine")
    assert (quarantined["source_file"], quarantined["source_line"]) == ("spend/2026-03-02.ndjson", 2)
    assert (
        "no exchange rate for currency 'EUR': add a row EUR,<USD per EUR> to landing/reference/fx_rates.csv"
        in (quarantined["reason"])
    )
    # the later download of the day's Claude Code page counts; the Cursor day included in the seat is excluded
    day_3 = sorted(
        (row["tool"], row["amount"], row["_source_file"]) for row in rows(tiny_workspace, "spend", "day=2026-03-03")
    )
    assert day_3 == [
        ("claude_code", 9.0, "usage/claude_code_analytics/claude_code_2026-03-03_again.json"),
        ("cursor", 0.2195534, "spend/cursor_usage_events/events_page_1.json"),
    ]
    for day in ("day=2026-03-02", "day=2026-03-03"):
        counted = stats(tiny_workspace, "spend", day)
        assert counted["records_read"] == counted["accepted"] + counted["quarantined"] + counted["excluded"]
    assert stats(tiny_workspace, "spend", "day=2026-03-03")["duplicates"] == 1
    assert (
        sum(
            stats(tiny_workspace, "spend", day)["excluded_by_reason"].get("included in the seat", 0)
            for day in ("day=2026-03-02", "day=2026-03-03")
        )
        == 1
    )


def test_a_rate_in_the_override_converts_what_was_quarantined(tiny_workspace):
    land(tiny_workspace, "spend/2026-03-02.ndjson", GENERIC)
    land(tiny_workspace, "reference/fx_rates.csv", "currency,usd_per_unit,description\nEUR,1.08,finance's March rate\n")
    assert materialize_days(tiny_workspace, "2026-03-02", "2026-03-02").success
    assert sorted(row["currency"] for row in rows(tiny_workspace, "spend", "day=2026-03-02")) == ["EUR", "USD"]
    assert not rows(tiny_workspace, "spend", "day=2026-03-02", root="quarantine")


def test_a_landing_without_spend_ingests_none(tiny_workspace):
    assert materialize_days(tiny_workspace, "2026-03-02", "2026-03-02").success
    assert rows(tiny_workspace, "spend", "day=2026-03-02") == []
