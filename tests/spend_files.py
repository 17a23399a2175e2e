"""What a landing's files say was spent, in USD, read straight from the files (not through the connectors): the
generic spend files converted with the landing's fx_rates.csv, Claude Code's estimated costs and Cursor's
usage-based events, both in cents."""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path


@dataclass(frozen=True)
class Spent:
    tool: str
    day: date
    identity: str
    usd: float


def fx_rates(landing: Path) -> dict[str, float]:
    path = landing / "reference" / "fx_rates.csv"
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    return {"USD": 1.0} | {row["currency"]: float(row["usd_per_unit"]) for row in rows}


def spent_in_files(landing: Path) -> Iterator[Spent]:
    """Every amount the landing's files hold."""
    rates = fx_rates(landing)
    for path in sorted((landing / "spend").glob("*.ndjson")):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                day = date.fromisoformat(record["occurred_at"][:10])
                yield Spent(record["tool"], day, record["identity"], record["amount"] * rates[record["currency"]])
    for path in sorted((landing / "usage" / "claude_code_analytics").glob("*.json")):
        for row in json.loads(path.read_text())["data"]:
            identity = row["actor"].get("email_address") or row["actor"]["api_key_name"]
            for model in row.get("model_breakdown", []):
                usd = model["estimated_cost"]["amount"] / 100
                yield Spent("claude_code", date.fromisoformat(row["date"][:10]), identity, usd)
    for path in sorted((landing / "spend" / "cursor_usage_events").glob("*.json")):
        for event in json.loads(path.read_text())["usageEvents"]:
            if event["kind"] == "Usage-based":
                day = datetime.fromtimestamp(int(event["timestamp"]) / 1000, tz=UTC).date()
                yield Spent("cursor", day, event["userEmail"], event["tokenUsage"]["totalCents"] / 100)


def spend_in_files(landing: Path) -> dict[str, float]:
    """USD per tool over every amount the landing's files hold."""
    total: dict[str, float] = {}
    for spent in spent_in_files(landing):
        total[spent.tool] = total.get(spent.tool, 0.0) + spent.usd
    return total
