"""The team-week panel the impact estimates are made from: the warehouse's int_team_weeks_cohorted (the published
team-weeks with each team's org, velocity target, cohort and adoption week; its definition is in dbt)."""

import duckdb
import pandas as pd

PANEL_MODEL = "int_team_weeks_cohorted"


def read_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per team-week of every team: its org, velocity target, cohort, adoption week and outcomes."""
    return con.execute(f"select * from intermediate.{PANEL_MODEL} order by team_id, week_start").df()
