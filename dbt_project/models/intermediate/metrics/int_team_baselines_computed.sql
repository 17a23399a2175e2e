-- Each team's baseline deploys per engineer, recomputed from today's data: quality-adjusted deploys
-- over headcount, pooled over the ISO weeks that start inside the programme's baseline window.
-- `is_window_complete` is true once the data covers the whole window; only then can it be frozen.
with

team_weeks as (

    select * from {{ ref('int_team_weeks_measured') }}

),

programme as (

    select * from {{ ref('stg_reference__velocity_programme') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

coverage as (

    select
        min(case when is_in_data then calendar_date end) as first_data_day,
        max(calendar_date) as last_data_day
    from dates

),

pooled as (

    select
        team_weeks.team_id,
        programme.programme,
        programme.baseline_start,
        programme.baseline_end,
        sum(team_weeks.quality_adjusted_deploys) as baseline_deploys,
        sum(team_weeks.headcount) as baseline_headcount
    from team_weeks
    cross join programme
    where team_weeks.week_start >= programme.baseline_start
        and team_weeks.week_start <= programme.baseline_end
    group by team_weeks.team_id, programme.programme, programme.baseline_start, programme.baseline_end

),

computed as (

    select
        pooled.team_id,
        pooled.programme,
        pooled.baseline_start,
        pooled.baseline_end,
        pooled.baseline_deploys,
        pooled.baseline_headcount,
        case
            when pooled.baseline_headcount > 0
                then cast(pooled.baseline_deploys as {{ type_double() }}) / pooled.baseline_headcount
        end as baseline_deploys_per_engineer,
        coverage.first_data_day <= pooled.baseline_start
        and coverage.last_data_day >= pooled.baseline_end as is_window_complete
    from pooled
    cross join coverage

)

select * from computed
