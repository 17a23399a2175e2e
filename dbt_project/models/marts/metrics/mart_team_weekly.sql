-- Team x ISO week: the programme's team metrics. A team-week below min_group_size keeps its keys,
-- headcount and target; every metric is null and is_suppressed is true (privacy: no metric describes a
-- group small enough to single a person out). Which metrics are nulled is the model's
-- meta.publish.suppressed (_metrics__models.yml), the list the publication contract checks too.
with

team_weeks as (

    select * from {{ ref('int_team_weeks_computed') }}

),

published as (

    select
        team_id,
        week_start,
        headcount,
        velocity_target,
        {%- for column in suppressed_columns('mart_team_weekly') %}
            case when not is_suppressed then {{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed
    from team_weeks

)

select * from published
