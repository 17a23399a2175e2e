-- Team x ISO week: the programme's team metrics. A team-week below min_group_size keeps its keys,
-- headcount and target; every metric is null and is_suppressed is true (DESIGN.md, Privacy).
{% set suppressible_columns = [
    'production_deploys', 'quality_adjusted_deploys', 'deploys_per_engineer', 'change_failure_rate',
    'weekly_active_ai_users', 'is_adopting', 'lifecycle_stages_covered', 'is_ai_native',
    'value_deriving_events', 'vde_per_active_user', 'baseline_deploys_per_engineer', 'velocity_multiple',
] %}

with

team_weeks as (

    select * from {{ ref('int_team_weeks_computed') }}

),

published as (

    select
        team_id,
        week_start,
        headcount,
        {%- for column in suppressible_columns %}
            case when not is_suppressed then {{ column }} end as {{ column }},
        {%- endfor %}
        velocity_target,
        case when not is_suppressed then is_on_track end as is_on_track,
        is_suppressed
    from team_weeks

)

select * from published
