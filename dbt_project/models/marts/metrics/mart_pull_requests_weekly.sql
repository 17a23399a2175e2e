-- Team x ISO week x AI-assisted or not: merged pull requests and their medians side by side, so AI-assisted and
-- other pull requests of one team-week compare directly. Pull requests count for the author's team in the
-- merge's ISO week (fct_pull_requests.team_id), leaving out those flagged as splitting; lead time here is that of
-- the same pull requests, by merge week (mart_team_weekly's is by deploy week and deployed service's team).
-- Every team-week of mart_team_weekly has both rows (zero merged, null medians when none), so a row's presence
-- says nothing about a small team; a team-week below min_group_size is suppressed exactly as in
-- mart_team_weekly (meta.publish.suppressed nulled, is_suppressed true). An organisation without any pull
-- request in the lake has no row.
with

team_weeks as (

    select * from {{ ref('int_team_weeks_computed') }}

),

weeks as (

    select distinct
        week_start,
        is_week_complete
    from {{ ref('dim_dates') }}

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}
    where team_id is not null and not is_split_flagged

),

assistance as (

    select true as is_ai_assisted
    union all
    select false as is_ai_assisted

),

measured as (

    select
        team_id,
        week_start,
        is_ai_assisted,
        count(*) as merged_pull_requests,
        {{ percentile_continuous('cycle_time_hours', 0.5) }} as cycle_time_hours_p50,
        {{ percentile_continuous('review_wait_hours', 0.5) }} as review_wait_hours_p50,
        {{ percentile_continuous('size_lines', 0.5) }} as size_lines_p50,
        sum(case when deployed_at is not null then 1 else 0 end) as deployed_pull_requests,
        {{ percentile_continuous('lead_time_hours', 0.5) }} as lead_time_hours_p50,
        {{ percentile_continuous('lead_time_hours', 0.9) }} as lead_time_hours_p90
    from pull_requests
    group by team_id, week_start, is_ai_assisted

),

grid as (

    -- only when the team-weeks carry a pull request count: the organisation delivers pull requests
    select
        team_weeks.team_id,
        team_weeks.week_start,
        weeks.is_week_complete as is_complete,
        team_weeks.headcount,
        assistance.is_ai_assisted,
        team_weeks.is_suppressed
    from team_weeks
    inner join weeks
        on team_weeks.week_start = weeks.week_start
    cross join assistance
    where team_weeks.merged_pull_requests is not null

),

computed as (

    select
        grid.team_id,
        grid.week_start,
        grid.is_ai_assisted,
        grid.is_complete,
        grid.headcount,
        cast(coalesce(measured.merged_pull_requests, 0) as {{ dbt.type_bigint() }}) as merged_pull_requests,
        cast(coalesce(measured.deployed_pull_requests, 0) as {{ dbt.type_bigint() }}) as deployed_pull_requests,
        cast(measured.cycle_time_hours_p50 as {{ type_double() }}) as cycle_time_hours_p50,
        cast(measured.review_wait_hours_p50 as {{ type_double() }}) as review_wait_hours_p50,
        cast(measured.size_lines_p50 as {{ type_double() }}) as size_lines_p50,
        cast(measured.lead_time_hours_p50 as {{ type_double() }}) as lead_time_hours_p50,
        cast(measured.lead_time_hours_p90 as {{ type_double() }}) as lead_time_hours_p90,
        grid.is_suppressed
    from grid
    left join measured
        on grid.team_id = measured.team_id
        and grid.week_start = measured.week_start
        and grid.is_ai_assisted = measured.is_ai_assisted

),

published as (

    select
        team_id,
        week_start,
        is_ai_assisted,
        is_complete,
        headcount,
        {%- for column in suppressed_columns('mart_pull_requests_weekly') %}
            case when not is_suppressed then {{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed
    from computed

)

select * from published
