"""The dbt project as one Dagster asset group, fed the run's window of days (Workspace.run_window).

The dbt assets are not partitioned: a run's window is already in its tags (see `run_days`), and per-day
partitions would make Dagster store one event per model and per day (4,445 for a 60-day backfill).
"""

import json
import shutil

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.translator import WarehouseTranslator
from orchestration.defs.partitions import run_days
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib.journal import settle_abandoned
from orchestration.lib.pseudonym import ensure_key
from orchestration.lib.spark_warehouse import expose_as_duckdb
from orchestration.lib.workspace import Workspace


class DbtRunConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from the whole lake


def write_run_window(context: dg.AssetExecutionContext, workspace: Workspace) -> str:
    """Write the run's days, as inclusive min_date/max_date, where the incremental models read them; return them
    for the log.

    A run without partition tags (the dbt assets materialised alone from the UI) gets no window: the
    incremental models then rebuild every day of the lake, which is what materialising them should mean.
    """
    days = run_days(context)
    first, last = (days[0].isoformat(), days[-1].isoformat()) if days else ("", "")
    workspace.run_window.parent.mkdir(parents=True, exist_ok=True)
    workspace.run_window.write_text(json.dumps({"min_date": first, "max_date": last}))
    return f"{first}..{last}" if days else "whole lake"


# Built in a second dbt step, after the impact estimator (orchestration/defs/impact) has written its source.
AFTER_ESTIMATES = "mart_ai_impact"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    exclude=AFTER_ESTIMATES,
    pool="warehouse_writer",
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, workspace: WorkspaceResource, config: DbtRunConfig
):
    paths = workspace.paths()
    # a run without ingest (dbt alone) must not build on the changes of a run that failed or was killed
    settle_abandoned(paths.lake, except_run=context.run.run_id)
    # the marts' keys are keyed hashes: a run started without the CLI (the UI) creates the secret too
    ensure_key(paths.pseudonym_key)
    yield from _build(context, dbt, paths, config)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    select=AFTER_ESTIMATES,
    name="impact_models",
    pool="warehouse_writer",
)
def impact_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, workspace: WorkspaceResource, config: DbtRunConfig
):
    yield from _build(context, dbt, workspace.paths(), config)


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: Workspace, config: DbtRunConfig):
    """`dbt build` of the step's models (dagster-dbt adds the step's selection) on the workspace's engine."""
    # unit tests check formulas on fixtures, not the data: they run in the test suite (tests/test_dbt_unit_tests.py)
    # the engine is the dbt target of the same name (dbt_project/profiles.yml)
    args = ["build", "--exclude-resource-type", "unit_test", "--target", paths.engine]
    # every dbt command of a workspace passes the same vars, so that dbt reuses the last command's parse
    args += ["--vars", json.dumps(paths.dbt_vars())]
    context.log.info(f"dbt window: {write_run_window(context, paths)}")
    if config.full_refresh:
        args.append("--full-refresh")
    target = paths.dbt_target / "build"
    yield from dbt.cli(args, context=context, target_path=target).stream()
    # both steps share the build's target (and its parse); each keeps its own results under its name
    shutil.copyfile(target / "run_results.json", target / f"run_results.{context.op_def.name}.json")
    if paths.engine == "spark":
        # the gates and the publication read the warehouse through DuckDB: views over the Spark tables' files
        views = expose_as_duckdb(target / "manifest.json", paths.spark_warehouse, paths.warehouse)
        context.log.info(f"{paths.warehouse}: {views} views over the Spark tables in {paths.spark_warehouse}")
