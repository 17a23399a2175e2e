-- One row per licence grant (seat) per day of the data it covers, with whether the seat is idle:
-- granted at least a full active window before the day (var active_window_days, 28: 27 days before) and
-- no active use of its tool by its holder (by identity, or by any identity of the same engineer) in the
-- window. Leavers' unrevoked seats count here.
{{ config(materialized='table') }}

with

grants as (

    select * from {{ ref('int_licence_grants_resolved') }}

),

tools as (

    select * from {{ ref('stg_reference__tools') }}
    where requires_licence

),

dates as (

    select date_day from {{ ref('int_dates_spanned') }}
    where is_in_data

),

activity as (

    -- a bot's activity is excluded everywhere, so it does not keep a seat busy either
    select * from {{ ref('int_tool_activity_attributed') }}
    where is_active_type
        and attribution_status <> 'bot_activity'

),

seat_days as (

    select
        grants.grant_id,
        grants.tool,
        grants.granted_date,
        dates.date_day
    from grants
    inner join tools
        on grants.tool = tools.tool
    inner join dates
        on grants.granted_date <= dates.date_day
        and (grants.revoked_date is null or grants.revoked_date > dates.date_day)

),

holder_active_days as (

    select
        grants.grant_id,
        activity.activity_date
    from grants
    inner join activity
        on grants.tool = activity.tool
        and grants.identity = activity.identity

    union

    select
        grants.grant_id,
        activity.activity_date
    from grants
    inner join activity
        on grants.tool = activity.tool
        and grants.engineer_id = activity.engineer_id

),

with_last_use as (

    select
        seat_days.*,
        max(holder_active_days.activity_date) over (
            partition by seat_days.grant_id order by seat_days.date_day
            rows between unbounded preceding and current row
        ) as last_active_date
    from seat_days
    left join holder_active_days
        on seat_days.grant_id = holder_active_days.grant_id
        and seat_days.date_day = holder_active_days.activity_date

),

idled as (

    select
        grant_id,
        tool,
        date_day,
        granted_date <= {{ active_window_start('date_day') }}
        and (last_active_date is null or last_active_date < {{ active_window_start('date_day') }}) as is_idle
    from with_last_use

)

select * from idled
