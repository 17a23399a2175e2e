"""The run-status sensors settle a finished daemon run's lake changes: a run that did not publish, whether it
failed or succeeded (ingest materialised on its own), leaves the lake as it found it."""

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.lib.journal import open_journals
from tests.conftest import resources_of, tree_digest


@pytest.mark.parametrize(
    ("teams_csv", "sensor_name"),
    [
        ("team_id,team_name,org,parent_org,velocity_target\nteam-a,Alpha,Payments,Commerce,3\n", "success"),
        ("team;name\nteam-a;Alpha\n", "failure"),  # the teams step fails after the other assets wrote
    ],
)
def test_a_finished_run_that_did_not_publish_is_rolled_back(tiny_workspace, teams_csv, sensor_name):
    (tiny_workspace.landing / "teams" / "teams.csv").write_text(teams_csv)
    instance = dg.DagsterInstance.ephemeral()
    resources = resources_of(tiny_workspace)
    result = dg.materialize(
        ingest_assets, partition_key="2026-03-02", instance=instance, raise_on_error=False, resources=resources
    )
    assert result.success is (sensor_name == "success")
    assert open_journals(tiny_workspace.lake) == [result.run_id]
    assert (tiny_workspace.raw / "deployments" / "day=2026-03-02" / "data.parquet").exists()

    finished = result.get_run_success_event() if result.success else result.get_run_failure_event()
    context = dg.build_run_status_sensor_context(
        sensor_name=f"lake_settled_on_{sensor_name}",
        dagster_event=finished,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources=resources,
    )
    defs.resolve_sensor_def(f"lake_settled_on_{sensor_name}")(context)
    assert tree_digest(tiny_workspace.lake) == {}  # the lake was empty before the run
