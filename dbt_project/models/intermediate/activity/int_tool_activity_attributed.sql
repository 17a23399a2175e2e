-- Usage rows with who they belong to: the engineer and the team they were on that day, or why not
-- (unresolved identity, API key, bot, not an engineer that day). Nothing is dropped here; facts keep
-- the attributed rows and mart_unattributed_activity reports the rest.
-- A table, not a view: the activity facts, the licence models, the attribution rules and the guards read it,
-- and as a view the whole lake's usage would be attributed again for each.
{{ config(materialized='table') }}
with

activity as (

    -- the whole lake: a view is never incremental (the incremental facts filter their window themselves)
    select * from {{ ref('stg_lake__tool_activity') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}

),

bots as (

    select * from {{ ref('int_bot_identities_flagged') }}

),

activity_types as (

    select * from {{ ref('stg_reference__activity_types') }}

),

attributed as (

    select
        activity.activity_date,
        activity.identity,
        activity.identity_type,
        activity.tool,
        activity.activity_type,
        activity.activity_count,
        activity.peak_events_per_minute,
        identities.engineer_id,
        engineer_days.team_id,
        coalesce(activity_types.is_active, false) as is_active_type,
        coalesce(activity_types.is_value_deriving, false) as is_value_deriving_type,
        {{ attribution_status('activity.identity_type') }} as attribution_status,
        activity._source_file,
        activity._source_line
    from activity
    left join identities
        on activity.identity = identities.identity
    left join engineer_days
        on identities.engineer_id = engineer_days.engineer_id
        and activity.activity_date = engineer_days.date_day
    left join bots
        on activity.identity = bots.identity
    left join activity_types
        on activity.activity_type = activity_types.activity_type

)

select * from attributed
