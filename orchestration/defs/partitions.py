"""The one daily partitioning every day-grained asset shares (UTC days)."""

import os

import dagster as dg

# The earliest day a backfill can reach; an organisation with older history sets AAW_FIRST_DAY.
FIRST_DAY = os.environ.get("AAW_FIRST_DAY", "2025-01-01")

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")
