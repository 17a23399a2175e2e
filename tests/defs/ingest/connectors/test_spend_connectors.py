"""Spend out of the vendors' exports and the generic contract: amounts in dollars whatever unit the vendor gives
(Claude Code and Cursor give cents), what is paid by the seat excluded with its reason, and every record that
cannot be costed rejected naming its line and what to do."""

import json
from datetime import UTC, date, datetime

import pytest

from orchestration.defs.ingest.connectors import claude_code_analytics, cursor_usage_events, generic
from orchestration.defs.ingest.connectors import github_copilot_users_1_day as copilot
from orchestration.lib.contracts.generic import Catalogue

CATALOGUE = Catalogue(
    tools={"claude_code": "email", "cursor": "email"}, activity_types={}, fx_rates={"USD": 1.0, "EUR": 1.08}
)
DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 10, tzinfo=UTC)


def test_claude_code_estimated_cost_is_read_in_cents(sample, check_canonical):
    parsed = claude_code_analytics.parse_spend(
        sample("claude_code_analytics.json"), "usage/claude_code_analytics/p.json"
    )
    check_canonical(parsed)
    [record] = parsed.records
    assert (record["identity"], record["tool"], record["spend_date"], record["kind"]) == (
        "lee.chen@example.org",
        "claude_code",
        date(2025, 10, 14),
        "usage",
    )
    assert (record["model"], record["amount"], record["currency"]) == ("claude-sonnet-4-5-20250929", 7.0, "USD")


def test_claude_code_api_key_spend_and_models_of_a_day(sample):
    row = json.loads(sample("claude_code_analytics.json"))["data"][0]
    key = {**row, "actor": {"type": "api_actor", "api_key_name": "ci-key"}}
    second = {**row["model_breakdown"][0], "model": "claude-opus", "estimated_cost": {"currency": "USD", "amount": 5}}
    key["model_breakdown"] = [row["model_breakdown"][0], second]
    without_cost = {key: value for key, value in row.items() if key != "model_breakdown"}
    page = json.dumps({"data": [key, without_cost]}).encode()
    parsed = claude_code_analytics.parse_spend(page, "p.json")
    assert sorted((r["identity_type"], r["model"], r["amount"]) for r in parsed.records) == [
        ("api_key", "claude-opus", 0.05),
        ("api_key", "claude-sonnet-4-5-20250929", 7.0),
    ]
    assert parsed.records_read == 2 and not parsed.rejects


def test_claude_code_cost_that_is_no_amount_is_rejected_naming_the_field(sample):
    row = json.loads(sample("claude_code_analytics.json"))["data"][0]
    row["model_breakdown"][0]["estimated_cost"]["amount"] = "700"
    parsed = claude_code_analytics.parse_spend(json.dumps({"data": [row]}).encode(), "p.json")
    [reject] = parsed.rejects
    assert reject.source_line == 1 and "model_breakdown[0]: expected estimated_cost.amount" in reject.reason


def test_cursor_usage_based_events_in_cents_and_included_ones_excluded(sample, check_canonical):
    parsed = cursor_usage_events.parse(sample("cursor_filtered_usage_events.json"), "spend/cursor_usage_events/p.json")
    check_canonical(parsed)
    assert [(r["identity"], r["spend_date"], r["amount"]) for r in parsed.records] == [
        ("lee.chen@example.org", date(2025, 7, 4), 21.95534 / 100),
        ("lee.chen@example.org", date(2025, 7, 7), 26.10045 / 100),
    ]
    assert [(e.source_line, e.reason) for e in parsed.excluded] == [(3, "included in the seat")]
    assert parsed.records_read == 3 and not parsed.rejects


def test_cursor_events_are_a_record_each_so_a_page_downloaded_again_repeats_its_records(sample):
    event = json.loads(sample("cursor_filtered_usage_events.json"))["usageEvents"][0]
    later = {**event, "timestamp": str(int(event["timestamp"]) + 1)}
    page = cursor_usage_events.parse(json.dumps({"usageEvents": [event, event, later]}).encode(), "p1.json")
    assert [(r["amount"], r["_source_line"]) for r in page.records] == [(21.95534 / 100, line) for line in (1, 2, 3)]
    # the next page starts where the first ended, but overlaps it by one event: the warehouse sees the same record
    overlapping = cursor_usage_events.parse(json.dumps({"usageEvents": [later]}).encode(), "p2.json")
    [again] = overlapping.records
    assert {**page.records[2], "_source_line": 0} == {**again, "_source_line": 0}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "Usage-based", "isTokenBasedCall": False}, "without tokenUsage"),
        ({"kind": "Free trial"}, "expected kind 'Usage-based' or 'Included in <plan>'"),
        ({"timestamp": "1751670425"}, "wrong unit?"),
        ({"userEmail": None}, "expected userEmail"),
    ],
)
def test_cursor_events_that_cannot_be_costed_are_rejected(sample, change, reason):
    event = {**json.loads(sample("cursor_filtered_usage_events.json"))["usageEvents"][0], **change}
    parsed = cursor_usage_events.parse(json.dumps({"usageEvents": [event]}).encode(), "p.json")
    [reject] = parsed.rejects
    assert reject.source_file == "p.json" and reject.source_line == 1 and reason in reject.reason


def test_copilot_ai_credits_are_a_cent_each_and_absent_credits_no_spend(sample, check_canonical):
    with_credits = sample("github_copilot_usage_metrics_users_1_day_ai_credits.ndjson")
    parsed = copilot.parse_spend(with_credits, "usage/github_copilot_users_1_day/u.ndjson")
    check_canonical(parsed)
    [record] = parsed.records
    assert (record["identity"], record["kind"], record["amount"], record["currency"]) == (
        "login1",
        "credit",
        0.125,
        "USD",
    )
    without = copilot.parse_spend(sample("github_copilot_usage_metrics_users_1_day.ndjson"), "u.ndjson")
    assert without.records == [] and without.records_read == 1 and not without.rejects


def spend_line(**fields) -> bytes:
    record = {
        "identity": "ana@example.com",
        "tool": "cursor",
        "occurred_at": "2026-03-02T10:00:00Z",
        "amount": 10.0,
        "currency": "EUR",
        "kind": "usage",
        **fields,
    }
    return (json.dumps(record) + "\n").encode()


def test_generic_spend_keeps_its_currency_for_conversion(check_canonical):
    parsed = generic.parse_spend(
        spend_line() + spend_line(identity="ci-key", currency="usd"), "spend/x", DAY, CATALOGUE, NOW
    )
    check_canonical(parsed)
    assert [(r["identity_type"], r["amount"], r["currency"], r["model"]) for r in parsed.records] == [
        ("email", 10.0, "EUR", None),
        ("email", 10.0, "USD", None),
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"currency": "GBP"},
            "no exchange rate for currency 'GBP': add a row GBP,<USD per GBP> to landing/reference/fx_rates.csv",
        ),
        ({"currency": "pounds"}, "expected an ISO 4217 code"),
        ({"tool": "copilot"}, "unknown tool 'copilot'"),
        ({"amount": -3}, "expected a non-negative amount"),
        ({"amount": "12.50"}, "amount: expected a number"),
        ({"kind": "refund"}, "unknown kind 'refund'"),
        ({"occurred_at": "2026-03-03T00:00:00Z"}, "outside the file's day 2026-03-02"),
    ],
)
def test_generic_spend_that_cannot_be_costed_is_rejected_naming_file_line_and_fix(fields, reason):
    parsed = generic.parse_spend(
        spend_line(currency="USD") + spend_line(**fields), "spend/2026-03-02.ndjson", DAY, CATALOGUE, NOW
    )
    assert len(parsed.records) == 1 and parsed.records_read == 2
    [reject] = parsed.rejects
    assert reject.message().startswith("spend/2026-03-02.ndjson:2: ") and reason in reject.reason
