-- Grain: engineer x licensed tool x UTC day, for every day an engineer held access or used the tool:
-- the access-vs-usage fact. Access: a grant with granted date <= day < revoked date, held by an
-- engineer on the roster that day. Incremental by day (reads active_window_days - 1 days back for the
-- window). Idle seats are per grant, whoever holds it: int_licence_seat_days_idled.
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_day('date_day'),
    )
}}

with

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}
    where is_engineer
        and {{ window_filter('date_day', lookback_days=active_window_lookback_days()) }}

),

grants as (

    select * from {{ ref('int_licence_grants_resolved') }}
    where engineer_id is not null

),

tools as (

    select * from {{ ref('dim_tools') }}
    where requires_licence

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}
    where is_active_type
        and {{ window_filter('activity_date', lookback_days=active_window_lookback_days()) }}

),

access_days as (

    select
        engineer_days.date_day,
        engineer_days.engineer_id,
        engineer_days.team_id,
        grants.tool,
        count(*) as seats_held
    from engineer_days
    inner join grants
        on engineer_days.engineer_id = grants.engineer_id
        and engineer_days.date_day >= grants.granted_date
        and (grants.revoked_date is null or engineer_days.date_day < grants.revoked_date)
    inner join tools
        on grants.tool = tools.tool
    group by engineer_days.date_day, engineer_days.engineer_id, engineer_days.team_id, grants.tool

),

active_days as (

    select distinct
        activity.activity_date as date_day,
        activity.engineer_id,
        activity.team_id,
        activity.tool
    from activity
    inner join tools
        on activity.tool = tools.tool

),

combined as (

    select
        coalesce(access_days.date_day, active_days.date_day) as date_day,
        coalesce(access_days.engineer_id, active_days.engineer_id) as engineer_id,
        coalesce(access_days.team_id, active_days.team_id) as team_id,
        coalesce(access_days.tool, active_days.tool) as tool,
        access_days.engineer_id is not null as has_access,
        active_days.engineer_id is not null as is_active,
        coalesce(access_days.seats_held, 0) as seats_held
    from access_days
    full outer join active_days
        on access_days.date_day = active_days.date_day
        and access_days.engineer_id = active_days.engineer_id
        and access_days.tool = active_days.tool

),

with_trailing as (

    select
        *,
        max(case when is_active then date_day end) over (
            partition by engineer_id, tool order by date_day rows between unbounded preceding and current row
        ) as last_active_date
    from combined

),

final as (

    select
        {{ generate_surrogate_key(['date_day', 'engineer_id', 'tool']) }} as licence_day_id,
        date_day,
        {{ pseudonymise('engineer_id') }} as engineer_key,
        engineer_id,
        team_id,
        tool,
        has_access,
        is_active,
        coalesce(last_active_date >= {{ active_window_start('date_day') }}, false) as is_active_28d,
        seats_held
    from with_trailing
    where {{ window_filter('date_day') }}

)

select * from final
