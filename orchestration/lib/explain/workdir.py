"""Explaining one value: the team or tool explainer chosen by metric, compared with the current publication,
over a work folder's warehouse opened read-only."""

from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib import lake_fs
from orchestration.lib.explain.impact import HEADLINE, explain_impact
from orchestration.lib.explain.queries import week_of
from orchestration.lib.explain.records import (
    IMPACT_METRICS,
    METRICS,
    TEAM_METRICS,
    TOOL_METRICS,
    ExplainError,
    Explanation,
)
from orchestration.lib.explain.team import explain_team
from orchestration.lib.explain.tool import explain_tool
from orchestration.lib.lake_fs import LakePath


def explain(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    *,
    team: str | None = None,
    week: date | None = None,
    tool: str | None = None,
    month: date | None = None,
    published: duckdb.DuckDBPyConnection | None = None,
    published_release: str | None = None,
) -> Explanation:
    """Explain one value of a metric mart. con: the warehouse (read-only); published: the current release."""
    if metric in TEAM_METRICS:
        if not team or week is None:
            raise ExplainError(f"{metric} is a team metric: pass --team and --week")
        explanation = explain_team(con, metric, team, week_of(week))
        key_sql = "select {metric} from mart_team_weekly where team_id = ? and week_start = ?"
        key = [team, week_of(week)]
    elif metric in TOOL_METRICS:
        if not tool or month is None:
            raise ExplainError(f"{metric} is a tool metric: pass --tool and --month")
        explanation = explain_tool(con, metric, tool, month.replace(day=1))
        key_sql = "select {metric} from mart_tool_monthly where tool = ? and month_start = ?"
        key = [tool, month.replace(day=1)]
    elif metric in IMPACT_METRICS:
        explanation = explain_impact(con)
        key_sql = (
            "select estimate from mart_ai_impact where outcome = ? and scope = ? and estimator = 'callaway_santanna' "
            "and effect_window = '0..+8'"
        )
        key = [HEADLINE["outcome"], HEADLINE["scope"]]
    else:
        raise ExplainError(f"unknown metric {metric!r}; one of: {', '.join(METRICS)}")
    if published is not None:
        rows = published.execute(key_sql.format(metric=metric), key).fetchall()
        explanation.published_value = rows[0][0] if rows else None
        explanation.published_release = published_release
        if not rows:
            explanation.notes.append("The current publication has no row for this key.")
        elif explanation.published_value != explanation.value:
            explanation.notes.append(
                "The warehouse and the current publication differ: the last run did not publish (a gate failed) "
                "or is still running."
            )
    return explanation


def explain_workdir(workdir: Path, metric: str, lake: LakePath | None = None, **grain) -> Explanation:
    """explain() over <workdir>/warehouse.duckdb (read-only), compared with published/current when there is one.

    The warehouse's staging views read the lake: one on an object store is registered (lake_fs.register)."""
    warehouse = workdir / "warehouse.duckdb"
    if not warehouse.exists():
        raise ExplainError(f"{warehouse} does not exist: run the pipeline first (aaw demo / aaw run)")
    current = workdir / "published" / "current"
    try:
        with lake_fs.register(duckdb.connect(str(warehouse), read_only=True), lake or workdir / "lake") as con:
            if not (current / "marts.duckdb").exists():
                return explain(con, metric, **grain)
            with duckdb.connect(str(current / "marts.duckdb"), read_only=True) as published:
                return explain(con, metric, **grain, published=published, published_release=current.resolve().name)
    except duckdb.IOException as error:
        raise ExplainError(f"cannot open {warehouse} read-only (is a run writing it right now?): {error}") from error
