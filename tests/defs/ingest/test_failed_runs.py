"""A run that fails a gate, fails a step or is killed leaves the lake as it was; only a published run keeps
its lake changes, so a later run never builds the marts on a half-applied failure.

Every test works on a copy of the session's demo (landing + workdir), as a nightly run would find it.
"""

from datetime import date, timedelta

import duckdb
import pytest

from orchestration.lib.journal import ROLLED_BACK, open_journals, settle_abandoned
from orchestration.lib.workspace import Workspace
from tests.conftest import DemoRun, run_isolated, tree_digest
from tests.test_operations import copy_of, kill_when, published_marts, start_run


def partitions(workspace: Workspace, entity: str) -> list[str]:
    return sorted(path.name for path in (workspace.raw / entity).glob("day=*"))


def test_a_run_failing_a_landing_gate_leaves_the_lake_and_later_publications_whole(demo_run: DemoRun, tmp_path):
    """A window whose deployment files are missing removes its partitions, then fails source_not_silent.
    The lake must come back as it was, so a later run of another day publishes every week again."""
    workspace = copy_of(demo_run, tmp_path)
    before = tree_digest(workspace.lake)
    deploy_days = partitions(workspace, "deployments")
    # the third week: the gate judges a day against the same weekday of the weeks before it
    third_week = [demo_run.first + timedelta(days=offset) for offset in range(14, 21)]
    for day in third_week:
        (workspace.landing / "deployments" / f"{day}.ndjson").unlink()

    assert not run_isolated(workspace, third_week[0], third_week[-1], full_refresh=False)
    assert partitions(workspace, "deployments") == deploy_days
    assert tree_digest(workspace.lake) == before

    # the feed of the third week is still broken, but a run of the first day does not read it
    assert run_isolated(workspace, demo_run.first, demo_run.first, full_refresh=False)
    assert published_marts(workspace) == published_marts(demo_run.workspace)
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        sql = "select sum(production_deploys) from main.mart_team_weekly where week_start = ?"
        assert con.execute(sql, [third_week[0]]).fetchall()[0][0] > 0  # the third week's deploys are back


@pytest.mark.parametrize(
    ("case", "failure"),
    [
        ("an ingest step fails", "teams/teams.csv: cannot be read"),
        ("a publication gate fails", "gaming_within_tolerance"),
    ],
)
def test_a_run_failing_later_in_the_pipeline_leaves_the_lake_as_it_was(demo_run, tmp_path, capsys, case, failure):
    workspace = copy_of(demo_run, tmp_path)
    before = tree_digest(workspace.lake)
    day = demo_run.last
    if case == "an ingest step fails":  # the other ingest assets have written their partitions by then
        (workspace.landing / "teams" / "teams.csv").write_text("team;name\nteam-0001;Alpha\n")
    else:  # dbt has built the warehouse from the run's lake when the gate stops publication
        (workspace.landing / "reference" / "guard_acknowledgements.csv").unlink()
        day = date.fromisoformat(demo_run.ground_truth["deploy_spam"][0]["day"])
    assert not run_isolated(workspace, day, day, full_refresh=False)
    assert failure in capsys.readouterr().out
    assert tree_digest(workspace.lake) == before


def test_a_run_killed_after_ingest_is_rolled_back_by_the_next_run(demo_run: DemoRun, tmp_path):
    workspace = copy_of(demo_run, tmp_path)
    before = tree_digest(workspace.lake)
    kill_when(start_run(workspace, demo_run.last), "START sql table model")  # dbt is building: ingest is done
    assert open_journals(workspace.lake) and tree_digest(workspace.lake) != before
    assert list(settle_abandoned(workspace.lake).values()) == [ROLLED_BACK]  # what the next run does first
    assert tree_digest(workspace.lake) == before
