-- Grain: engineer x tool x value-deriving activity type x UTC day (VDE = the summed quantity
-- of activity types with is_value_deriving = true).
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_day('activity_date'),
    )
}}

with

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}
    where is_value_deriving_type
        and {{ window_filter('activity_date') }}

),

final as (

    select
        activity_day_id as value_event_day_id,
        activity_date,
        week_start,
        engineer_key,
        engineer_id,
        team_id,
        tool,
        activity_type,
        value_deriving_events
    from activity

)

select * from final
