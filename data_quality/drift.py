"""Set-based gates, in SQL over the lake and the warehouse (DESIGN.md, Gates).

Each function returns the violating rows as dicts (empty = the gate holds), for the asset checks to
report with the gate's name and sample rows.
"""

from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.lib import lake


def quarantine_over_tolerance(lake_root: Path, entity: str, days: list[date], tolerance: float) -> list[dict]:
    """Days whose quarantined share of read records is above tolerance."""
    violations = []
    for day in days:
        stats = lake.read_stats(lake_root, entity, day)
        if not stats or not stats["records_read"]:
            continue
        share = stats["quarantined"] / stats["records_read"]
        if share > tolerance:
            violations.append({"day": day.isoformat(), **stats, "quarantined_share": round(share, 4)})
    return violations


def silent_deployment_days(lake_root: Path, days: list[date]) -> list[dict]:
    """Days with no deployments file at all (an empty file is an explicit zero, not silence)."""
    return [
        {"day": day.isoformat(), "expected": "landing/deployments/YYYY-MM-DD.ndjson (empty when no deploys)"}
        for day in days
        if not (lake.read_stats(lake_root, "deployments", day) or {}).get("files")
    ]


def silent_tools(lake_root: Path, days: list[date]) -> list[dict]:
    """Tools with usage on each of the 7 days before a day and none on it."""
    if not any((lake_root / "raw" / "tool_activity").glob("*/*.parquet")):
        return [{"day": day.isoformat(), "tool": "(any)", "detail": "no usage data at all"} for day in days]
    first, last = min(days) - timedelta(days=7), max(days)
    # the partitions of the window and the week before it, not every partition of the lake
    window = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    files = [
        str(path)
        for day in window
        if (path := lake_root / "raw" / "tool_activity" / lake.partition_name(day) / "data.parquet").exists()
    ]
    if not files:
        return []
    with duckdb.connect() as con:
        rows = con.execute(
            """
            with usage_days as (
                select distinct tool, cast(day as date) as day
                from read_parquet(?, hive_partitioning = true)
            ),
            tools as (select distinct tool from usage_days),
            checked as (
                select tools.tool, wanted.day,
                    (
                        select count(*) from usage_days as prior
                        where prior.tool = tools.tool and prior.day between wanted.day - 7 and wanted.day - 1
                    ) as prior_days,
                    exists (select 1 from usage_days as today
                            where today.tool = tools.tool and today.day = wanted.day) as has_usage
                from tools cross join (select unnest(?::date[]) as day) as wanted
            )
            select tool, cast(day as varchar) as day, prior_days from checked
            where prior_days = 7 and not has_usage
            order by day, tool
            """,
            [files, days],
        ).fetchall()
    return [
        {"day": day, "tool": tool, "detail": "usage on each of the previous 7 days, none today"}
        for tool, day, _ in rows
    ]


def unattributed_over_tolerance(con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float) -> list[dict]:
    """Days whose activity from identities not on the roster (unacknowledged) exceeds tolerance."""
    return _rows(
        con,
        """
        with acknowledgements as (
            select entity_id, period_start from staging.stg_reference__guard_acknowledgements
            where signal_type = 'unattributed_identity'
        ),
        first_seen as (
            -- an acknowledgement with a period matches the identity's first unattributed day, as in the signal
            select identity, min(activity_date) as first_day
            from intermediate.int_tool_activity_attributed
            where attribution_status = 'unresolved_identity'
                and identity in (select entity_id from acknowledgements)
            group by identity
        ),
        acknowledged as (
            select first_seen.identity as entity_id
            from first_seen
            inner join acknowledgements
                on first_seen.identity = acknowledgements.entity_id
                and (acknowledgements.period_start is null or acknowledgements.period_start = first_seen.first_day)
        ),
        daily as (
            select
                activity_date,
                sum(activity_count) as activity,
                sum(case when attribution_status in ('unresolved_identity', 'not_on_roster_that_day')
                    and identity not in (select entity_id from acknowledged)
                    then activity_count else 0 end) as unattributed
            from intermediate.int_tool_activity_attributed
            where activity_date between ? and ?
            group by activity_date
        )
        select cast(activity_date as varchar) as day, unattributed, activity,
            round(unattributed / activity, 4) as unattributed_share
        from daily
        where activity > 0 and unattributed / activity > ?
        order by day
        """,
        [min(days), max(days), tolerance],
    )


def unowned_deploy_weeks(
    con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float, min_count: float
) -> list[dict]:
    """ISO weeks of the run with unacknowledged production deploys that no team owns, each with `blocks`.

    A week blocks when its unowned production deploys exceed `tolerance` of all its production deploys
    across the organisation and number at least `min_count`: a share of a handful of deploys is weak
    evidence (one stray deploy in a quiet week of a small organisation is already 5%), so below the
    count it only warns. The week, not the day, because the deploy metrics are weekly and a weekend
    day's few deploys would make any share jump. `services` names the week's ten services with the most
    unowned production deploys, as `service (deploys, reason)`.
    """
    return _rows(
        con,
        """
        with weeks as (
            select week_start, count(*) as production_deploys
            from main.fct_deployments
            where is_production_deploy and week_start between date_trunc('week', cast(? as date)) and ?
            group by week_start
        ),
        unowned_services as (
            select
                cast(date_trunc('week', deployed_date) as date) as week_start,
                service_id,
                min(unowned_reason) as unowned_reason,
                sum(production_deploys) as unowned
            from main.mart_unowned_deployments
            where not is_acknowledged and production_deploys > 0
                and date_trunc('week', deployed_date) between date_trunc('week', cast(? as date)) and ?
            group by all
        ),
        ranked as (
            select *, row_number() over (partition by week_start order by unowned desc, service_id) as service_rank
            from unowned_services
        ),
        unowned_weeks as (
            select
                week_start,
                sum(unowned) as unowned,
                count(*) as services_unowned,
                string_agg(
                    case when service_rank <= 10
                        then service_id || ' (' || unowned || ', ' || unowned_reason || ')' end,
                    ', ' order by service_rank
                ) as services
            from ranked
            group by week_start
        )
        select
            cast(weeks.week_start as varchar) as week_start,
            unowned_weeks.unowned as unowned_production_deploys,
            weeks.production_deploys,
            round(unowned_weeks.unowned / weeks.production_deploys, 4) as unowned_share,
            unowned_weeks.unowned >= ? and unowned_weeks.unowned > ? * weeks.production_deploys as blocks,
            unowned_weeks.services_unowned,
            unowned_weeks.services
        from unowned_weeks
        inner join weeks on unowned_weeks.week_start = weeks.week_start
        order by weeks.week_start
        """,
        [min(days), max(days), min(days), max(days), min_count, tolerance],
    )


def org_headline_jumps(con: duckdb.DuckDBPyConnection, days: list[date]) -> list[dict]:
    """Org-weeks whose deploys per engineer moved 10x or more against the full week before."""
    return _rows(
        con,
        """
        with complete_weeks as (
            -- a partial week (the data ends on a Monday, say) would look like a 7x drop: compare full weeks
            select week_start from main.dim_dates where is_in_data group by week_start having count(*) = 7
        ),
        weeks as (
            select org, week_start, deploys_per_engineer,
                lag(deploys_per_engineer) over (partition by org order by week_start) as previous
            from main.mart_org_weekly
            where week_start in (select week_start from complete_weeks)
        )
        select org, cast(week_start as varchar) as week_start, previous, deploys_per_engineer
        from weeks
        where week_start between date_trunc('week', cast(? as date)) and ?
            and previous > 0 and deploys_per_engineer > 0
            and (deploys_per_engineer / previous >= 10 or previous / deploys_per_engineer >= 10)
        order by org, week_start
        """,
        [min(days), max(days)],
    )


def gaming_over_tolerance(con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float) -> list[dict]:
    """Org-weeks with too many guard-flagged production deploys, or days with too many bot VDE.

    Acknowledgements are matched here as mart_guard_signals matches them (signal type, entity and, when
    filled, the signal's period), without building every other guard signal over the whole history.
    """
    deploys = _rows(
        con,
        """
        with acknowledged as (
            select entity_id, period_start from staging.stg_reference__guard_acknowledgements
            where signal_type = 'deploy_spam'
        ),
        deploys as (
            select teams.org, deployments.week_start, deployments.is_spam_flagged
                and not exists (
                    select 1 from acknowledged
                    where acknowledged.entity_id = deployments.service_id
                        and (acknowledged.period_start is null or acknowledged.period_start = deployments.deployed_date)
                ) as is_counted_flag
            from main.fct_deployments as deployments
            inner join main.dim_teams as teams on deployments.team_id = teams.team_id
            where deployments.is_production_deploy and deployments.deployed_date between ? and ?
        )
        select 'deploy_spam' as guard, org, cast(week_start as varchar) as period,
            sum(case when is_counted_flag then 1 else 0 end) as flagged, count(*) as total
        from deploys
        group by org, week_start
        having sum(case when is_counted_flag then 1 else 0 end) > ? * count(*)
        order by org, week_start
        """,
        [min(days), max(days), tolerance],
    )
    bots = _rows(
        con,
        """
        with acknowledged as (
            select bots.identity as entity_id
            from intermediate.int_bot_identities_flagged as bots
            inner join staging.stg_reference__guard_acknowledgements as acknowledgements
                on acknowledgements.signal_type = 'bot_activity'
                and acknowledgements.entity_id = bots.identity
                and (acknowledgements.period_start is null or acknowledgements.period_start = bots.first_seen_date)
        ),
        daily as (
            select
                activity_date,
                sum(case when attribution_status = 'bot_activity'
                    and identity not in (select entity_id from acknowledged)
                    then activity_count else 0 end) as flagged,
                sum(activity_count) as total
            from intermediate.int_tool_activity_attributed
            where is_value_deriving_type and activity_date between ? and ?
            group by activity_date
        )
        select 'bot_activity' as guard, 'all orgs' as org, cast(activity_date as varchar) as period, flagged, total
        from daily
        where flagged > ? * total
        order by activity_date
        """,
        [min(days), max(days), tolerance],
    )
    return deploys + bots


def incomplete_team_weeks(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Teams with headcount in some week but no mart_team_weekly row for a week of the data."""
    return _rows(
        con,
        """
        with staffed as (select distinct team_id from main.mart_team_weekly where headcount > 0),
        weeks as (select distinct week_start from main.dim_dates),
        expected as (select team_id, week_start from staffed cross join weeks)
        select expected.team_id, cast(expected.week_start as varchar) as week_start
        from expected
        left join main.mart_team_weekly as mart using (team_id, week_start)
        where mart.team_id is null
        order by 1, 2
        """,
        [],
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    relation = con.execute(sql, parameters)
    names = [column[0] for column in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
