-- Bot-like identities: more than bot_max_value_events_per_minute value-deriving events in one UTC minute
-- (a bot guard: no person works that fast). All their activity is excluded. Daily vendor aggregates carry no minute
-- resolution (peak_events_per_minute is null) and are never flagged here.
with

activity as (

    select * from {{ ref('stg_lake__tool_activity') }}

),

flagged as (

    -- peak_events_per_minute is the identity's busiest minute of value-deriving events that day
    select
        identity,
        min(activity_date) as first_seen_date,
        max(peak_events_per_minute) as peak_value_events_per_minute
    from activity
    group by identity
    having max(peak_events_per_minute) > {{ metric_var('bot_max_value_events_per_minute') }}

)

select * from flagged
