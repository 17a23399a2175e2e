-- Team x ISO week: the programme's team metrics. A team-week below min_group_size keeps its keys,
-- headcount and target; every metric is null and is_suppressed is true: a group that small would point at
-- individuals. is_complete is false for a week the data only starts or ends in.
{% set suppressible_columns = [
    'production_deploys', 'quality_adjusted_deploys', 'deploys_per_engineer', 'change_failure_rate',
    'weekly_active_ai_users', 'is_adopting', 'lifecycle_stages_covered', 'is_ai_native',
    'value_deriving_events', 'vde_per_active_user', 'baseline_deploys_per_engineer', 'velocity_multiple',
] %}

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

published as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        weeks.is_week_complete as is_complete,
        team_weeks.headcount,
        {%- for column in suppressible_columns %}
            case when not team_weeks.is_suppressed then team_weeks.{{ column }} end as {{ column }},
        {%- endfor %}
        team_weeks.velocity_target,
        case when not team_weeks.is_suppressed then team_weeks.is_on_track end as is_on_track,
        team_weeks.is_suppressed
    from team_weeks
    inner join weeks
        on team_weeks.week_start = weeks.week_start

)

select * from published
