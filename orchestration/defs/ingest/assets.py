"""Landing -> lake: one asset per canonical entity, plus the reference-data overrides.

Snapshot entities (roster snapshots, teams, services, identities, grants, surveys) are small and re-read
whole on every run. Deployments, usage, pull requests and spend arrive as one file per UTC day and are
daily-partitioned: a run over a window ingests each day of it in turn (one run per window, not one per day).

Every asset reads the generic-contract files at the top of its landing folder and the vendor folders of
its entity (connectors/registry.py, the table of vendor folders): the folder says the format, and a
sub-folder no format reads fails the asset with the list of supported folders.

The assets are in snapshot_assets, daily_assets and reference_assets; how vendor files of the daily entities
are routed to days is vendor_routing's; what is checked of a folder before reading, screening's; how a
partition is written to the lake, lake_writes'.
"""

from orchestration.defs.ingest.daily_assets import deployments, pull_requests, spend, tool_activity
from orchestration.defs.ingest.reference_assets import reference_overrides
from orchestration.defs.ingest.snapshot_assets import SNAPSHOT_SOURCES, roster, snapshot_asset

ingest_assets = [
    reference_overrides,
    roster,
    *(snapshot_asset(source) for source in SNAPSHOT_SOURCES),
    deployments,
    tool_activity,
    pull_requests,
    spend,
]
