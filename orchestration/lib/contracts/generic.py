"""Generic contract v1: the CSV headers of its snapshot files, and the reference catalogue records are checked
against. The parsers (ingest) and the demo generator (a tool) both read these, so they live below both."""

from collections.abc import Mapping
from dataclasses import dataclass, field

CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "roster": (
        "engineer_id",
        "email",
        "github_login",
        "full_name",
        "team_id",
        "manager_email",
        "role",
        "is_engineer",
    ),
    "teams": ("team_id", "team_name", "org", "parent_org", "velocity_target"),
    "services": ("service", "team_id", "valid_from", "valid_to"),
    "identities": ("identity", "identity_type", "engineer_id"),
    "licence_grants": ("identity", "tool", "granted_at", "revoked_at", "plan", "monthly_cost_usd"),
    "survey_responses": ("response_id", "survey_id", "respondent", "tool", "score", "submitted_at"),
}


@dataclass(frozen=True)
class Catalogue:
    """The reference data ingest validates against (seeds, or the organisation's overrides)."""

    tools: dict[str, str]  # tool -> identity_type of its exports
    activity_types: dict[str, frozenset[str]]  # activity_type -> tools allowed to emit it
    value_deriving: frozenset[str] = frozenset()  # activity types that count as value-deriving events
    ceilings: Mapping[str, int] = field(default_factory=dict)  # activity_type -> the most one identity does a day
    fx_rates: Mapping[str, float] = field(default_factory=dict)  # currency -> USD per unit (fx_rates.csv)

    def above_ceiling(self, activity_type: str, count: int) -> str | None:
        """Why a count of one record (an event's quantity, a vendor's daily count) is implausible, or None."""
        ceiling = self.ceilings.get(activity_type)
        if ceiling is None or count <= ceiling:
            return None
        return (
            f"{activity_type} count {count:,} is above its ceiling of {ceiling:,} a day for one identity "
            "(activity_types.csv max_per_day): corrupt or gamed; raise the ceiling in "
            "landing/reference/activity_types.csv if it is real"
        )

    def unpriced(self, record: Mapping) -> str | None:
        """Why a spend record cannot be costed (a tool outside tools.csv, a currency without a rate), or None.
        A missing rate is never guessed: the record is quarantined until the organisation adds one."""
        if record["tool"] not in self.tools:
            return f"unknown tool {record['tool']!r}: expected one of {', '.join(sorted(self.tools))} (tools.csv)"
        currency = record["currency"]
        if currency not in self.fx_rates:
            return (
                f"no exchange rate for currency {currency!r}: add a row {currency},<USD per {currency}> to "
                "landing/reference/fx_rates.csv (header currency,usd_per_unit,description) and rerun the days"
            )
        return None
