"""The nightly job and its 02:00 UTC schedule: every asset, for the previous UTC day."""

import dagster as dg

from orchestration.defs.partitions import daily_partitions

pipeline_job = dg.define_asset_job(
    name="pipeline",
    selection=dg.AssetSelection.all(),
    # the daily ingest assets' partitions; dbt and publish are unpartitioned and read the window from the tags
    partitions_def=daily_partitions,
    description="Landing -> lake -> warehouse -> gates -> publication, for a window of UTC days.",
    # one process, one step at a time: the warehouse file has a single writer and checks read it after
    executor_def=dg.in_process_executor,
)

nightly_schedule = dg.build_schedule_from_partitioned_job(pipeline_job, name="nightly", hour_of_day=2, minute_of_hour=0)
