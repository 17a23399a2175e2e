-- Team x calendar month: what its engineers' AI tools cost (the prorated seat-days they held on the days they were
-- on the team, and the usage they spent) against what the team shipped (quality-adjusted deploys of the month).
-- Spend without an engineer counts for no team (mart_tool_spend_monthly.unattributed_usage_cost has it). A
-- team-month whose headcount (engineers on the team on the month's first day in the data) is below min_group_size
-- keeps its keys and headcount; every metric is null and is_suppressed is true.
with

dates as (

    select * from {{ ref('dim_dates') }}
    where is_in_data

),

teams as (

    select * from {{ ref('dim_teams') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}
    where is_engineer

),

seat_days as (

    select * from {{ ref('int_licence_seat_days_costed') }}
    where team_id is not null

),

spend as (

    select * from {{ ref('int_spend_attributed') }}
    where attribution_status = 'attributed'

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}
    where is_active_type

),

deployments as (

    select * from {{ ref('fct_deployments') }}
    where is_quality_adjusted_deploy

),

months as (

    select
        month_start,
        is_month_complete as is_complete,
        min(calendar_date) as first_day_in_data
    from dates
    group by month_start, is_month_complete

),

headcounts as (

    select
        engineer_days.team_id,
        months.month_start,
        count(distinct engineer_days.engineer_id) as headcount
    from months
    inner join engineer_days
        on months.first_day_in_data = engineer_days.date_day
    group by engineer_days.team_id, months.month_start

),

seat_costs as (

    select
        team_id,
        month_start,
        sum(seat_cost_usd) as seat_cost
    from seat_days
    group by team_id, month_start

),

spend_costs as (

    select
        spend.team_id,
        spend.month_start,
        sum(case when spend.spend_kind = 'seat' then spend.amount_usd else 0 end) as seat_spend,
        sum(case when spend.spend_kind <> 'seat' then spend.amount_usd else 0 end) as usage_cost
    from spend
    inner join dates
        on spend.spend_date = dates.calendar_date
    group by spend.team_id, spend.month_start

),

active as (

    select
        team_id,
        {{ month_start('activity_date') }} as month_start,
        count(distinct engineer_id) as active_users
    from activity
    group by team_id, {{ month_start('activity_date') }}

),

shipped as (

    select
        team_id,
        {{ month_start('deployed_date') }} as month_start,
        count(*) as quality_adjusted_deploys
    from deployments
    group by team_id, {{ month_start('deployed_date') }}

),

combined as (

    select
        teams.team_id,
        months.month_start,
        months.is_complete,
        cast(coalesce(headcounts.headcount, 0) as {{ dbt.type_bigint() }}) as headcount,
        -- money to the cent: sums of the same amounts added in another order agree
        round(coalesce(seat_costs.seat_cost, 0) + coalesce(spend_costs.seat_spend, 0), 2) as seat_cost,
        round(coalesce(spend_costs.usage_cost, 0), 2) as usage_cost,
        cast(coalesce(active.active_users, 0) as {{ dbt.type_bigint() }}) as active_users,
        cast(coalesce(shipped.quality_adjusted_deploys, 0) as {{ dbt.type_bigint() }}) as quality_adjusted_deploys
    from teams
    cross join months
    left join headcounts
        on teams.team_id = headcounts.team_id
        and months.month_start = headcounts.month_start
    left join seat_costs
        on teams.team_id = seat_costs.team_id
        and months.month_start = seat_costs.month_start
    left join spend_costs
        on teams.team_id = spend_costs.team_id
        and months.month_start = spend_costs.month_start
    left join active
        on teams.team_id = active.team_id
        and months.month_start = active.month_start
    left join shipped
        on teams.team_id = shipped.team_id
        and months.month_start = shipped.month_start

),

computed as (

    select
        *,
        round(seat_cost + usage_cost, 2) as total_cost,
        case when active_users > 0 then round((seat_cost + usage_cost) / active_users, 4) end as cost_per_active_user,
        case
            when quality_adjusted_deploys > 0 then round((seat_cost + usage_cost) / quality_adjusted_deploys, 4)
        end as cost_per_quality_adjusted_deploy,
        headcount < {{ metric_var('min_group_size') }} as is_suppressed
    from combined

),

published as (

    select
        team_id,
        month_start,
        is_complete,
        headcount,
        {%- for column in suppressed_columns('mart_team_spend_monthly') %}
            case when not is_suppressed then {{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed
    from computed

)

select * from published
