"""A run killed with -9 stays STARTED in the run history until the next run of the workdir closes it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.cli import _close_abandoned_runs, workdir_lock
from orchestration.lib.run_history import fail_abandoned_runs
from orchestration.lib.status import read_status, render_text
from orchestration.lib.workspace import Workspace, write_instance_settings

# A command-line run as `aaw run` starts it (workdir lock held, trigger and pid tags), stuck in a step.
KILLED_RUN = """
import os, sys, time
from pathlib import Path
import dagster as dg
from orchestration.cli import workdir_lock
from orchestration.lib.workspace import Workspace

@dg.asset
def stuck() -> None:
    print("STEP RUNNING", flush=True)
    time.sleep(600)

workdir = Path(sys.argv[1])
workspace = Workspace(landing=workdir / "landing", workdir=workdir)
with workdir_lock(workspace), dg.DagsterInstance.from_config(str(workspace.dagster_home)) as instance:
    dg.materialize([stuck], instance=instance, tags={"aaw/trigger": "cli", "aaw/pid": str(os.getpid())})
"""


def kill_a_run(workdir: Path) -> int:
    (workdir / "dagster_home").mkdir(parents=True)
    write_instance_settings(workdir / "dagster_home")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(workdir)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    for line in process.stdout:
        if "STEP RUNNING" in line:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return process.pid


def test_a_killed_run_is_shown_as_interrupted_then_marked_failed_by_the_next_run(tmp_path, capsys):
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path)
    pid = kill_a_run(tmp_path)

    [killed] = read_status(workspace).runs
    assert killed.status == "STARTED"
    assert "its process is gone" in killed.note
    assert "its process is gone" in render_text(read_status(workspace))

    with workdir_lock(workspace), dg.DagsterInstance.from_config(str(workspace.dagster_home)) as instance:
        # while a live run holds the workdir, its runs are not called interrupted
        assert read_status(workspace).runs[0].note == ""
        _close_abandoned_runs(workspace, instance, "next-run")  # what `aaw run` does first
        assert fail_abandoned_runs(instance, "next-run") == []
    assert f"Run {killed.run_id} did not finish (its process is gone): marked FAILED" in capsys.readouterr().out

    [closed] = read_status(workspace).runs
    assert closed.status == "FAILURE" and closed.note == ""
    [step] = closed.failed_steps
    assert f"pid {pid}" in step and "no lake changes" in step and "next-run" in step
    assert "did not finish" in render_text(read_status(workspace))


def test_runs_launched_from_the_ui_are_left_to_dagster(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        job = dg.define_asset_job("ui_job").resolve(asset_graph=dg.Definitions(assets=[_noop]).resolve_asset_graph())
        run = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED, tags={"aaw/trigger": "ui"})
        assert fail_abandoned_runs(instance, "next-run") == []
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED


@dg.asset
def _noop() -> None:
    return None


def test_the_message_says_what_became_of_the_lake(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        job = dg.define_asset_job("cli_job").resolve(asset_graph=dg.Definitions(assets=[_noop]).resolve_asset_graph())
        for outcome, said in (
            ("rolled back", "were rolled back"),
            ("committed", "which stays current"),
        ):
            run = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED, tags={"aaw/trigger": "cli"})
            assert fail_abandoned_runs(instance, "next-run", {run.run_id: outcome}) == [run.run_id]
            [failure] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
            assert said in failure.dagster_event.message
