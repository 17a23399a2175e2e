-- Engineer x team x ISO week, by pseudonymous key only, for drill-down by authorised analysts.
-- A mover appears once per team they were on that week.
with

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}
    where is_engineer

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}

),

deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_production_deploy and is_triggered_by_engineer

),

engineers as (

    select distinct engineer_id from engineer_days

),

weeks as (

    select distinct
        week_start,
        is_week_complete
    from {{ ref('dim_dates') }}

),

-- each engineer's key computed once (a keyed hash per engineer-day row would be wasted work)
engineer_keys as (

    select
        engineer_id,
        {{ pseudonymise('engineer_id') }} as engineer_key
    from engineers

),

memberships as (

    select distinct
        engineer_id,
        team_id,
        {{ week_start('date_day') }} as week_start
    from engineer_days
    where
        engineer_days.date_day in (
            select dim_dates.calendar_date from {{ ref('dim_dates') }} as dim_dates
            where dim_dates.is_in_data
        )

),

usage as (

    select
        engineer_id,
        team_id,
        week_start,
        count(distinct case when is_active_type then tool end) as tools_used,
        sum(value_deriving_events) as value_deriving_events
    from activity
    group by engineer_id, team_id, week_start

),

deploys as (

    select
        engineer_days.engineer_id,
        engineer_days.team_id,
        deployments.week_start,
        count(*) as deploys_triggered
    from deployments
    inner join engineer_keys
        on deployments.triggered_by_engineer_key = engineer_keys.engineer_key
    inner join engineer_days
        on deployments.deployed_date = engineer_days.date_day
        and engineer_keys.engineer_id = engineer_days.engineer_id
    group by engineer_days.engineer_id, engineer_days.team_id, deployments.week_start

),

final as (

    select
        engineer_keys.engineer_key,
        memberships.team_id,
        memberships.week_start,
        weeks.is_week_complete as is_complete,
        cast(coalesce(usage.tools_used, 0) as {{ dbt.type_bigint() }}) as tools_used,
        coalesce(usage.tools_used, 0) > 0 as is_weekly_active,
        cast(coalesce(usage.value_deriving_events, 0) as {{ dbt.type_bigint() }}) as value_deriving_events,
        cast(coalesce(deploys.deploys_triggered, 0) as {{ dbt.type_bigint() }}) as deploys_triggered
    from memberships
    inner join engineer_keys
        on memberships.engineer_id = engineer_keys.engineer_id
    inner join weeks
        on memberships.week_start = weeks.week_start
    left join usage
        on memberships.engineer_id = usage.engineer_id
        and memberships.team_id = usage.team_id
        and memberships.week_start = usage.week_start
    left join deploys
        on memberships.engineer_id = deploys.engineer_id
        and memberships.team_id = deploys.team_id
        and memberships.week_start = deploys.week_start

)

select * from final
