"""Read what the report shows from a release's marts.duckdb (read-only): published columns only, as rows."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MAX_SIGNAL_ROWS = 200  # per signal type and state: the full list is in mart_guard_signals


@dataclass(frozen=True)
class ReportData:
    """The published marts the report shows, as lists of dicts. Guard signals are counted in SQL and only the
    latest MAX_SIGNAL_ROWS of each type and state are read."""

    team_weeks: list[dict]
    org_weeks: list[dict]
    company_weeks: list[dict]
    tool_months: list[dict]
    tool_days: list[dict]
    teams: list[dict]
    signals: list[dict]
    unattributed: list[dict]
    pull_request_weeks: list[dict] = field(default_factory=list)  # mart_pull_requests_weekly
    signal_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> open, acknowledged, excluded
    impact: list[dict] = field(default_factory=list)  # mart_ai_impact
    cohorts: list[dict] = field(default_factory=list)  # teams per mart_team_cohorts cohort
    tool_spend_months: list[dict] = field(default_factory=list)  # mart_tool_spend_monthly
    sprawl_months: list[dict] = field(default_factory=list)  # mart_tool_sprawl_monthly, org and company rows


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_report_data(marts: Path) -> ReportData:
    with duckdb.connect(str(marts), read_only=True) as con:
        return ReportData(
            team_weeks=_rows(con, "select * from mart_team_weekly order by team_id, week_start"),
            org_weeks=_rows(con, "select * from mart_org_weekly order by org, week_start"),
            company_weeks=_rows(con, "select * from mart_company_weekly order by week_start"),
            tool_months=_rows(con, "select * from mart_tool_monthly order by tool, month_start"),
            tool_days=_rows(con, "select * from mart_tool_daily order by tool, activity_date"),
            teams=_rows(con, "select team_id, team_name, org, velocity_target from dim_teams order by org, team_name"),
            pull_request_weeks=_rows(
                con, "select * from mart_pull_requests_weekly order by team_id, week_start, is_ai_assisted desc"
            ),
            signals=_rows(
                con,
                "select * from mart_guard_signals qualify row_number() over (partition by signal_type, "
                f"is_acknowledged order by period_start desc, entity_id) <= {MAX_SIGNAL_ROWS} "
                "order by signal_type, is_acknowledged, period_start desc, entity_id",
            ),
            signal_counts={
                row["signal_type"]: row
                for row in _rows(
                    con,
                    "select signal_type, count(*) filter (where not is_acknowledged) as open, "
                    "count(*) filter (where is_acknowledged) as acknowledged, "
                    "count(*) filter (where is_excluded) as excluded from mart_guard_signals group by signal_type",
                )
            },
            impact=_rows(
                con,
                "select * from mart_ai_impact order by outcome, scope <> 'all_teams', scope, estimator, "
                "event_week nulls first",
            ),
            tool_spend_months=_rows(con, "select * from mart_tool_spend_monthly order by tool, month_start"),
            sprawl_months=_rows(
                con,
                "select * from mart_tool_sprawl_monthly where scope in ('org', 'company') "
                "order by scope, scope_id, month_start",
            ),
            cohorts=_rows(
                con, "select cohort, count(*) as teams from mart_team_cohorts group by cohort order by cohort"
            ),
            unattributed=_rows(
                con,
                "select attribution_status, tool, sum(identities) as identity_days, "
                "sum(activity_count) as activity_count from mart_unattributed_activity "
                "group by attribution_status, tool order by attribution_status, tool",
            ),
        )
