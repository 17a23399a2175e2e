-- Team x ISO week: the programme's team metrics. A team-week below min_group_size keeps its keys,
-- headcount and target; every metric is null and is_suppressed is true (privacy: no metric describes a
-- group small enough to single a person out). Which metrics are nulled is the model's
-- meta.publish.suppressed (_metrics__models.yml), the list the publication contract checks too.
-- is_complete is false for a week the data only starts or ends in.
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
        team_weeks.velocity_target,
        {%- for column in suppressed_columns('mart_team_weekly') %}
            case when not team_weeks.is_suppressed then team_weeks.{{ column }} end as {{ column }},
        {%- endfor %}
        team_weeks.is_suppressed
    from team_weeks
    inner join weeks
        on team_weeks.week_start = weeks.week_start

)

select * from published
