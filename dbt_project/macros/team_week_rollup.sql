{#- The select of a weekly roll-up of team-weeks (int_team_weeks_computed) grouped by `group_columns`
    (org, or nothing for the whole company). Sums (headcount, deploys, VDE, merged pull requests) count every
    team; the adopting, AI-native and on-track counts and the adoption rate's denominator (publishable_teams)
    count only the teams at or above min_group_size. The DORA times are percentiles over the group's own pull
    requests (fct_pull_requests) and restored deploys (fct_deployments), since a median of team medians is not
    the group's median, each placed as the team-weeks place it: lead time by the deployed service's team and
    the deploy's week, time to restore by the failed service's team and week. One macro, so the org and
    company marts cannot drift apart. -#}
{% macro team_week_rollup(team_weeks, weeks, pull_requests, deployments, group_columns=[]) -%}
    {%- set keys = group_columns + ['week_start'] -%}
    {%- set team_week_keys = [] -%}
    {%- for column in keys -%}
        {%- do team_week_keys.append(team_weeks ~ '.' ~ column) -%}
    {%- endfor %}
    select
        {%- for column in keys %}
        aggregated.{{ column }},
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
        value_deriving_events,
        merged_pull_requests,
        case
            when merged_pull_requests > 0 then cast(ai_assisted_pull_requests as {{ type_double() }}) / merged_pull_requests
        end as ai_assisted_pr_share,
        lead_times.lead_time_hours_p50,
        lead_times.lead_time_hours_p90,
        restore_times.time_to_restore_hours_p50
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
            cast(sum(value_deriving_events) as {{ dbt.type_bigint() }}) as value_deriving_events,
            cast(sum(merged_pull_requests) as {{ dbt.type_bigint() }}) as merged_pull_requests,
            cast(sum(ai_assisted_pull_requests) as {{ dbt.type_bigint() }}) as ai_assisted_pull_requests
        from {{ team_weeks }}
        inner join {{ weeks }}
            on {{ team_weeks }}.week_start = {{ weeks }}.week_start
        group by
            {%- for column in keys %}
            {{ team_weeks }}.{{ column }},
            {%- endfor %}
            {{ weeks }}.is_week_complete
    ) as aggregated
    left join (
        select
            {{ team_week_keys | join(', ') }},
            cast({{ percentile_continuous(pull_requests ~ '.lead_time_hours', 0.5) }} as {{ type_double() }})
                as lead_time_hours_p50,
            cast({{ percentile_continuous(pull_requests ~ '.lead_time_hours', 0.9) }} as {{ type_double() }})
                as lead_time_hours_p90
        from {{ pull_requests }}
        inner join {{ team_weeks }}
            on {{ pull_requests }}.deployed_team_id = {{ team_weeks }}.team_id
            and {{ week_start(pull_requests ~ '.deployed_date') }} = {{ team_weeks }}.week_start
        where not {{ pull_requests }}.is_split_flagged
        group by {{ team_week_keys | join(', ') }}
    ) as lead_times
        on {% for column in keys %}{{ 'and ' if not loop.first }}aggregated.{{ column }} = lead_times.{{ column }} {% endfor %}
    left join (
        select
            {{ team_week_keys | join(', ') }},
            cast({{ percentile_continuous(deployments ~ '.time_to_restore_hours', 0.5) }} as {{ type_double() }})
                as time_to_restore_hours_p50
        from {{ deployments }}
        inner join {{ team_weeks }}
            on {{ deployments }}.team_id = {{ team_weeks }}.team_id
            and {{ deployments }}.week_start = {{ team_weeks }}.week_start
        where {{ deployments }}.time_to_restore_hours is not null
        group by {{ team_week_keys | join(', ') }}
    ) as restore_times
        on {% for column in keys %}{{ 'and ' if not loop.first }}aggregated.{{ column }} = restore_times.{{ column }} {% endfor %}
{%- endmacro %}
