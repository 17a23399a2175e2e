-- Tool x calendar month: what the tool cost and what it cost per active engineer and per value-deriving event.
-- Seat cost: the prorated cost of every seat-day of the month (any holder, leavers and non-engineers included:
-- the organisation pays for them) plus seat charges reported as spend; usage cost: usage and credit spend, whoever
-- spent it, with the part no engineer spent (API keys, service accounts, identities on no roster) shown beside it.
-- The per-engineer ratios are null (is_suppressed) for a tool-month with fewer than min_group_size active engineers.
with

dates as (

    select * from {{ ref('dim_dates') }}
    where is_in_data

),

tools as (

    select * from {{ ref('dim_tools') }}

),

seat_days as (

    select * from {{ ref('int_licence_seat_days_costed') }}

),

spend as (

    select * from {{ ref('int_spend_attributed') }}

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}

),

months as (

    select
        month_start,
        is_month_complete as is_complete
    from dates
    group by month_start, is_month_complete

),

seat_costs as (

    select
        tool,
        month_start,
        sum(seat_cost_usd) as seat_cost,
        sum(case when is_idle then seat_cost_usd else 0 end) as idle_cost
    from seat_days
    group by tool, month_start

),

spend_costs as (

    select
        spend.tool,
        spend.month_start,
        sum(case when spend.spend_kind = 'seat' then spend.amount_usd else 0 end) as seat_spend,
        sum(case when spend.spend_kind <> 'seat' then spend.amount_usd else 0 end) as usage_cost,
        sum(
            case
                when spend.spend_kind <> 'seat' and spend.attribution_status <> 'attributed' then spend.amount_usd
                else 0
            end
        ) as unattributed_usage_cost
    from spend
    inner join dates
        on spend.spend_date = dates.calendar_date
    group by spend.tool, spend.month_start

),

usage as (

    select
        tool,
        {{ month_start('activity_date') }} as month_start,
        count(distinct case when is_active_type then engineer_id end) as active_users,
        sum(value_deriving_events) as value_deriving_events
    from activity
    group by tool, {{ month_start('activity_date') }}

),

combined as (

    select
        tools.tool,
        months.month_start,
        months.is_complete,
        coalesce(seat_costs.seat_cost, 0) + coalesce(spend_costs.seat_spend, 0) as seat_cost,
        coalesce(spend_costs.usage_cost, 0) as usage_cost,
        coalesce(spend_costs.unattributed_usage_cost, 0) as unattributed_usage_cost,
        coalesce(seat_costs.idle_cost, 0) as idle_cost,
        cast(coalesce(usage.active_users, 0) as {{ dbt.type_bigint() }}) as active_users,
        cast(coalesce(usage.value_deriving_events, 0) as {{ dbt.type_bigint() }}) as value_deriving_events
    from tools
    cross join months
    left join seat_costs
        on tools.tool = seat_costs.tool
        and months.month_start = seat_costs.month_start
    left join spend_costs
        on tools.tool = spend_costs.tool
        and months.month_start = spend_costs.month_start
    left join usage
        on tools.tool = usage.tool
        and months.month_start = usage.month_start

),

rounded as (

    -- money to the cent: sums of the same amounts added in another order (another landing's file order) agree
    select
        tool,
        month_start,
        is_complete,
        round(seat_cost, 2) as seat_cost,
        round(usage_cost, 2) as usage_cost,
        round(seat_cost + usage_cost, 2) as total_cost,
        round(unattributed_usage_cost, 2) as unattributed_usage_cost,
        round(idle_cost, 2) as idle_cost,
        active_users,
        value_deriving_events
    from combined

),

computed as (

    select
        *,
        case when active_users > 0 then round(total_cost / active_users, 4) end as cost_per_active_user,
        case when value_deriving_events > 0 then round(total_cost / value_deriving_events, 4) end as cost_per_vde,
        active_users < {{ metric_var('min_group_size') }} as is_suppressed
    from rounded

),

published as (

    select
        tool,
        month_start,
        is_complete,
        seat_cost,
        usage_cost,
        total_cost,
        unattributed_usage_cost,
        idle_cost,
        active_users,
        value_deriving_events,
        {%- for column in suppressed_columns('mart_tool_spend_monthly') %}
            case when not is_suppressed then {{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed
    from computed

)

select * from published
