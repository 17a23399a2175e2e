"""Publication contracts: what a metric mart must satisfy before BI may read it."""

import great_expectations as gx
import great_expectations.expectations as gxe

from data_quality.landing import unique

EMAIL_LIKE = r"[^@\s]+@[^@\s]+\.[^@\s]+"

KEYS: dict[str, tuple[str, ...]] = {
    "mart_team_weekly": ("team_id", "week_start"),
    "mart_org_weekly": ("org", "week_start"),
    "mart_company_weekly": ("week_start",),
    "mart_tool_monthly": ("tool", "month_start"),
    "mart_tool_daily": ("tool", "activity_date"),
    "mart_engineer_weekly": ("engineer_key", "team_id", "week_start"),
    "mart_guard_signals": ("signal_type", "entity_id", "period_start", "detail"),
    "mart_unattributed_activity": ("tool", "activity_date", "attribution_status"),
    "mart_unowned_deployments": ("service_id", "environment", "deployed_date"),
    "dim_teams": ("team_id",),
    "dim_tools": ("tool",),
    "dim_dates": ("calendar_date",),
}

# The period column of each mart and its grain: a nightly run validates the periods its window touches
# (keys over the whole mart are dbt tests, run on every build). Dimensions have none: validated whole.
PERIODS: dict[str, tuple[str, str]] = {
    "mart_team_weekly": ("week_start", "week"),
    "mart_org_weekly": ("week_start", "week"),
    "mart_company_weekly": ("week_start", "week"),
    "mart_engineer_weekly": ("week_start", "week"),
    "mart_tool_monthly": ("month_start", "month"),
    "mart_tool_daily": ("activity_date", "day"),
    "mart_guard_signals": ("period_start", "day"),
    "mart_unattributed_activity": ("activity_date", "day"),
    "mart_unowned_deployments": ("deployed_date", "day"),
}

RATES = ("change_failure_rate", "adoption_rate", "licence_utilisation")
NPS = ("nps",)
SUPPRESSED_METRICS = (
    "production_deploys",
    "quality_adjusted_deploys",
    "deploys_per_engineer",
    "change_failure_rate",
    "weekly_active_ai_users",
    "is_adopting",
    "lifecycle_stages_covered",
    "is_ai_native",
    "value_deriving_events",
    "vde_per_active_user",
    "baseline_deploys_per_engineer",
    "velocity_multiple",
    "is_on_track",
)


def publication_suite(mart: str, columns: dict[str, str]) -> gx.ExpectationSuite:
    """`columns` maps each column of the mart to its DuckDB type."""
    expectations: list[gxe.Expectation] = []
    if mart in KEYS:
        expectations.append(unique(KEYS[mart]))
        for column in KEYS[mart]:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    for column, data_type in columns.items():
        if column in RATES:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1))
        elif column in NPS:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=-100, max_value=100))
        elif data_type in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "HUGEINT") and column != "velocity_target":
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0))
        elif data_type == "VARCHAR":
            expectations.append(gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=EMAIL_LIKE))
    if mart == "mart_team_weekly":
        for column in SUPPRESSED_METRICS:
            expectations.append(
                gxe.ExpectColumnValuesToBeNull(
                    column=column, row_condition="is_suppressed == True", condition_parser="pandas"
                )
            )
    return gx.ExpectationSuite(name=f"publication__{mart}", expectations=expectations)
