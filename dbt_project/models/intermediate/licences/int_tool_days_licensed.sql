-- Tool x UTC day with licence days: engineers with access, those of them active in the active window
-- (var active_window_days), and licence utilisation, their ratio (null without a licensed engineer).
-- The one definition of utilisation: mart_tool_daily shows it per day, mart_tool_monthly on the month's
-- last day in the data.
with

licence_days as (

    select * from {{ ref('fct_licence_days') }}

),

counted as (

    select
        date_day,
        tool,
        cast(sum(case when has_access then 1 else 0 end) as {{ dbt.type_bigint() }}) as licensed_engineers,
        cast(sum(case when has_access and is_active_28d then 1 else 0 end) as {{ dbt.type_bigint() }})
            as active_licensed_engineers
    from licence_days
    group by date_day, tool

),

utilised as (

    select
        date_day,
        tool,
        licensed_engineers,
        active_licensed_engineers,
        case
            when licensed_engineers > 0
                then cast(active_licensed_engineers as {{ type_double() }}) / licensed_engineers
        end as licence_utilisation
    from counted

)

select * from utilised
