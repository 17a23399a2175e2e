{#- The select of a weekly roll-up of team-weeks (int_team_weeks_computed) grouped by `group_columns`
    (org, or nothing for the whole company). Sums (headcount, deploys, VDE) count every team; the adopting,
    AI-native and on-track counts and the adoption rate's denominator (publishable_teams) count only the
    teams at or above min_group_size. One macro, so the org and company marts cannot drift apart. -#}
{% macro team_week_rollup(team_weeks, weeks, group_columns=[]) -%}
    {%- set keys = group_columns + ['week_start'] -%}
    select
        {%- for column in keys %}
        {{ column }},
        {%- endfor %}
        is_complete,
        teams,
        publishable_teams,
        adopting_teams,
        case
            when publishable_teams > 0 then cast(adopting_teams as {{ type_double() }}) / publishable_teams
        end as adoption_rate,
        ai_native_teams,
        headcount,
        case
            when headcount > 0 then cast(quality_adjusted_deploys as {{ type_double() }}) / headcount
        end as deploys_per_engineer,
        case when attempts > 0 then cast(failures as {{ type_double() }}) / attempts end as change_failure_rate,
        teams_on_track,
        value_deriving_events
    from (
        select
            {%- for column in keys %}
            {{ team_weeks }}.{{ column }},
            {%- endfor %}
            {{ weeks }}.is_week_complete as is_complete,
            cast(count(*) as {{ dbt.type_bigint() }}) as teams,
            cast(sum(case when not is_suppressed then 1 else 0 end) as {{ dbt.type_bigint() }}) as publishable_teams,
            cast(sum(case when not is_suppressed and is_adopting then 1 else 0 end) as {{ dbt.type_bigint() }})
                as adopting_teams,
            cast(sum(case when not is_suppressed and is_ai_native then 1 else 0 end) as {{ dbt.type_bigint() }})
                as ai_native_teams,
            cast(sum(case when not is_suppressed and is_on_track then 1 else 0 end) as {{ dbt.type_bigint() }})
                as teams_on_track,
            cast(sum(headcount) as {{ dbt.type_bigint() }}) as headcount,
            cast(sum(quality_adjusted_deploys) as {{ dbt.type_bigint() }}) as quality_adjusted_deploys,
            cast(sum(failed_deploys + reverted_deploys) as {{ dbt.type_bigint() }}) as failures,
            cast(sum(unflagged_production_deploys + failed_deploys) as {{ dbt.type_bigint() }}) as attempts,
            cast(sum(value_deriving_events) as {{ dbt.type_bigint() }}) as value_deriving_events
        from {{ team_weeks }}
        inner join {{ weeks }}
            on {{ team_weeks }}.week_start = {{ weeks }}.week_start
        group by
            {%- for column in keys %}
            {{ team_weeks }}.{{ column }},
            {%- endfor %}
            {{ weeks }}.is_week_complete
    ) as aggregated
{%- endmacro %}
