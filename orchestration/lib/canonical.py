"""The canonical entities of the raw layer as Arrow schemas.

Every connector, generic or vendor, produces records with exactly these fields; the lake writer adds
the lineage columns. Two fields beyond what the landing files carry, both needed downstream:
- `identity_type` on licence_grants and tool_activity (email | login | vendor_id | api_key | bot), so
  identity resolution and the API-key/bot classification do not have to guess from the string;
- `peak_events_per_minute` on tool_activity: events are rolled up to a day at ingest, so the
  per-minute bot rule needs the identity's busiest UTC minute of value-deriving events (all its tools
  and types) kept on each of its rows that day; null for daily vendor aggregates.

Pull requests are the one entity whose records nest: a connector's record carries `labels` (a list of strings)
and `commits` (a list of {sha, authored_at, author, message}) beside the fields of `pull_requests`, and the lake
stores them flat, in `pull_request_labels` and `pull_request_commits` keyed by (pr_id, pr_updated_at): one row
per label and per commit of one delivery. Flat tables, not list columns, because dbt reads them with plain
joins on DuckDB and on Spark alike: a list column needs `unnest` on DuckDB and `explode` on Spark, SQL that no
dbt cross-database macro covers, and the attribution rules match labels and commit messages one row at a time.
`pull_request_rows` splits a record into its rows.
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
            ("repository", pa.string()),  # the repository the service is built from; null when not given
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
    # one row per delivery of a pull request merged or closed (a resend is a new row: the lake keeps every
    # delivery, int_pull_requests_deduplicated keeps the latest updated_at per pr_id). author_type is one of
    # IDENTITY_TYPES: login, email, or bot (GitHub's user.type "Bot", or a login ending in [bot]). additions,
    # deletions and changed_files are null when the source does not carry them (GitHub's list endpoint), never 0.
    # has_commit_list: whether pull_request_commits holds this delivery's commits (a webhook payload has none);
    # commit_count: the commits the source lists or states, null when it does neither.
    "pull_requests": pa.schema(
        [
            ("pr_id", pa.string()),
            ("repository", pa.string()),
            ("number", pa.int64()),
            ("author", pa.string()),
            ("author_type", pa.string()),
            ("title", pa.string()),
            ("head_branch", pa.string()),
            ("base_branch", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("first_review_at", pa.timestamp("us", tz="UTC")),
            ("merged_at", pa.timestamp("us", tz="UTC")),
            ("closed_at", pa.timestamp("us", tz="UTC")),
            ("merge_commit_sha", pa.string()),
            ("additions", pa.int64()),
            ("deletions", pa.int64()),
            ("changed_files", pa.int64()),
            ("commit_count", pa.int64()),
            ("has_commit_list", pa.bool_()),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    "pull_request_commits": pa.schema(
        [
            ("pr_id", pa.string()),
            ("pr_updated_at", pa.timestamp("us", tz="UTC")),
            ("sha", pa.string()),
            ("authored_at", pa.timestamp("us", tz="UTC")),
            ("author", pa.string()),
            ("message", pa.string()),
        ]
    ),
    "pull_request_labels": pa.schema(
        [
            ("pr_id", pa.string()),
            ("pr_updated_at", pa.timestamp("us", tz="UTC")),
            ("label", pa.string()),
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
    # one row per amount spent: an identity's usage or credits on one UTC day (a vendor's daily figure, or one
    # generic record), or a seat charge. amount is in `currency`'s major unit (dollars, not cents: connectors
    # convert a vendor's cents); int_spend_attributed converts it to USD with fx_rates.csv. occurred_at is midnight
    # UTC for a vendor's daily aggregate; model is null when the source does not name one.
    "spend": pa.schema(
        [
            ("identity", pa.string()),
            ("identity_type", pa.string()),
            ("tool", pa.string()),
            ("spend_date", pa.date32()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("kind", pa.string()),
            ("model", pa.string()),
            ("amount", pa.float64()),
            ("currency", pa.string()),
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
SPEND_KINDS = ("seat", "usage", "credit")
# The currency every cost is reported in (tools.csv prices are in it); fx_rates.csv converts the others.
REPORTING_CURRENCY = "USD"

# the lake tables a pull request record's lists go to: record key -> entity
PULL_REQUEST_CHILDREN = {"commits": "pull_request_commits", "labels": "pull_request_labels"}


def pull_request_rows(record: dict) -> dict[str, list[dict]]:
    """The lake rows of one pull request record: its `pull_requests` row, and one row per commit and per label,
    keyed by (pr_id, pr_updated_at). A child row keeps its own `_source_file`/`_source_line` when it has them (a
    GitHub REST commit comes from a commits page) and takes its pull request's otherwise."""
    lineage = {key: record[key] for key in ("_source_file", "_source_line") if key in record}
    key = {"pr_id": record["pr_id"], "pr_updated_at": record["updated_at"]}
    return {
        "pull_requests": [{name: value for name, value in record.items() if name not in PULL_REQUEST_CHILDREN}],
        "pull_request_commits": [{**key, **lineage, **commit} for commit in record["commits"]],
        "pull_request_labels": [{**key, **lineage, "label": label} for label in record["labels"]],
    }


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
