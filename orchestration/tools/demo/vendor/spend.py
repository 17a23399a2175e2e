"""Spend moved into the vendors' exports where they can carry it exactly; the rest stays in generic spend files.

- claude_code spend in USD of an identity whose day is in a Claude Code analytics page -> that record's
  `model_breakdown[]` (estimated_cost.amount in cents, one entry per model); an API key's spend -> an api_actor
  record of its own on the day's last page (no sessions: spend only);
- cursor spend in USD -> spend/cursor_usage_events/ (one "Usage-based" event per record, tokenUsage.totalCents in
  cents), beside one "Included in Business" event for every other active Cursor user of the day (excluded by
  definition: paid by the seat);
- what stays generic: spend in another currency (the vendors bill in US dollars), other tools' spend, and claude_code
  spend of a user whose day stayed in generic usage.
Amounts are whole cents, so cents / 100 reads back the generic amount exactly."""

import json
from collections import defaultdict
from datetime import UTC, datetime

from orchestration.tools.demo.vendor.common import Landing, _drop_lines, files_by_day, write_json

INPUT_SHARE, OUTPUT_SHARE = 0.7, 0.3


def convert_spend(landing: Landing) -> None:
    root = landing.root
    for day, paths in files_by_day(root / "spend").items():
        pages = sorted((root / "usage" / "claude_code_analytics").glob(f"claude_code_{day.isoformat()}_page_*.json"))
        documents = {path: json.loads(path.read_text(encoding="utf-8")) for path in pages}
        claude_rows = {
            row["actor"]["email_address"].lower(): row for document in documents.values() for row in document["data"]
        }
        events, billed_cursor = [], set()
        keys: dict[str, list[dict]] = defaultdict(list)
        for path in paths:
            data = path.read_bytes()
            drop = set()
            for number, line in enumerate(data.split(b"\n"), start=1):
                if not line.strip():
                    continue
                record = json.loads(line)
                identity = record["identity"].lower()
                if record["currency"] != "USD":
                    continue
                if record["tool"] == "claude_code" and identity in claude_rows:
                    claude_rows[identity]["model_breakdown"].append(_model_cost(record))
                elif record["tool"] == "claude_code" and "@" not in identity and pages:
                    keys[record["identity"]].append(_model_cost(record))
                elif record["tool"] == "cursor" and "@" in identity:
                    events.append(_usage_based(record))
                    billed_cursor.add(identity)
                else:
                    continue
                drop.add(number)
            path.write_bytes(_drop_lines(data, drop))
        if pages:
            last = documents[pages[-1]]["data"]
            for name, breakdown in sorted(keys.items()):
                last.append(_api_key_record(day.isoformat(), name, breakdown))
            for path, document in documents.items():
                write_json(path, document)
        included = [email for email in _active_cursor_users(root, day) if email.lower() not in billed_cursor]
        events += [_included(day, email) for email in included]
        if events:
            write_json(
                root / "spend" / "cursor_usage_events" / f"cursor_usage_events_{day.isoformat()}.json",
                {"totalUsageEventsCount": len(events), "usageEvents": events},
            )


def _cents(amount: float) -> int:
    return round(amount * 100)


def _model_cost(record: dict) -> dict:
    tokens = _cents(record["amount"]) * 1000
    return {
        "model": record["model"],
        "tokens": {"input": round(tokens * INPUT_SHARE), "output": round(tokens * OUTPUT_SHARE)},
        "estimated_cost": {"currency": "USD", "amount": _cents(record["amount"])},
    }


def _api_key_record(day: str, name: str, breakdown: list[dict]) -> dict:
    return {
        "date": f"{day}T00:00:00Z",
        "actor": {"type": "api_actor", "api_key_name": name},
        "core_metrics": {
            "num_sessions": 0,
            "lines_of_code": {"added": 0, "removed": 0},
            "commits_by_claude_code": 0,
            "pull_requests_by_claude_code": 0,
        },
        "tool_actions": {},
        "model_breakdown": breakdown,
    }


def _millis(moment: str) -> str:
    return str(int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp() * 1000))


def _usage_based(record: dict) -> dict:
    cents = _cents(record["amount"])
    return {
        "timestamp": _millis(record["occurred_at"]),
        "model": record["model"],
        "kind": "Usage-based",
        "maxMode": False,
        "requestsCosts": 1,
        "isTokenBasedCall": True,
        "tokenUsage": {
            "inputTokens": cents * 700,
            "outputTokens": cents * 300,
            "cacheWriteTokens": 0,
            "cacheReadTokens": 0,
            "totalCents": float(cents),
        },
        "isFreeBugbot": False,
        "userEmail": record["identity"],
    }


def _included(day, email: str) -> dict:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return {
        "timestamp": str(int(noon.timestamp() * 1000)),
        "model": "auto",
        "kind": "Included in Business",
        "maxMode": False,
        "requestsCosts": 1,
        "isTokenBasedCall": False,
        "isFreeBugbot": False,
        "userEmail": email,
    }


def _active_cursor_users(root, day) -> list[str]:
    path = root / "usage" / "cursor_daily_usage" / f"cursor_daily_usage_{day.isoformat()}.json"
    if not path.exists():
        return []
    return [row["email"] for row in json.loads(path.read_text(encoding="utf-8"))["data"] if row["isActive"]]
