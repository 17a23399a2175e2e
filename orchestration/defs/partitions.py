"""The one daily partitioning of the day-grained ingest assets (UTC days), and the window of a run.

Only ingest is partitioned. The dbt, publish and check steps of a run read its window with `run_days`,
from the run's tags, so Dagster does not store an event per asset and per day for them.
"""

import os
from datetime import date, timedelta

import dagster as dg

# The earliest day a backfill can reach; an organisation with older history sets AAW_FIRST_DAY.
FIRST_DAY = os.environ.get("AAW_FIRST_DAY", "2025-01-01")

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")


def run_days(context) -> list[date]:
    """The UTC days a run covers, from its partition tags (a single day or a range); [] without them.

    Tags belong to the run, so this works in the context of any asset or check, partitioned or not.
    """
    tags = context.run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start:
        return []
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
