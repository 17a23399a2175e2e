"""The workspace is a resource: runs of two workspaces in one process keep to their own folders, the code
location reads its folders from AAW_WORKDIR/AAW_LANDING only when a run or sensor needs them, and no run
writes the process environment (so nothing a run does can steer the next one)."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.definitions import defs
from orchestration.lib.journal import Journal
from orchestration.lib.workspace import DBT_PROJECT_DIR, Workspace
from tests.conftest import TINY_LANDING, DemoRun, ingest_day, run_isolated, write_files
from tests.test_operations import copy_of, published_marts


class WriteRefusingEnviron(dict):
    """os.environ's contents, refusing every change: a test fails naming the variable a code path sets."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError(f"os.environ written: {args!r} {kwargs!r}")

    __setitem__ = __delitem__ = update = pop = popitem = clear = _refuse

    def setdefault(self, key, default=None):
        if key not in self:
            self._refuse(key, default)
        return self[key]


@contextlib.contextmanager
def environ_guarded() -> Iterator[None]:
    """Inside the block, any write to os.environ fails (pytest writes it between a test's phases: not inside)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "environ", WriteRefusingEnviron(os.environ))
        yield


def tiny_with_team(root: Path, team_id: str) -> Workspace:
    """The tiny landing with its one team renamed: the team in a lake says whose landing it was read from."""
    files = {name: text.replace("team-a", team_id) for name, text in TINY_LANDING.items()}
    return Workspace(landing=write_files(root / "landing", files), workdir=root / "work")


def ingest(workspace: Workspace, day: str) -> dg.ExecuteInProcessResult:
    result = ingest_day(workspace, day)
    Journal(workspace.lake, result.run_id).commit()
    return result


def teams_in_lake(workspace: Workspace) -> set[str]:
    return {row["team_id"] for row in pq.read_table(workspace.raw / "teams" / "snapshot" / "data.parquet").to_pylist()}


def test_two_workspaces_run_in_one_process_keep_to_their_own_folders(tmp_path):
    north, south = tiny_with_team(tmp_path / "north", "team-north"), tiny_with_team(tmp_path / "south", "team-south")
    with environ_guarded():
        for workspace, day in [
            (north, "2026-03-02"),
            (south, "2026-03-02"),
            (north, "2026-03-03"),
            (south, "2026-03-03"),
        ]:
            assert ingest(workspace, day).success
    assert teams_in_lake(north) == {"team-north"}
    assert teams_in_lake(south) == {"team-south"}
    for workspace in (north, south):
        days = sorted(path.name for path in (workspace.raw / "deployments").glob("day=*"))
        assert days == ["day=2026-03-02", "day=2026-03-03"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["north", "south"]  # nothing written beside them


def test_the_code_location_reads_its_workspace_from_the_environment_when_a_sensor_runs(tmp_path, monkeypatch):
    for name in ("AAW_WORKDIR", "AAW_LANDING", "AAW_LAKE"):
        monkeypatch.delenv(name, raising=False)
    dg.Definitions.validate_loadable(defs)  # loads without them: they are read when a run or sensor starts
    workspace = tiny_with_team(tmp_path, "team-a")
    for name, value in workspace.environ().items():  # what `aaw dev` passes `dagster dev`
        monkeypatch.setenv(name, value)
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    with dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=defs.resources) as context:
        [request] = sensor(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-03-02"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-03-03"


def test_without_the_variables_the_code_location_names_the_missing_one(monkeypatch):
    monkeypatch.delenv("AAW_WORKDIR", raising=False)
    missing = 'environment variable "AAW_WORKDIR" which is not set'
    with pytest.raises(dg.DagsterInvalidConfigError, match=missing), dg.build_resources(defs.resources):
        pass


def test_a_run_writes_no_environment_and_follows_its_workspace_not_the_environment(
    demo_run: DemoRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Variables left over in the environment (another workdir's) steer neither Dagster nor dbt, and dbt's own
    files of the run (compiled SQL, run results) stay in the workdir, not in the shared dbt project."""
    workspace = copy_of(demo_run, tmp_path / "copy")
    in_the_project = set((DBT_PROJECT_DIR / "target").iterdir())
    decoy = tmp_path / "decoy"
    for name, value in {
        "AAW_WORKDIR": decoy,
        "AAW_LANDING": decoy / "landing",
        "AAW_LAKE": decoy / "lake",
        "AAW_WAREHOUSE_PATH": decoy / "warehouse.duckdb",
        "AAW_PSEUDONYM_KEY": decoy / "pseudonym.key",
        "DAGSTER_HOME": decoy / "dagster_home",
    }.items():
        monkeypatch.setenv(name, str(value))
    with environ_guarded():
        assert run_isolated(workspace, demo_run.last, demo_run.last, full_refresh=False)
    assert not decoy.exists()
    assert published_marts(workspace) == published_marts(demo_run.workspace)
    assert (workspace.dbt_target / "build" / "run_results.warehouse_models.json").exists()
    assert set((DBT_PROJECT_DIR / "target").iterdir()) <= in_the_project
