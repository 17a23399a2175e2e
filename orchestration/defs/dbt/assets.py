"""The dbt project as Dagster assets, fed the run's partition window as min_date/max_date."""

import json
from datetime import timedelta

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.translator import WarehouseTranslator
from orchestration.defs.partitions import daily_partitions


class DbtRunConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from the whole lake


def window_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The partition window as inclusive dates for the incremental models."""
    window = context.partition_time_window
    return {
        "min_date": window.start.date().isoformat(),
        "max_date": (window.end - timedelta(days=1)).date().isoformat(),
    }


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse_writer",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig):
    args = ["build", "--vars", json.dumps(window_vars(context))]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
