"""The one daily partitioning of the day-grained ingest assets (UTC days), and the window of a run.

Only ingest is partitioned. The dbt, publish and check steps of a run read its window with `run_days`,
from the run's tags, so Dagster does not store an event per asset and per day for them.
"""

import os
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration.lib import landing_files

FIRST_DAY_VARIABLE = "AAW_FIRST_DAY"
# No exporter this warehouse reads goes back further; partitions before the data cost nothing in a run.
EARLIEST_DAY = date(2000, 1, 1)


def first_partition_day(environ: Mapping[str, str] = os.environ) -> date:
    """The first daily partition: AAW_FIRST_DAY when set (`aaw dev --first-day` sets it), else the first day
    of the daily files of the landing folder the environment names (AAW_LANDING or AAW_WORKDIR/landing, as
    `aaw dev` starts the UI), else the demo's first day when that folder has none yet. A process that names no
    landing folder (an in-process `aaw run`, a test) runs windows of any landing: its partitions start early.

    The partitions start where the data starts, so the UI counts as missing only days that could hold data
    (a fixed early start showed hundreds of "missing" days before the first file). A partitioning is fixed
    when the definitions load, so this reads the environment then; a later, earlier file needs a restart
    (or AAW_FIRST_DAY) before its days can be materialised from the UI.
    """
    if configured := environ.get(FIRST_DAY_VARIABLE, "").strip():
        try:
            return date.fromisoformat(configured)
        except ValueError:
            raise ValueError(f"{FIRST_DAY_VARIABLE}={configured!r} is not a day: write it as YYYY-MM-DD") from None
    workdir = environ.get("AAW_WORKDIR")
    landing = environ.get("AAW_LANDING") or (str(Path(workdir) / "landing") if workdir else None)
    if not landing:
        return EARLIEST_DAY
    return landing_files.first_day(Path(landing)) or landing_files.DEMO_FIRST_DAY


daily_partitions = dg.DailyPartitionsDefinition(start_date=first_partition_day().isoformat(), timezone="UTC")


def partitions_start() -> date:
    return date.fromisoformat(daily_partitions.start.strftime("%Y-%m-%d"))


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
