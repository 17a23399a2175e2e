"""Generic contract v1: parsing the CSV and NDJSON files the demo generator and any exporter write.

Small entities are parsed row by row (snapshots, on the CSV reading of rows); deployments and pull requests line
by line (deployments, pull_requests); usage, millions of events a day, is validated, deduplicated and rolled up
in DuckDB (usage, with its SQL in usage_sql). Every reject names its file and line.
"""

from orchestration.defs.ingest.connectors.generic.deployments import parse_deployments
from orchestration.defs.ingest.connectors.generic.pull_requests import parse_pull_requests
from orchestration.defs.ingest.connectors.generic.rows import MAX_LINE_BYTES, read_csv
from orchestration.defs.ingest.connectors.generic.snapshots import (
    parse_identities,
    parse_licence_grants,
    parse_roster,
    parse_services,
    parse_survey_responses,
    parse_teams,
)
from orchestration.defs.ingest.connectors.generic.spend import parse_spend
from orchestration.defs.ingest.connectors.generic.usage import (
    EVENT_KEYS_SCHEMA,
    ParsedUsage,
    RepeatedEvent,
    UsageDay,
    UsageFiles,
    parse_usage_events,
)

__all__ = [
    "EVENT_KEYS_SCHEMA",
    "MAX_LINE_BYTES",
    "ParsedUsage",
    "RepeatedEvent",
    "UsageDay",
    "UsageFiles",
    "parse_deployments",
    "parse_identities",
    "parse_licence_grants",
    "parse_pull_requests",
    "parse_roster",
    "parse_services",
    "parse_spend",
    "parse_survey_responses",
    "parse_teams",
    "parse_usage_events",
    "read_csv",
]
