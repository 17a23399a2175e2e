-- Tool x UTC day: daily and rolling 28-day active engineers, licensed engineers and utilisation.
-- Licence columns are null for tools that need no licence. Incremental by day.
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_day('activity_date'),
    )
}}

with

dates as (

    select calendar_date as date_day from {{ ref('dim_dates') }}
    where is_in_data
        and {{ window_filter('calendar_date') }}

),

tools as (

    select * from {{ ref('dim_tools') }}

),

active_days as (

    select distinct
        activity_date,
        engineer_id,
        tool
    from {{ ref('fct_tool_activity_daily') }}
    where is_active_type
        and {{ window_filter('activity_date', lookback_days=active_window_lookback_days()) }}

),

licensed as (

    select * from {{ ref('int_tool_days_licensed') }}
    where {{ window_filter('date_day') }}

),

daily_active as (

    select
        dates.date_day,
        active_days.tool,
        count(distinct case when active_days.activity_date = dates.date_day then active_days.engineer_id end)
            as daily_active_users,
        count(distinct active_days.engineer_id) as rolling_28d_active_users
    from dates
    inner join active_days
        on dates.date_day >= active_days.activity_date
        and active_days.activity_date >= {{ active_window_start('dates.date_day') }}
    group by dates.date_day, active_days.tool

),

final as (

    select
        tools.tool,
        dates.date_day as activity_date,
        cast(coalesce(daily_active.daily_active_users, 0) as {{ dbt.type_bigint() }}) as daily_active_users,
        cast(coalesce(daily_active.rolling_28d_active_users, 0) as {{ dbt.type_bigint() }}) as rolling_28d_active_users,
        case when tools.requires_licence then coalesce(licensed.licensed_engineers, 0) end as licensed_engineers,
        case when tools.requires_licence then licensed.licence_utilisation end as licence_utilisation
    from dates
    cross join tools
    left join daily_active
        on dates.date_day = daily_active.date_day
        and tools.tool = daily_active.tool
    left join licensed
        on dates.date_day = licensed.date_day
        and tools.tool = licensed.tool

)

select * from final
