"""The canonical entities of the raw layer as Arrow schemas.

Every connector, generic or vendor, produces records with exactly these fields; the lake writer adds
the lineage columns. Two fields beyond what the landing files carry, both needed downstream:
- `identity_type` on licence_grants and tool_activity (email | login | vendor_id | api_key | bot), so
  identity resolution and the API-key/bot classification do not have to guess from the string;
- `peak_events_per_minute` on tool_activity: events are rolled up to a day at ingest, so the
  per-minute bot rule needs the identity's busiest UTC minute of value-deriving events (all its tools
  and types) kept on each of its rows that day; null for daily vendor aggregates.
"""

import pyarrow as pa

ENTITY_SCHEMAS: dict[str, pa.Schema] = {
    "roster": pa.schema(
        [
            ("engineer_id", pa.string()),
            ("email", pa.string()),
            ("github_login", pa.string()),
            ("full_name", pa.string()),
            ("team_id", pa.string()),
            ("manager_email", pa.string()),
            ("role", pa.string()),
            ("is_engineer", pa.bool_()),
            ("snapshot_date", pa.date32()),
        ]
    ),
    "teams": pa.schema(
        [
            ("team_id", pa.string()),
            ("team_name", pa.string()),
            ("org", pa.string()),
            ("parent_org", pa.string()),
            ("velocity_target", pa.int32()),
        ]
    ),
    "services": pa.schema(
        [
            ("service", pa.string()),
            ("team_id", pa.string()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
        ]
    ),
    "identities": pa.schema(
        [
            ("identity", pa.string()),
            ("identity_type", pa.string()),
            ("engineer_id", pa.string()),
        ]
    ),
    "deployments": pa.schema(
        [
            ("deployment_id", pa.string()),
            ("service", pa.string()),
            ("environment", pa.string()),
            ("commit_sha", pa.string()),
            ("status", pa.string()),
            ("deployed_at", pa.timestamp("us", tz="UTC")),
            ("triggered_by", pa.string()),
            ("lines_changed", pa.int64()),
            ("rollback_of", pa.string()),
        ]
    ),
    "licence_grants": pa.schema(
        [
            ("identity", pa.string()),
            ("identity_type", pa.string()),
            ("tool", pa.string()),
            ("granted_at", pa.timestamp("us", tz="UTC")),
            ("revoked_at", pa.timestamp("us", tz="UTC")),
            ("plan", pa.string()),
            ("monthly_cost_usd", pa.float64()),
        ]
    ),
    "tool_activity": pa.schema(
        [
            ("identity", pa.string()),
            ("identity_type", pa.string()),
            ("tool", pa.string()),
            ("activity_date", pa.date32()),
            ("activity_type", pa.string()),
            ("activity_count", pa.int64()),
            ("first_at", pa.timestamp("us", tz="UTC")),
            ("last_at", pa.timestamp("us", tz="UTC")),
            ("peak_events_per_minute", pa.int64()),
        ]
    ),
    "survey_responses": pa.schema(
        [
            ("response_id", pa.string()),
            ("survey_id", pa.string()),
            ("identity", pa.string()),
            ("tool", pa.string()),
            ("score", pa.int32()),
            ("submitted_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
}

IDENTITY_TYPES = ("email", "login", "vendor_id", "api_key", "bot")
DEPLOYMENT_STATUSES = ("success", "failure", "error", "rolled_back")

LINEAGE_SCHEMA = pa.schema(
    [
        ("_source_file", pa.string()),
        ("_source_line", pa.int64()),
        ("_record_hash", pa.string()),
        ("_load_id", pa.string()),
        ("_loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.string()),
        ("_load_id", pa.string()),
        ("_loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)
