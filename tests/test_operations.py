"""Operating it: recovery from a run killed at each stage, idempotent reruns, late files, one writer.

Every test works on a copy of the session's demo (landing + workdir), as a nightly run would find it.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.cli import main, workdir_lock
from orchestration.defs.ingest.sensors import landing_files_sensor, landing_state
from orchestration.defs.quality.checks import PUBLISHED_MARTS
from orchestration.lib.workspace import REPO_ROOT, Workspace
from orchestration.tools.bench.runs import run_command
from tests.conftest import DemoRun, resources_of, run_isolated, tree_digest


def copy_of(demo: DemoRun, root: Path) -> Workspace:
    workspace = Workspace(landing=root / "landing", workdir=root / "work")
    shutil.copytree(demo.workspace.landing, workspace.landing)
    shutil.copytree(demo.workspace.workdir, workspace.workdir, symlinks=True)
    return workspace


def published_marts(workspace: Workspace) -> dict[str, list[tuple]]:
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        return {mart: con.execute(f"select * from main.{mart} order by all").fetchall() for mart in PUBLISHED_MARTS}


def assert_consistent(workspace: Workspace) -> None:
    """What a reader or the next run relies on after any crash: a complete publication, readable lake."""
    current = (workspace.published / "current").resolve()
    manifest = json.loads((current / "manifest.json").read_text())
    with duckdb.connect(str(current / "marts.duckdb"), read_only=True) as con:
        for mart, rows in manifest["row_counts"].items():
            assert con.execute(f"select count(*) from main.{mart}").fetchall()[0][0] == rows
    for partition in workspace.lake.rglob("*.parquet"):
        pq.read_table(partition)


def start_run(workspace: Workspace, day) -> subprocess.Popen:
    return subprocess.Popen(
        run_command(workspace.landing, workspace.workdir, day, day),
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def kill_when(process: subprocess.Popen, marker: str, timeout: float = 300) -> str:
    """SIGKILL the run's whole process group (dbt included) as soon as `marker` shows in its output."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            break
        seen.append(line)
        if marker in line:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return line
        if process.poll() is not None and lines.empty():
            break
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"the run never printed {marker!r}:\n{''.join(seen[-30:])}")


def dbt_parsed_the_whole_project(workspace: Workspace) -> bool:
    """Whether the last dbt build of the warehouse parsed the project from scratch rather than reusing the parse
    of the workspace's previous dbt command (dbt logs why it could not)."""
    build = workspace.dbt_target / "build"
    invocation = json.loads((build / "run_results.warehouse_models.json").read_text())["metadata"]["invocation_id"]
    events = [json.loads(line) for log in build.glob("dbt.log*") for line in log.read_text().splitlines()]
    return any(
        event["info"]["invocation_id"] == invocation and event["info"]["name"] == "UnableToPartialParse"
        for event in events
    )


def test_a_run_killed_in_each_stage_recovers_without_duplicates_or_loss(demo_run: DemoRun, tmp_path: Path):
    """Kill -9 during ingest, dbt and publish; the rerun of the last two days (a second run of days already run,
    so also the idempotence check) publishes marts identical to the demo's.

    The rerun's window differs from the killed runs': like a nightly after a nightly, its dbt commands reuse the
    workspace's last parse instead of parsing the project again."""
    workspace = copy_of(demo_run, tmp_path)
    expected = published_marts(demo_run.workspace)
    day = demo_run.last
    for stage, marker in [
        ("ingest", f"raw/tool_activity {day}"),
        ("dbt", "START sql table model"),
        ("publish", "publishing release"),
    ]:
        kill_when(start_run(workspace, day), marker)
        assert_consistent(workspace), stage
    assert run_isolated(workspace, day - timedelta(days=1), day, full_refresh=False)
    assert_consistent(workspace)
    assert published_marts(workspace) == expected
    assert not dbt_parsed_the_whole_project(workspace)


def test_a_late_file_is_picked_up_by_the_sensor_and_reprocesses_its_day(demo_run, tmp_path):
    workspace = copy_of(demo_run, tmp_path)
    cursor = json.dumps(landing_state(workspace))
    late_day = demo_run.first + timedelta(days=2)
    with duckdb.connect(str(demo_run.workspace.warehouse), read_only=True) as con:
        identity, tool = con.execute(
            "select identity, tool from intermediate.int_tool_activity_attributed "
            "where attribution_status = 'attributed' and tool = 'claude_code' and activity_date = ? limit 1",
            [late_day],
        ).fetchall()[0]
    late_events = [
        {
            "event_id": f"late-{n}",
            "occurred_at": f"{late_day}T13:0{n}:00Z",
            "identity": identity,
            "tool": tool,
            "event_type": "commit_created",
        }
        for n in range(5)
    ]
    (workspace.landing / "usage" / f"{late_day}.late.ndjson").write_text(
        "".join(json.dumps(event) + "\n" for event in late_events)
    )
    resources = resources_of(workspace)
    with dg.build_sensor_context(
        cursor=cursor, instance=dg.DagsterInstance.ephemeral(), resources=resources
    ) as context:
        [request] = landing_files_sensor(context).run_requests
    start, end = request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]
    assert start == end == str(late_day)
    assert run_isolated(workspace, late_day, late_day, full_refresh=False)

    sql = "select value_deriving_events from main.mart_tool_monthly where tool = ? and month_start = ?"
    month = late_day.replace(day=1)
    before = published_marts(demo_run.workspace)
    with (
        duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as new,
        duckdb.connect(str(demo_run.workspace.published / "current" / "marts.duckdb"), read_only=True) as old,
    ):
        assert new.execute(sql, [tool, month]).fetchall()[0][0] == old.execute(sql, [tool, month]).fetchall()[0][0] + 5
    after = published_marts(workspace)
    assert after["mart_team_weekly"] != before["mart_team_weekly"]


def test_a_second_run_of_the_same_workdir_fails_clearly(tiny_workspace: Workspace, capsys):
    with workdir_lock(tiny_workspace):
        code = main(["run", "--landing", str(tiny_workspace.landing), "--workdir", str(tiny_workspace.workdir)])
    assert code == 2
    error = capsys.readouterr().err
    assert f"{tiny_workspace.workdir} is in use by another run (pid {os.getpid()}" in error


def test_a_moved_workdir_publishes_its_data_docs_into_itself(demo_run: DemoRun, tmp_path: Path):
    """The GX project stored the first workdir's absolute path: a moved copy rendered into the original."""
    original = copy_of(demo_run, tmp_path / "first")
    moved = Workspace(landing=original.landing, workdir=tmp_path / "moved")
    shutil.move(original.workdir, moved.workdir)
    original.workdir.mkdir()  # an empty folder where the workdir was, so a write there would be kept
    pages_before = len(list((moved.published / "quality" / "validations").rglob("*.html")))
    # the copy's GX project came from the demo's workdir: its pages must not land there either
    demo_pages = tree_digest(demo_run.workspace.published / "quality")
    assert run_isolated(moved, demo_run.last, demo_run.last, full_refresh=False)
    assert list(original.workdir.rglob("*")) == []
    assert tree_digest(demo_run.workspace.published / "quality") == demo_pages
    assert len(list((moved.published / "quality" / "validations").rglob("*.html"))) > pages_before
