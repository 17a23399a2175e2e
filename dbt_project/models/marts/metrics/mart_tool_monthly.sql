-- Tool x calendar month: active users, the licence picture on the month's last day in the data,
-- shadow use, value-deriving events and NPS. Licence columns are null (shadow_users 0) for tools that
-- need no licence; NPS is null below min_group_size responses.
with

dates as (

    select * from {{ ref('dim_dates') }}
    where is_in_data

),

tools as (

    select * from {{ ref('dim_tools') }}

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}

),

licence_days as (

    select * from {{ ref('fct_licence_days') }}

),

tool_days_licensed as (

    select * from {{ ref('int_tool_days_licensed') }}

),

seat_days as (

    select * from {{ ref('int_licence_seat_days_idled') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}
    where tool is not null

),

months as (

    select
        month_start,
        is_month_complete as is_complete,
        max(calendar_date) as last_day_in_data
    from dates
    group by month_start, is_month_complete

),

usage as (

    select
        tool,
        {{ month_start('activity_date') }} as month_start,
        count(distinct case when is_active_type then engineer_id end) as monthly_active_users,
        cast(sum(value_deriving_events) as {{ dbt.type_bigint() }}) as value_deriving_events
    from activity
    group by tool, {{ month_start('activity_date') }}

),

month_end_licences as (

    select
        months.month_start,
        tool_days_licensed.tool,
        tool_days_licensed.licensed_engineers,
        tool_days_licensed.active_licensed_engineers,
        tool_days_licensed.licence_utilisation
    from months
    inner join tool_days_licensed
        on months.last_day_in_data = tool_days_licensed.date_day

),

month_end_idle_seats as (

    select
        months.month_start,
        seat_days.tool,
        cast(sum(case when seat_days.is_idle then 1 else 0 end) as {{ dbt.type_bigint() }}) as idle_seats
    from months
    inner join seat_days
        on months.last_day_in_data = seat_days.date_day
    group by months.month_start, seat_days.tool

),

shadow as (

    select
        tool,
        {{ month_start('date_day') }} as month_start,
        count(distinct engineer_id) as shadow_users
    from licence_days
    where is_active and not has_access
    group by tool, {{ month_start('date_day') }}

),

survey_scores as (

    select
        tool,
        month_start,
        count(*) as nps_responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors
    from responses
    group by tool, month_start

),

final as (

    select
        tools.tool,
        months.month_start,
        months.is_complete,
        cast(coalesce(usage.monthly_active_users, 0) as {{ dbt.type_bigint() }}) as monthly_active_users,
        case when tools.requires_licence then coalesce(month_end_licences.licensed_engineers, 0) end
            as licensed_engineers,
        case when tools.requires_licence then coalesce(month_end_licences.active_licensed_engineers, 0) end
            as active_licensed_engineers,
        case when tools.requires_licence then month_end_licences.licence_utilisation end as licence_utilisation,
        case when tools.requires_licence then coalesce(month_end_idle_seats.idle_seats, 0) end as idle_seats,
        case
            when tools.requires_licence then coalesce(month_end_idle_seats.idle_seats, 0) * tools.monthly_cost_usd
        end as idle_cost_usd,
        case when tools.requires_licence then coalesce(shadow.shadow_users, 0) else 0 end as shadow_users,
        cast(coalesce(usage.value_deriving_events, 0) as {{ dbt.type_bigint() }}) as value_deriving_events,
        case
            when usage.monthly_active_users > 0
                then cast(usage.value_deriving_events as {{ type_double() }}) / usage.monthly_active_users
        end as vde_per_active_user,
        case
            when survey_scores.nps_responses >= {{ metric_var('min_group_size') }}
                then cast(100 * (survey_scores.promoters - survey_scores.detractors) as {{ type_double() }})
                    / survey_scores.nps_responses
        end as nps,
        cast(coalesce(survey_scores.nps_responses, 0) as {{ dbt.type_bigint() }}) as nps_responses
    from tools
    cross join months
    left join usage
        on tools.tool = usage.tool
        and months.month_start = usage.month_start
    left join month_end_licences
        on tools.tool = month_end_licences.tool
        and months.month_start = month_end_licences.month_start
    left join month_end_idle_seats
        on tools.tool = month_end_idle_seats.tool
        and months.month_start = month_end_idle_seats.month_start
    left join shadow
        on tools.tool = shadow.tool
        and months.month_start = shadow.month_start
    left join survey_scores
        on tools.tool = survey_scores.tool
        and months.month_start = survey_scores.month_start

)

select * from final
