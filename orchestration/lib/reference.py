"""Reference data: the seeds the project ships, or the organisation's override in landing/reference/."""

import csv
from pathlib import Path

from orchestration.defs.ingest.connectors.generic import Catalogue
from orchestration.lib.workspace import SEEDS_DIR

REFERENCE_TABLES = (
    "tools",
    "activity_types",
    "environments",
    "velocity_programme",
    "metric_vars",
    "guard_acknowledgements",
)


def seed_header(name: str) -> list[str]:
    with (SEEDS_DIR / f"{name}.csv").open(newline="") as seed:
        return next(csv.reader(seed))


def effective_path(landing: Path, name: str) -> Path:
    override = landing / "reference" / f"{name}.csv"
    return override if override.exists() else SEEDS_DIR / f"{name}.csv"


def read_rows(landing: Path, name: str) -> list[dict[str, str]]:
    with effective_path(landing, name).open(newline="", encoding="utf-8-sig") as source:
        return list(csv.DictReader(source))


def load_catalogue(landing: Path) -> Catalogue:
    tools = {row["tool"].strip(): row["identity_type"].strip() for row in read_rows(landing, "tools")}
    activity_types = {
        row["activity_type"].strip(): frozenset(tool.strip() for tool in row["tools"].split("|") if tool.strip())
        for row in read_rows(landing, "activity_types")
    }
    value_deriving = frozenset(
        row["activity_type"].strip()
        for row in read_rows(landing, "activity_types")
        if row["is_value_deriving"].strip().lower() == "true"
    )
    return Catalogue(tools=tools, activity_types=activity_types, value_deriving=value_deriving)


def metric_vars(landing: Path) -> dict[str, float]:
    return {row["name"].strip(): float(row["value"]) for row in read_rows(landing, "metric_vars")}
