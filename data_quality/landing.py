"""Landing contracts: what every ingested partition of a canonical entity must satisfy.

Ingest already quarantines records that break the contract; these suites check the lake itself, so a
connector bug or a hand-edited partition cannot slip through. Types come from the Arrow schemas.
"""

from datetime import UTC, date, datetime, time, timedelta

import great_expectations as gx
import great_expectations.expectations as gxe

from orchestration.lib.canonical import DEPLOYMENT_STATUSES, ENTITY_SCHEMAS, IDENTITY_TYPES, SPEND_KINDS

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
    "spend": ("identity", "identity_type", "tool", "spend_date", "occurred_at", "kind", "amount", "currency"),
    "pull_requests": (
        "pr_id",
        "repository",
        "number",
        "author",
        "author_type",
        "created_at",
        "updated_at",
        "has_commit_list",
    ),
}

# Keys unique within one partition (daily entities are validated a few days at a time, so their keys
# include the partition's day). Deployment and pull request ids may repeat across a resent file (deduplicated
# downstream, latest wins), so those only warn.
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "tool_activity": (("partition_day", "identity", "tool", "activity_type"), "critical"),
    "deployments": (("partition_day", "deployment_id"), "warning"),
    "pull_requests": (("partition_day", "pr_id"), "warning"),
    "teams": (("team_id",), "warning"),
    "roster": (("snapshot_date", "engineer_id"), "critical"),
}

# What dates a record of a daily entity (a column, or an expression over its columns): `record_day` in the
# validated frame, its UTC day, must equal the `partition_day` it was stored under, and fall inside the run's
# window. A pull request belongs to the day it was merged, else the day it was closed.
RECORD_DAY: dict[str, str] = {
    "deployments": "deployed_at",
    "tool_activity": "activity_date",
    "pull_requests": "coalesce(merged_at, closed_at)",
    "spend": "spend_date",
}

# Counts that are never negative; null (not given by the source) passes.
COUNTS: dict[str, tuple[str, ...]] = {
    "tool_activity": ("activity_count",),
    "pull_requests": ("additions", "deletions", "changed_files", "commit_count"),
}

PULL_REQUEST_AUTHOR_TYPES = ("login", "email", "bot")


def unique(columns: tuple[str, ...], severity: str = "critical") -> gxe.Expectation:
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], severity=severity)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), severity=severity)


def landing_suite(
    entity: str, window: tuple[date, date] | None, tools: list[str], now: datetime
) -> gx.ExpectationSuite:
    """The contract of an entity; `window` (first, last day) for the days of a daily entity's frame."""
    expectations: list[gxe.Expectation] = []
    for column in ENTITY_SCHEMAS[entity].names:
        expectations.append(gxe.ExpectColumnToExist(column=column))
    for column in REQUIRED[entity]:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    if entity == "deployments":
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(DEPLOYMENT_STATUSES)))
    if "identity_type" in ENTITY_SCHEMAS[entity].names:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="identity_type", value_set=list(IDENTITY_TYPES)))
    if entity == "spend":
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=list(SPEND_KINDS)))
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0))
    if entity in ("tool_activity", "licence_grants", "spend"):
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="tool", value_set=tools))
    for column in COUNTS.get(entity, ()):
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0))
    if entity == "pull_requests":
        expectations.extend(_pull_request_expectations())
    if entity == "survey_responses":
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10))
    if entity in UNIQUE_KEYS:
        columns, severity = UNIQUE_KEYS[entity]
        expectations.append(unique(columns, severity))
    if window is not None and entity in RECORD_DAY:
        expectations.extend(_window_expectations(entity, window, now))
    # built whole: adding to a suite whose name is already stored would write the store once per expectation
    return gx.ExpectationSuite(name=f"landing__{entity}", expectations=expectations)


def _pull_request_expectations() -> list[gxe.Expectation]:
    """What every pull request the ingest accepts holds: a positive number, a known author type, and neither
    merged nor closed before it was created."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column="number", min_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="author_type", value_set=list(PULL_REQUEST_AUTHOR_TYPES)),
        *(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=moment, column_B="created_at", or_equal=True, ignore_row_if="either_value_is_missing"
            )
            for moment in ("merged_at", "closed_at")
        ),
    ]


def _window_expectations(entity: str, window: tuple[date, date], now: datetime) -> list[gxe.Expectation]:
    """A daily entity's records inside the run's window (and, time stamped, not in the future), each in the
    partition of its own day."""
    first, last = window
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = min(datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1), now)
    # DuckDB hands dates to pandas as naive datetimes, time stamps with their zone
    days = {"min_value": datetime.combine(first, time()), "max_value": datetime.combine(last, time())}
    if entity == "deployments":
        dated = [gxe.ExpectColumnValuesToBeBetween(column="deployed_at", min_value=start, max_value=end)]
    elif entity == "pull_requests":
        # merged_at decides the day when given; a pull request closed unmerged is dated by its record_day
        dated = [
            gxe.ExpectColumnValuesToNotBeNull(column="record_day"),
            gxe.ExpectColumnValuesToBeBetween(column="record_day", **days),
            gxe.ExpectColumnValuesToBeBetween(column="merged_at", min_value=start, max_value=end),
        ]
    else:
        dated = [gxe.ExpectColumnValuesToBeBetween(column=RECORD_DAY[entity], **days)]
    return [*dated, gxe.ExpectColumnPairValuesToBeEqual(column_A="partition_day", column_B="record_day")]
