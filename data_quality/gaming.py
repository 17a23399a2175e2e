"""The gaming gate in SQL: guard-flagged records that would move a headline metric, per org-week or day, beyond
gaming_tolerance (deploy spam, split pull requests, bot activity), acknowledged cases excepted."""

from datetime import date

import duckdb

from data_quality.drift import query_rows


def gaming_over_tolerance(con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float) -> list[dict]:
    """Org-weeks with too many guard-flagged production deploys or split merged pull requests (pr_splitting), or
    days with too many bot VDE.

    Acknowledgements are matched here as mart_guard_signals matches them (signal type, entity and, when
    filled, the signal's period), without building every other guard signal over the whole history.
    """
    deploys = query_rows(
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
    bots = query_rows(
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
    pull_requests = query_rows(
        con,
        """
        with acknowledged as (
            -- a signal is an engineer's week, named by one of their identities: it covers all their pull requests
            select distinct pulls.author_key, pulls.week_start
            from intermediate.int_guard_signals_acknowledged as signals
            inner join intermediate.int_pull_requests_attributed as pulls
                on signals.entity_id = pulls.author and signals.period_start = pulls.week_start
            where signals.signal_type = 'pr_splitting' and signals.is_acknowledged
        ),
        merged as (
            select teams.org, pulls.week_start, pulls.is_split_flagged
                and not exists (
                    select 1 from acknowledged
                    where acknowledged.author_key = pulls.author_key
                        and acknowledged.week_start = pulls.week_start
                ) as is_counted_flag
            from intermediate.int_pull_requests_attributed as pulls
            inner join main.dim_teams as teams on pulls.team_id = teams.team_id
            where pulls.merged_date between ? and ?
        )
        select 'pr_splitting' as guard, org, cast(week_start as varchar) as period,
            sum(case when is_counted_flag then 1 else 0 end) as flagged, count(*) as total
        from merged
        group by org, week_start
        having sum(case when is_counted_flag then 1 else 0 end) > ? * count(*)
        order by org, week_start
        """,
        [min(days), max(days), tolerance],
    )
    return deploys + pull_requests + bots


def spend_spikes_over_tolerance(con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float) -> list[dict]:
    """Days whose usage cost is more than `tolerance` unacknowledged spend spikes: a spend row counts as flagged
    when its identity's day on its tool, or its tool's day, is a spike nobody acknowledged (a leaked key or a
    runaway agent spending in the dark). Acknowledgements come from int_guard_signals_acknowledged, which matches
    them as for every signal (signal type, entity, and the day when filled)."""
    return query_rows(
        con,
        """
        with unacknowledged as (
            select spikes.entity_type, spikes.entity_id, spikes.tool, spikes.spend_date
            from intermediate.int_spend_spikes_flagged as spikes
            where spikes.spend_date between ? and ?
                and not exists (
                    select 1 from intermediate.int_guard_signals_acknowledged as signals
                    where signals.signal_type = 'spend_spike' and signals.is_acknowledged
                        and signals.entity_type = spikes.entity_type and signals.entity_id = spikes.entity_id
                        and signals.period_start = spikes.spend_date
                )
        ),
        daily as (
            select
                spend.spend_date,
                sum(case when by_identity.entity_id is not null or by_tool.entity_id is not null
                    then spend.amount_usd else 0 end) as flagged,
                sum(spend.amount_usd) as total
            from intermediate.int_spend_attributed as spend
            left join unacknowledged as by_identity
                on by_identity.entity_type = 'identity' and by_identity.entity_id = spend.identity
                and by_identity.tool = spend.tool and by_identity.spend_date = spend.spend_date
            left join unacknowledged as by_tool
                on by_tool.entity_type = 'tool' and by_tool.tool = spend.tool
                and by_tool.spend_date = spend.spend_date
            where spend.spend_kind in ('usage', 'credit') and spend.spend_date between ? and ?
            group by spend.spend_date
        )
        select 'spend_spike' as guard, 'all orgs' as org, cast(spend_date as varchar) as period,
            round(flagged, 2) as flagged, round(total, 2) as total
        from daily
        where flagged > ? * total
        order by spend_date
        """,
        [min(days), max(days), min(days), max(days), tolerance],
    )
