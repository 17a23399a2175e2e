"""`aaw status`: the last runs with their window and failures, the current publication, open guard signals."""

from pathlib import Path

import dagster as dg
import duckdb

from orchestration.cli import main
from orchestration.lib.status import left_out_lines, read_runs, read_status, render_text
from orchestration.lib.workspace import Workspace


def read_status_of(workdir: Path):
    return read_status(Workspace(landing=workdir / "landing", workdir=workdir))


def test_status_shows_the_succeeded_run_and_its_publication(demo_run, capsys):
    assert demo_run.succeeded
    status = read_status(demo_run.workspace)
    run = status.runs[0]
    assert run.status == "SUCCESS" and not run.failed_checks and not run.failed_steps
    assert run.window == (demo_run.first.isoformat(), demo_run.last.isoformat())
    assert run.started_at is not None and run.ended_at is not None and run.ended_at >= run.started_at

    publication = status.publication
    assert publication is not None and publication.run_id == run.run_id
    assert publication.release == (demo_run.workspace.published / "current").resolve().name
    assert publication.data_window == {"first_day": demo_run.first.isoformat(), "last_day": demo_run.last.isoformat()}
    assert publication.row_counts["mart_team_weekly"] > 0 and not publication.checks_failed

    with duckdb.connect(str(demo_run.workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        open_signals = dict(
            con.execute(
                "select signal_type, count(*) from mart_guard_signals where not is_acknowledged group by 1"
            ).fetchall()
        )
    assert status.open_signals == open_signals
    assert all(len(status.signal_examples[kind]) == min(count, 3) for kind, count in open_signals.items())

    assert main(["status", "--workdir", str(demo_run.workspace.workdir)]) == 0
    output = capsys.readouterr().out
    assert run.run_id in output and "SUCCESS" in output and publication.release in output
    assert f"{demo_run.first}..{demo_run.last}" in output
    assert all(f"{kind}: {count}" in output for kind, count in open_signals.items())


def test_status_of_an_empty_workdir(tmp_path: Path):
    status = read_status_of(tmp_path)
    assert status.runs == [] and status.publication is None and status.open_signals == {}
    assert "none yet" in render_text(status)
    assert not (tmp_path / "dagster_home").exists(), "status never creates a run history"


@dg.asset
def landed() -> int:
    return 1


@dg.asset_check(asset=landed, blocking=True)
def landed_is_complete() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, description="2 days missing")


@dg.asset(deps=[landed])
def modelled() -> int:
    return 2


@dg.asset
def broken() -> int:
    raise ValueError("the warehouse file is locked")


def test_failed_runs_list_the_failed_checks_and_steps(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        gated = dg.Definitions(assets=[landed, modelled], asset_checks=[landed_is_complete])
        gated.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={
                "dagster/asset_partition_range_start": "2026-01-05",
                "dagster/asset_partition_range_end": "2026-01-11",
            },
        )
        dg.materialize([broken], instance=instance, raise_on_error=False)

    step_failure, check_failure = read_runs(home)  # newest first
    assert check_failure.status == "FAILURE" and check_failure.window == ("2026-01-05", "2026-01-11")
    assert check_failure.failed_checks == ["[ERROR] landed landed_is_complete: 2 days missing"]
    assert check_failure.failed_steps == []  # the blocked step is the check, listed once
    assert step_failure.status == "FAILURE" and step_failure.window == (None, None)
    assert step_failure.failed_steps == ["broken: ValueError: the warehouse file is locked"]
    text = render_text(read_status_of(tmp_path))
    assert "failed check [ERROR] landed landed_is_complete: 2 days missing" in text
    assert "the warehouse file is locked" in text


def test_a_scheduled_run_shows_its_one_day_as_its_window(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        dg.materialize([landed], instance=instance, tags={"dagster/partition": "2026-01-12"})  # as the schedule tags
    [run] = read_runs(home)
    assert run.window == ("2026-01-12", "2026-01-12")


def test_records_left_out_name_the_quarantined_and_the_excluded_by_reason():
    totals = {
        "survey_responses": {
            "records_read": 120,
            "quarantined": 1,
            "excluded": 7,
            "excluded_by_reason": {"partial response": 6, "survey preview": 1},
        },
        "teams": {"records_read": 12, "quarantined": 0, "excluded": 0, "excluded_by_reason": {}},
    }
    assert left_out_lines(totals) == [
        "survey_responses: 1 quarantined (lake/quarantine), 7 excluded by definition "
        "(partial response 6, survey preview 1) of 120 read"
    ]
