"""The impact estimator asset over a warehouse holding the marts it reads (built here from a simulated
organisation, no pipeline run): it writes the rows mart_ai_impact reads, in the columns the model documents."""

import dagster as dg
import duckdb
import pandas as pd

from orchestration.defs.impact.assets import ai_impact_estimates
from orchestration.lib.impact import ESTIMATE_COLUMNS
from orchestration.lib.published_models import published_models
from orchestration.lib.workspace import Workspace
from tests.conftest import resources_of
from tests.lib.impact.simulation import Organisation, simulate


def _warehouse(workspace: Workspace, panel: pd.DataFrame) -> None:
    """The panel model as the warehouse build leaves it, for an organisation without failures or pull requests."""
    workspace.warehouse.parent.mkdir(parents=True, exist_ok=True)
    frame = panel.assign(change_failure_rate=None, lead_time_hours_p50=None, ai_assisted_pr_share=None)
    with duckdb.connect(str(workspace.warehouse)) as con:
        con.execute("create schema intermediate")
        con.register("frame", frame)
        con.execute("create table intermediate.int_team_weeks_cohorted as select * from frame")


def test_the_asset_writes_every_estimate_in_the_documented_columns(tiny_workspace):
    panel = simulate(Organisation(teams=30, weeks=20, effect=0.5, seed=9))
    _warehouse(tiny_workspace, panel)
    result = dg.materialize([ai_impact_estimates], resources=resources_of(tiny_workspace))
    assert result.success
    written = pd.read_parquet(tiny_workspace.impact_estimates)
    assert list(written.columns) == list(ESTIMATE_COLUMNS)
    assert list(written.columns) == list(published_models()["mart_ai_impact"].columns)
    headline = written[(written["scope"] == "all_teams") & written["event_week"].isna()].set_index("estimator")
    assert headline.loc["callaway_santanna", "is_reliable"]
    assert headline.loc["callaway_santanna", "ci_low"] <= 0.5 <= headline.loc["callaway_santanna", "ci_high"]
    # a withheld estimate is null where dbt reads it, never NaN (the 10x tier has 6 teams: too few)
    [(nulls, nans)] = duckdb.sql(
        f"select count(*) filter (where estimate is null), count(*) filter (where isnan(estimate)) "
        f"from read_parquet('{tiny_workspace.impact_estimates}')"
    ).fetchall()
    assert nulls >= 1 and nans == 0
    # outcomes the organisation does not have (no failure rate, no pull requests) get no rows
    assert set(written["outcome"]) == {"deploys_per_engineer"}
    [materialization] = result.asset_materializations_for_node("impact__ai_impact_estimates")
    assert materialization.metadata["reliable_estimates"].value >= 1
