"""The code location loads, and every job, schedule and sensor resolves."""

import dagster as dg

from orchestration.definitions import defs
from tests.conftest import resources_of


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_pipeline_job_schedule_and_sensor_resolve():
    job = defs.resolve_job_def("pipeline")
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {"raw/deployments", "raw/tool_activity", "raw/roster", "raw/reference/tools"} <= keys
    assert "warehouse/staging/stg_lake__deployments" in keys
    assert job.partitions_def is not None
    schedule = defs.resolve_schedule_def("nightly")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.execution_timezone in (None, "UTC")
    assert defs.resolve_sensor_def("landing_files_sensor").job_name == "pipeline"


def test_only_the_daily_ingest_assets_are_partitioned():
    """dbt and publish read the run's window from its tags: no per-day events for ~70 assets."""
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["raw", "deployments"])).partitions_def is not None
    assert graph.get(dg.AssetKey(["raw", "tool_activity"])).partitions_def is not None
    downstream = [key for key in graph.get_all_asset_keys() if key.path[0] in ("warehouse", "published")]
    assert dg.AssetKey(["published", "marts"]) in downstream
    assert [key for key in downstream if graph.get(key).partitions_def is not None] == []


def test_dbt_sources_depend_on_the_ingest_assets():
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["warehouse", "staging", "stg_lake__deployments"])).parent_keys
    assert dg.AssetKey(["raw", "deployments"]) in parents


def test_sensor_requests_the_days_of_new_landing_files(tiny_workspace):
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    resources = resources_of(tiny_workspace)
    with dg.build_sensor_context(cursor=None, instance=dg.DagsterInstance.ephemeral(), resources=resources) as context:
        result = sensor(context)
    [request] = result.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-03-02"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-03-03"
    with dg.build_sensor_context(
        cursor=result.cursor, instance=dg.DagsterInstance.ephemeral(), resources=resources
    ) as context:
        assert isinstance(sensor(context), dg.SkipReason)
    late = tiny_workspace.landing / "usage" / "2026-02-20.ndjson"
    late.write_text("")
    with dg.build_sensor_context(
        cursor=result.cursor, instance=dg.DagsterInstance.ephemeral(), resources=resources
    ) as context:
        [late_request] = sensor(context).run_requests
    assert late_request.tags["dagster/asset_partition_range_start"] == "2026-02-20"
    assert late_request.tags["dagster/asset_partition_range_end"] == "2026-02-20"
