"""The Dagster code location: one Definitions for the whole pipeline."""

import dagster as dg

from orchestration.defs.dbt.assets import impact_models, warehouse_models
from orchestration.defs.dbt.project import dbt_cli
from orchestration.defs.impact.assets import ai_impact_estimates
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.lake_sensors import lake_sensors
from orchestration.defs.ingest.sensors import landing_files_sensor
from orchestration.defs.publish.assets import published_marts
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.resources import WorkspaceResource
from orchestration.defs.schedules import nightly_schedule, pipeline_job


def pipeline_definitions(workspace: WorkspaceResource) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor over one workspace."""
    return dg.Definitions(
        assets=[*ingest_assets, warehouse_models, ai_impact_estimates, impact_models, published_marts],
        asset_checks=quality_checks,
        jobs=[pipeline_job],
        schedules=[nightly_schedule],
        sensors=[landing_files_sensor, *lake_sensors],
        resources={"dbt": dbt_cli(), "workspace": workspace},
    )


# `dagster dev` and its daemon load this module: their workspace comes from the environment `aaw dev` gives them
defs = pipeline_definitions(WorkspaceResource.from_env_vars())
