-- Where tools overlap, per team, org and the whole company (scope) and calendar month. Two tools overlap when both
-- are used (or, for seats, held) for the same lifecycle stage and share a category of tools.csv. A consolidation
-- candidate is a tool the scope uses that fewer than consolidation_min_monthly_users engineers of the whole
-- organisation used that month. Non-engineer identities (API keys, service accounts, bots, identities on no roster)
-- belong to no team or org, so agents on several tools are counted on the company row only. A team or org month
-- whose headcount (engineers on the month's first day in the data) is below min_group_size keeps its keys and
-- headcount; every metric is null and is_suppressed is true.
with

dates as (

    select * from {{ ref('dim_dates') }}
    where is_in_data

),

teams as (

    select * from {{ ref('dim_teams') }}

),

tools as (

    select * from {{ ref('dim_tools') }}

),

tool_stages as (

    select
        stages.tool,
        stages.lifecycle_stage,
        tools.category
    from {{ ref('int_tool_lifecycle_stages_unnested') }} as stages
    inner join tools
        on stages.tool = tools.tool

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}
    where is_engineer

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}
    where is_active_type

),

seat_days as (

    select * from {{ ref('int_licence_seat_days_costed') }}
    where team_id is not null

),

agent_tool_months as (

    -- what identities that count for no engineer did, by month: active use or spend
    select
        identity,
        tool,
        {{ month_start('activity_date') }} as month_start
    from {{ ref('int_tool_activity_attributed') }}
    where is_active_type and attribution_status <> 'attributed'

    union

    select
        identity,
        tool,
        month_start
    from {{ ref('int_spend_attributed') }}
    where attribution_status <> 'attributed'

),

months as (

    select
        month_start,
        min(calendar_date) as first_day_in_data
    from dates
    group by month_start

),

scopes as (

    select
        'team' as scope,
        team_id as scope_id,
        org,
        team_id
    from teams

    union all

    select distinct
        'org' as scope,
        org as scope_id,
        org,
        team_id
    from teams

    union all

    select
        'company' as scope,
        'company' as scope_id,
        cast(null as {{ dbt.type_string() }}) as org,
        team_id
    from teams

),

scope_months as (

    select distinct
        scopes.scope,
        scopes.scope_id,
        scopes.org,
        months.month_start,
        months.first_day_in_data
    from scopes
    cross join months

),

headcounts as (

    select
        scopes.scope,
        scopes.scope_id,
        months.month_start,
        count(distinct engineer_days.engineer_id) as headcount
    from months
    inner join engineer_days
        on months.first_day_in_data = engineer_days.date_day
    inner join scopes
        on engineer_days.team_id = scopes.team_id
    group by scopes.scope, scopes.scope_id, months.month_start

),

used as (

    select distinct
        scopes.scope,
        scopes.scope_id,
        {{ month_start('activity.activity_date') }} as month_start,
        activity.tool
    from activity
    inner join scopes
        on activity.team_id = scopes.team_id

),

company_users as (

    select
        tool,
        {{ month_start('activity_date') }} as month_start,
        count(distinct engineer_id) as monthly_users
    from activity
    group by tool, {{ month_start('activity_date') }}

),

candidates as (

    -- tools the scope used that few engineers of the whole organisation used that month (every tool a scope uses
    -- has at least one user, so a tool nobody used is nobody's candidate)
    select
        used.scope,
        used.scope_id,
        used.month_start,
        used.tool
    from used
    inner join company_users
        on used.tool = company_users.tool
        and used.month_start = company_users.month_start
    where company_users.monthly_users < {{ metric_var('consolidation_min_monthly_users') }}

),

used_stages as (

    select
        used.scope,
        used.scope_id,
        used.month_start,
        used.tool,
        tool_stages.lifecycle_stage,
        tool_stages.category
    from used
    inner join tool_stages
        on used.tool = tool_stages.tool

),

overlap_groups as (

    select
        scope,
        scope_id,
        month_start,
        lifecycle_stage,
        category
    from used_stages
    group by scope, scope_id, month_start, lifecycle_stage, category
    having count(distinct tool) >= 2

),

overlapping as (

    select distinct
        used_stages.scope,
        used_stages.scope_id,
        used_stages.month_start,
        used_stages.tool
    from used_stages
    inner join overlap_groups
        on used_stages.scope = overlap_groups.scope
        and used_stages.scope_id = overlap_groups.scope_id
        and used_stages.month_start = overlap_groups.month_start
        and used_stages.lifecycle_stage = overlap_groups.lifecycle_stage
        and used_stages.category = overlap_groups.category

),

stage_counts as (

    select
        scope,
        scope_id,
        month_start,
        lifecycle_stage,
        count(distinct tool) as tools
    from used_stages
    group by scope, scope_id, month_start, lifecycle_stage

),

held_stages as (

    select
        seat_days.grant_id,
        seat_days.engineer_id,
        seat_days.team_id,
        seat_days.date_day,
        seat_days.month_start,
        seat_days.seat_cost_usd,
        seat_days.tool,
        tool_stages.lifecycle_stage,
        tool_stages.category
    from seat_days
    inner join tool_stages
        on seat_days.tool = tool_stages.tool

),

held_overlaps as (

    select
        engineer_id,
        date_day,
        lifecycle_stage,
        category
    from held_stages
    group by engineer_id, date_day, lifecycle_stage, category
    having count(distinct tool) >= 2

),

overlapping_seat_days as (

    -- each seat-day once, however many stages its tool overlaps in
    select distinct
        held_stages.grant_id,
        held_stages.engineer_id,
        held_stages.team_id,
        held_stages.date_day,
        held_stages.month_start,
        held_stages.seat_cost_usd
    from held_stages
    inner join held_overlaps
        on held_stages.engineer_id = held_overlaps.engineer_id
        and held_stages.date_day = held_overlaps.date_day
        and held_stages.lifecycle_stage = held_overlaps.lifecycle_stage
        and held_stages.category = held_overlaps.category

),

overlapping_seats as (

    select
        scopes.scope,
        scopes.scope_id,
        overlapping_seat_days.month_start,
        count(distinct overlapping_seat_days.engineer_id) as engineers_with_overlapping_seats,
        sum(overlapping_seat_days.seat_cost_usd) as overlapping_seat_cost
    from overlapping_seat_days
    inner join scopes
        on overlapping_seat_days.team_id = scopes.team_id
    group by scopes.scope, scopes.scope_id, overlapping_seat_days.month_start

),

agents as (

    select
        month_start,
        count(*) as agents_on_several_tools
    from (
        select
            identity,
            month_start
        from agent_tool_months
        group by identity, month_start
        having count(distinct tool) >= 2
    ) as several
    group by month_start

),

used_summary as (

    select
        scope,
        scope_id,
        month_start,
        count(*) as tools_used,
        {{ sorted_distinct_join('tool', ', ') }} as tools_used_list
    from used
    group by scope, scope_id, month_start

),

overlapping_summary as (

    select
        scope,
        scope_id,
        month_start,
        count(*) as overlapping_tools,
        {{ sorted_distinct_join('tool', ', ') }} as overlapping_tools_list
    from overlapping
    group by scope, scope_id, month_start

),

candidate_summary as (

    select
        scope,
        scope_id,
        month_start,
        count(*) as consolidation_candidates,
        {{ sorted_distinct_join('tool', ', ') }} as consolidation_candidates_list
    from candidates
    group by scope, scope_id, month_start

),

stage_summary as (

    select
        scope,
        scope_id,
        month_start,
        {{ sorted_distinct_join("lifecycle_stage || ': ' || cast(tools as " ~ dbt.type_string() ~ ")", ', ') }}
            as tools_per_stage,
        sum(case when tools >= 2 then 1 else 0 end) as stages_with_several_tools
    from stage_counts
    group by scope, scope_id, month_start

),

combined as (

    select
        scope_months.scope,
        scope_months.scope_id,
        scope_months.org,
        scope_months.month_start,
        cast(coalesce(headcounts.headcount, 0) as {{ dbt.type_bigint() }}) as headcount,
        cast(coalesce(used_summary.tools_used, 0) as {{ dbt.type_bigint() }}) as tools_used,
        used_summary.tools_used_list,
        stage_summary.tools_per_stage,
        cast(coalesce(stage_summary.stages_with_several_tools, 0) as {{ dbt.type_bigint() }})
            as stages_with_several_tools,
        cast(coalesce(overlapping_summary.overlapping_tools, 0) as {{ dbt.type_bigint() }}) as overlapping_tools,
        overlapping_summary.overlapping_tools_list,
        cast(coalesce(overlapping_seats.engineers_with_overlapping_seats, 0) as {{ dbt.type_bigint() }})
            as engineers_with_overlapping_seats,
        cast(round(coalesce(overlapping_seats.overlapping_seat_cost, 0), 2) as {{ type_double() }})
            as overlapping_seat_cost,
        cast(coalesce(candidate_summary.consolidation_candidates, 0) as {{ dbt.type_bigint() }})
            as consolidation_candidates,
        candidate_summary.consolidation_candidates_list,
        case
            when scope_months.scope = 'company'
                then cast(coalesce(agents.agents_on_several_tools, 0) as {{ dbt.type_bigint() }})
        end as agents_on_several_tools
    from scope_months
    left join headcounts
        on scope_months.scope = headcounts.scope
        and scope_months.scope_id = headcounts.scope_id
        and scope_months.month_start = headcounts.month_start
    left join used_summary
        on scope_months.scope = used_summary.scope
        and scope_months.scope_id = used_summary.scope_id
        and scope_months.month_start = used_summary.month_start
    left join stage_summary
        on scope_months.scope = stage_summary.scope
        and scope_months.scope_id = stage_summary.scope_id
        and scope_months.month_start = stage_summary.month_start
    left join overlapping_summary
        on scope_months.scope = overlapping_summary.scope
        and scope_months.scope_id = overlapping_summary.scope_id
        and scope_months.month_start = overlapping_summary.month_start
    left join overlapping_seats
        on scope_months.scope = overlapping_seats.scope
        and scope_months.scope_id = overlapping_seats.scope_id
        and scope_months.month_start = overlapping_seats.month_start
    left join candidate_summary
        on scope_months.scope = candidate_summary.scope
        and scope_months.scope_id = candidate_summary.scope_id
        and scope_months.month_start = candidate_summary.month_start
    left join agents
        on scope_months.month_start = agents.month_start

),

published as (

    select
        scope,
        scope_id,
        org,
        month_start,
        headcount,
        {%- for column in suppressed_columns('mart_tool_sprawl_monthly') %}
            case when headcount >= {{ metric_var('min_group_size') }} then {{ column }} end as {{ column }},
        {%- endfor %}
        headcount < {{ metric_var('min_group_size') }} as is_suppressed
    from combined

)

select * from published
