"""Reference data: the seeds the project ships, or the organisation's override in landing/reference/.

A list (tools, activity types, environments, ...) is replaced whole by its override: an organisation that
lists its own tools means exactly those. metric_vars is different: an organisation writes only the
thresholds it changes, so its override merges per name over the seed, and a name the seed does not know
or a value that is not a number fails at once, naming the file and the line.
"""

import csv
import math
from pathlib import Path

from orchestration.lib.canonical import REPORTING_CURRENCY
from orchestration.lib.contracts.generic import Catalogue
from orchestration.lib.workspace import SEEDS_DIR

REFERENCE_TABLES = (
    "tools",
    "activity_types",
    "environments",
    "velocity_programme",
    "metric_vars",
    "guard_acknowledgements",
    "lifecycle_stages",
    "ai_attribution_rules",
    "fx_rates",
)

# What an attribution rule may be (ai_attribution_rules.csv): the SQL of int_pull_request_rules_matched knows
# these kinds and strengths only, so an override naming another would silently match nothing.
ATTRIBUTION_RULE_KINDS = ("trailer", "author", "label", "branch_prefix", "usage_window")
ATTRIBUTION_RULE_STRENGTHS = ("strong", "weak")


# Columns an override may leave out (they came after organisations wrote their overrides); a row without a
# value takes the seed's value for the same key, or none.
OPTIONAL_COLUMNS = {"activity_types": ("max_per_day",)}


class ReferenceError(ValueError):
    """An override that cannot be used: the message names the file, the line and what to do."""


def seed_header(name: str) -> list[str]:
    with (SEEDS_DIR / f"{name}.csv").open(newline="") as seed:
        return next(csv.reader(seed))


def override_path(landing: Path, name: str) -> Path:
    return landing / "reference" / f"{name}.csv"


def effective_path(landing: Path, name: str) -> Path:
    override = override_path(landing, name)
    return override if override.exists() else SEEDS_DIR / f"{name}.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as source:
        return list(csv.DictReader(source))


def read_rows(landing: Path, name: str) -> list[dict[str, str]]:
    return _rows(effective_path(landing, name))


def required_header(name: str) -> list[str]:
    return [column for column in seed_header(name) if column not in OPTIONAL_COLUMNS.get(name, ())]


def activity_ceilings(landing: Path) -> dict[str, int]:
    """The most of each activity type one identity is taken to record in a UTC day (activity_types.csv
    max_per_day): a larger count is corrupt or gamed, and is quarantined at ingest. An override row without a
    value keeps the seed's ceiling for its type; a value that is not a positive integer fails naming the line."""
    seeded = {row["activity_type"].strip(): int(row["max_per_day"]) for row in _rows(SEEDS_DIR / "activity_types.csv")}
    path = effective_path(landing, "activity_types")
    if path.parent == SEEDS_DIR:
        return seeded
    try:
        rows = _rows(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceError(
            f"landing/reference/{path.name}: cannot be read as UTF-8 CSV ({error}); rewrite it with the header of "
            "seeds/activity_types.csv"
        ) from None
    ceilings = {}
    for line, row in enumerate(rows, start=2):
        kind, value = (row.get("activity_type") or "").strip(), (row.get("max_per_day") or "").strip()
        if not value:
            if kind in seeded:
                ceilings[kind] = seeded[kind]
            continue
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ReferenceError(
                f"landing/reference/{path.name} line {line}: max_per_day of {kind} = {value!r}; write a positive "
                "whole number (the most one person records in a day), or leave it empty for the shipped ceiling"
            )
        ceilings[kind] = int(value)
    return ceilings


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
    return Catalogue(
        tools=tools,
        activity_types=activity_types,
        value_deriving=value_deriving,
        ceilings=activity_ceilings(landing),
        fx_rates=fx_rates(landing),
    )


def metric_var_overrides(landing: Path) -> dict[str, float]:
    """The thresholds landing/reference/metric_vars.csv changes (none without the file), each checked."""
    path = override_path(landing, "metric_vars")
    if not path.exists():
        return {}
    known = {row["name"].strip() for row in _rows(SEEDS_DIR / "metric_vars.csv")}
    shown = f"landing/reference/{path.name}"
    try:
        rows = _rows(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceError(
            f"{shown}: cannot be read as UTF-8 CSV ({error}); rewrite it as name,value,meaning"
        ) from None
    if rows and not {"name", "value"} <= set(rows[0]):
        raise ReferenceError(f"{shown}: expected a header name,value[,meaning]; found {','.join(rows[0])}")
    overrides: dict[str, float] = {}
    for line, row in enumerate(rows, start=2):
        name, value = (row.get("name") or "").strip(), (row.get("value") or "").strip()
        if name not in known:
            raise ReferenceError(
                f"{shown} line {line}: unknown threshold {name!r}; known: {', '.join(sorted(known))}. "
                "Fix the name or remove the row (unlisted thresholds keep the shipped default)."
            )
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ReferenceError(f"{shown} line {line}: {name} = {value!r} is not a number; write a plain number")
        if name in overrides:
            raise ReferenceError(f"{shown} line {line}: {name} is set twice; keep one row")
        overrides[name] = number
    return overrides


def metric_vars(landing: Path) -> dict[str, float]:
    """Every threshold: the shipped defaults with the organisation's overrides merged over them by name."""
    defaults = {row["name"].strip(): float(row["value"]) for row in _rows(SEEDS_DIR / "metric_vars.csv")}
    return defaults | metric_var_overrides(landing)


def attribution_rules(landing: Path) -> list[dict[str, str]]:
    """The AI attribution rules in force (ai_attribution_rules.csv), each checked: a kind or strength the
    models do not know, a usage_window whose pattern is not a positive number of hours, an empty pattern or a
    rule_id set twice fails naming the file and the line."""
    path = effective_path(landing, "ai_attribution_rules")
    shown = f"landing/reference/{path.name}" if path.parent != SEEDS_DIR else f"seeds/{path.name}"
    try:
        rows = _rows(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceError(
            f"{shown}: cannot be read as UTF-8 CSV ({error}); rewrite it with the header of "
            "seeds/ai_attribution_rules.csv"
        ) from None
    if rows and not set(seed_header("ai_attribution_rules")) <= set(rows[0]):
        raise ReferenceError(f"{shown}: expected the header {','.join(seed_header('ai_attribution_rules'))}")
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        rule_id, kind = (row.get("rule_id") or "").strip(), (row.get("kind") or "").strip()
        pattern, strength = (row.get("pattern") or "").strip(), (row.get("strength") or "").strip()
        where = f"{shown} line {line}"
        if kind not in ATTRIBUTION_RULE_KINDS:
            kinds = ", ".join(ATTRIBUTION_RULE_KINDS)
            raise ReferenceError(f"{where}: kind of {rule_id!r} = {kind!r}; write one of {kinds}")
        if strength not in ATTRIBUTION_RULE_STRENGTHS:
            raise ReferenceError(
                f"{where}: strength of {rule_id!r} = {strength!r}; write one of {', '.join(ATTRIBUTION_RULE_STRENGTHS)}"
            )
        if not rule_id or not pattern:
            raise ReferenceError(f"{where}: rule_id and pattern must not be empty")
        if kind == "usage_window" and not (pattern.isascii() and pattern.isdigit() and int(pattern) > 0):
            raise ReferenceError(
                f"{where}: pattern of usage_window rule {rule_id!r} = {pattern!r}; "
                "write the window in whole hours (e.g. 24)"
            )
        if rule_id in seen:
            raise ReferenceError(f"{where}: rule_id {rule_id!r} is set twice; keep one row")
        seen.add(rule_id)
    return rows


def fx_rates(landing: Path) -> dict[str, float]:
    """US dollars per unit of each currency (fx_rates.csv), each checked: a currency that is not three capital
    letters, a rate that is not a positive number, a currency listed twice, or a USD rate other than 1 fails naming
    the file and the line. USD is always 1: every cost is reported in it."""
    path = effective_path(landing, "fx_rates")
    shown = f"landing/reference/{path.name}" if path.parent != SEEDS_DIR else f"seeds/{path.name}"
    try:
        rows = _rows(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceError(
            f"{shown}: cannot be read as UTF-8 CSV ({error}); rewrite it as currency,usd_per_unit,description"
        ) from None
    rates = {REPORTING_CURRENCY: 1.0}
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        currency, value = (row.get("currency") or "").strip(), (row.get("usd_per_unit") or "").strip()
        where = f"{shown} line {line}"
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
            raise ReferenceError(f"{where}: currency {currency!r}; write its ISO 4217 code, e.g. EUR")
        try:
            rate = float(value)
        except ValueError:
            rate = math.nan
        if not math.isfinite(rate) or rate <= 0:
            raise ReferenceError(f"{where}: usd_per_unit of {currency} = {value!r}; write a positive number")
        if currency == REPORTING_CURRENCY and rate != 1:
            raise ReferenceError(f"{where}: {currency} is the reporting currency, its usd_per_unit is 1")
        if currency in seen:
            raise ReferenceError(f"{where}: {currency} is listed twice; keep one rate")
        seen.add(currency)
        rates[currency] = rate
    return rates
