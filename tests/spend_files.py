"""What a landing's files say was spent, in USD, read straight from the files (not through the connectors): the
generic spend files converted with the landing's fx_rates.csv, Claude Code's estimated costs and Cursor's
usage-based events, both in cents."""

import csv
import json
from pathlib import Path


def fx_rates(landing: Path) -> dict[str, float]:
    path = landing / "reference" / "fx_rates.csv"
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    return {"USD": 1.0} | {row["currency"]: float(row["usd_per_unit"]) for row in rows}


def spend_in_files(landing: Path) -> dict[str, float]:
    """USD per tool over every spend the landing's files hold."""
    rates, total = fx_rates(landing), {}

    def add(tool: str, usd: float) -> None:
        total[tool] = total.get(tool, 0.0) + usd

    for path in sorted((landing / "spend").glob("*.ndjson")):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                add(record["tool"], record["amount"] * rates[record["currency"]])
    for path in sorted((landing / "usage" / "claude_code_analytics").glob("*.json")):
        for row in json.loads(path.read_text())["data"]:
            for model in row.get("model_breakdown", []):
                add("claude_code", model["estimated_cost"]["amount"] / 100)
    for path in sorted((landing / "spend" / "cursor_usage_events").glob("*.json")):
        for event in json.loads(path.read_text())["usageEvents"]:
            if event["kind"] == "Usage-based":
                add("cursor", event["tokenUsage"]["totalCents"] / 100)
    return total
