"""Landing contracts: what every ingested partition of a canonical entity must satisfy.

Ingest already quarantines records that break the contract; these suites check the lake itself, so a
connector bug or a hand-edited partition cannot slip through. Types come from the Arrow schemas.
"""

from datetime import UTC, date, datetime, time, timedelta

import great_expectations as gx
import great_expectations.expectations as gxe

from orchestration.lib.canonical import DEPLOYMENT_STATUSES, ENTITY_SCHEMAS, IDENTITY_TYPES

REQUIRED: dict[str, tuple[str, ...]] = {
    "roster": ("engineer_id", "email", "team_id", "is_engineer", "snapshot_date"),
    "teams": ("team_id", "team_name", "org", "velocity_target"),
    "services": ("service", "team_id", "valid_from"),
    "identities": ("identity", "identity_type", "engineer_id"),
    "deployments": ("deployment_id", "service", "environment", "commit_sha", "status", "deployed_at"),
    "licence_grants": ("identity", "identity_type", "tool", "granted_at"),
    "tool_activity": (
        "identity",
        "identity_type",
        "tool",
        "activity_date",
        "activity_type",
        "activity_count",
    ),
    "survey_responses": ("response_id", "survey_id", "score", "submitted_at"),
}

# Keys unique within one partition. Deployment ids may repeat across a resent file (deduplicated
# downstream, latest wins), so that one only warns.
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "tool_activity": (("identity", "tool", "activity_type"), "critical"),
    "deployments": (("deployment_id",), "warning"),
    "teams": (("team_id",), "warning"),
    "roster": (("engineer_id",), "critical"),
}

TIMESTAMPS_IN_DAY: dict[str, str] = {"deployments": "deployed_at"}
DATES_IN_DAY: dict[str, str] = {"tool_activity": "activity_date"}


def unique(columns: tuple[str, ...], severity: str = "critical") -> gxe.Expectation:
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], severity=severity)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), severity=severity)


def landing_suite(entity: str, day: date | None, tools: list[str], now: datetime) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=f"landing__{entity}")
    for column in ENTITY_SCHEMAS[entity].names:
        suite.add_expectation(gxe.ExpectColumnToExist(column=column))
    for column in REQUIRED[entity]:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    if entity == "deployments":
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(DEPLOYMENT_STATUSES)))
    if "identity_type" in ENTITY_SCHEMAS[entity].names:
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="identity_type", value_set=list(IDENTITY_TYPES)))
    if entity in ("tool_activity", "licence_grants"):
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="tool", value_set=tools))
    if entity == "tool_activity":
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="activity_count", min_value=0))
    if entity == "survey_responses":
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10))
    if entity in UNIQUE_KEYS:
        columns, severity = UNIQUE_KEYS[entity]
        suite.add_expectation(unique(columns, severity))
    if day is not None and entity in TIMESTAMPS_IN_DAY:
        start = datetime.combine(day, time(), tzinfo=UTC)
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(
                column=TIMESTAMPS_IN_DAY[entity],
                min_value=start,
                max_value=min(start + timedelta(days=1) - timedelta(microseconds=1), now),
            )
        )
    if day is not None and entity in DATES_IN_DAY:
        midnight = datetime.combine(day, time())  # DuckDB hands dates to pandas as naive datetimes
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(column=DATES_IN_DAY[entity], min_value=midnight, max_value=midnight)
        )
    return suite
