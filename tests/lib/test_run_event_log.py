"""The run history's event log keeps its database engines open, and each workdir's history stays its own."""

import shutil
from pathlib import Path

import dagster as dg

from orchestration.lib.run_event_log import ENGINES_KEPT, PooledSqliteEventLogStorage
from orchestration.lib.workspace import write_instance_settings


@dg.asset
def counted() -> int:
    return 1


@dg.asset_check(asset=counted)
def counted_is_one() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def run_once(home: Path) -> str:
    write_instance_settings(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = dg.materialize([counted, counted_is_one], instance=instance)
        assert result.success
        return result.run_id


def test_runs_are_stored_and_read_back_through_the_pooled_event_log(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    run_ids = [run_once(home) for _ in range(ENGINES_KEPT + 2)]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        for run_id in run_ids:
            records = storage.get_records_for_run(run_id).records
            types = {record.event_log_entry.dagster_event_type for record in records}
            assert {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.RUN_SUCCESS} <= types
        assert len(storage._engines) <= ENGINES_KEPT  # the daemon reads many runs: older engines are let go
        [check] = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("counted"), "counted_is_one"), limit=1
        )
        assert check.run_id == run_ids[-1]
    assert sorted(path.name for path in (home / "history" / "runs").glob("*.db")) == sorted(
        [f"{run_id}.db" for run_id in run_ids] + ["index.db"]
    )


def test_a_copied_workdir_writes_its_runs_into_its_own_history(tmp_path):
    first = tmp_path / "first" / "dagster_home"
    first.mkdir(parents=True)
    run_once(first)
    before = sorted(path.name for path in (first / "history" / "runs").iterdir())
    copy = tmp_path / "copy" / "dagster_home"
    shutil.copytree(first, copy)
    run_id = run_once(copy)
    assert (copy / "history" / "runs" / f"{run_id}.db").exists()
    assert sorted(path.name for path in (first / "history" / "runs").iterdir()) == before
