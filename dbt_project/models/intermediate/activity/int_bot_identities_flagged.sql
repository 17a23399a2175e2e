-- Bot-like identities: more than bot_max_value_events_per_minute value-deriving events in one UTC minute
-- (DESIGN.md, Guards). All their activity is excluded. Daily vendor aggregates carry no minute
-- resolution (peak_events_per_minute is null) and are never flagged here.
with

activity as (

    select * from {{ ref('stg_lake__tool_activity') }}

),

activity_types as (

    select * from {{ ref('stg_reference__activity_types') }}

),

flagged as (

    select
        activity.identity,
        min(activity.activity_date) as first_seen_date,
        max(activity.peak_events_per_minute) as peak_value_events_per_minute
    from activity
    inner join activity_types
        on activity.activity_type = activity_types.activity_type
    where activity_types.is_value_deriving
        and activity.peak_events_per_minute > {{ metric_var('bot_max_value_events_per_minute') }}
    group by activity.identity

)

select * from flagged
