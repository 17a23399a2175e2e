-- Privacy: a team-week is suppressed exactly when its headcount < min_group_size, and a suppressed row
-- publishes none of the metrics mart_team_weekly declares suppressed (team_id, week_start, headcount and
-- velocity_target stay). Returns the offending rows.
{%- set suppressed = suppressed_columns('mart_team_weekly') %}
with

team_weeks as (

    select * from {{ ref('mart_team_weekly') }}

),

offending as (

    select *
    from team_weeks
    where is_suppressed <> (headcount < {{ metric_var('min_group_size') }})
        {%- if suppressed %}
        or (
            is_suppressed
            and (
                {%- for column in suppressed %}
                {{ column }} is not null{% if not loop.last %} or{% endif %}
                {%- endfor %}
            )
        )
        {%- endif %}

)

select * from offending
