"""The team-week panel the impact estimates are made from, read from the warehouse's published marts."""

import duckdb
import pandas as pd

from orchestration.lib.impact.estimate import OUTCOMES

PANEL_SQL = f"""
select
    team_weeks.team_id,
    teams.org,
    teams.velocity_target,
    team_weeks.week_start,
    cohorts.cohort,
    cohorts.adoption_week,
    {", ".join(f"team_weeks.{outcome}" for outcome in OUTCOMES)}
from main.mart_team_weekly as team_weeks
inner join main.mart_team_cohorts as cohorts
    on team_weeks.team_id = cohorts.team_id
inner join main.dim_teams as teams
    on team_weeks.team_id = teams.team_id
order by team_weeks.team_id, team_weeks.week_start
"""


def read_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per team-week of every team: its org, velocity target, cohort, adoption week and outcomes."""
    return con.execute(PANEL_SQL).df()
