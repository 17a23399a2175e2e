-- Team x adoption cohort: when each team started adopting AI tools, the definition the impact estimates
-- (mart_ai_impact) compare teams by. A team's adoption week is the first ISO week from which it is adopting in
-- at least impact_cohort_min_adopting_weeks of the impact_cohort_window_weeks weeks starting there, itself
-- included (a single busy week does not make a team adopting). Every team gets a row with its cohort and why:
-- only `adopted` and `never_adopted` teams enter an estimate; a team suppressed in any week stays out (its
-- adoption is not published), and so do teams already adopting in the first week, teams whose adoption the data
-- ends too soon to confirm, and teams adopting on and off.
with

team_weeks as (

    select
        team_id,
        week_start,
        is_adopting,
        is_suppressed
    from {{ ref('mart_team_weekly') }}

),

thresholds as (

    select
        cast({{ metric_var('impact_cohort_window_weeks') }} as {{ dbt.type_bigint() }}) as window_weeks,
        cast({{ metric_var('impact_cohort_min_adopting_weeks') }} as {{ dbt.type_bigint() }}) as min_adopting_weeks

),

weeks as (

    select
        week_start,
        dense_rank() over (order by week_start) as week_number
    from (select distinct week_start from team_weeks) as distinct_weeks

),

numbered as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        weeks.week_number,
        coalesce(team_weeks.is_adopting, false) as is_adopting,
        team_weeks.is_suppressed
    from team_weeks
    inner join weeks
        on team_weeks.week_start = weeks.week_start

),

-- each team-week with the adopting weeks among it and the weeks after it inside one window
windows as (

    select
        starting.team_id,
        starting.week_start,
        starting.week_number,
        starting.is_adopting,
        thresholds.window_weeks,
        thresholds.min_adopting_weeks,
        count(*) as window_weeks_in_data,
        sum(case when following.is_adopting then 1 else 0 end) as adopting_weeks_in_window
    from numbered as starting
    cross join thresholds
    inner join numbered as following
        on
        starting.team_id = following.team_id
        and starting.week_number <= following.week_number
        and following.week_number < starting.week_number + thresholds.window_weeks
    group by
        starting.team_id,
        starting.week_start,
        starting.week_number,
        starting.is_adopting,
        thresholds.window_weeks,
        thresholds.min_adopting_weeks

),

teams as (

    select
        windows.team_id,
        max(windows.window_weeks) as window_weeks,
        max(windows.min_adopting_weeks) as min_adopting_weeks,
        max(case when numbered.is_suppressed then 1 else 0 end) = 1 as is_ever_suppressed,
        sum(case when numbered.is_suppressed then 1 else 0 end) as suppressed_weeks,
        count(*) as weeks_in_data,
        sum(case when windows.is_adopting then 1 else 0 end) as adopting_weeks,
        min(
            case
                when
                    windows.is_adopting
                    and windows.window_weeks_in_data = windows.window_weeks
                    and windows.adopting_weeks_in_window >= windows.min_adopting_weeks
                    then windows.week_number
            end
        ) as adoption_week_number,
        max(case when windows.is_adopting then windows.week_number end) as last_adopting_week_number,
        max(windows.week_number) as last_week_number
    from windows
    inner join numbered
        on
        windows.team_id = numbered.team_id
        and windows.week_number = numbered.week_number
    group by windows.team_id

),

classified as (

    select
        teams.team_id,
        teams.window_weeks,
        teams.min_adopting_weeks,
        teams.suppressed_weeks,
        teams.weeks_in_data,
        teams.adopting_weeks,
        weeks.week_start as adoption_week,
        case
            when teams.is_ever_suppressed then 'suppressed'
            when teams.adoption_week_number = 1 then 'adopting_at_start'
            when teams.adoption_week_number is not null then 'adopted'
            when teams.adopting_weeks = 0 then 'never_adopted'
            when teams.last_adopting_week_number > teams.last_week_number - teams.window_weeks + 1
                then 'too_late_to_confirm'
            else 'intermittent'
        end as cohort
    from teams
    left join weeks
        on teams.adoption_week_number = weeks.week_number

),

explained as (

    select
        team_id,
        case when cohort in ('adopted', 'adopting_at_start') then adoption_week end as adoption_week,
        cohort,
        case cohort
            when 'suppressed'
                then
                    'headcount below min_group_size in ' || cast(suppressed_weeks as {{ dbt.type_string() }})
                    || ' of ' || cast(weeks_in_data as {{ dbt.type_string() }})
                    || ' weeks: its adoption is not published, so it stays out of every estimate'
            when 'adopting_at_start'
                then
                    'adopting from the first week of the data: no weeks before adoption to compare with'
            when 'adopted'
                then
                    'adopting in at least ' || cast(min_adopting_weeks as {{ dbt.type_string() }}) || ' of the '
                    || cast(window_weeks as {{ dbt.type_string() }}) || ' weeks from its adoption week on'
            when 'never_adopted'
                then
                    'not adopting in any of the ' || cast(weeks_in_data as {{ dbt.type_string() }})
                    || ' weeks of the data: a comparison team'
            when 'too_late_to_confirm'
                then
                    'adopting in the last weeks of the data, too few weeks left to confirm: left out until confirmed'
            else
                'adopting in ' || cast(adopting_weeks as {{ dbt.type_string() }}) || ' weeks but never in '
                || cast(min_adopting_weeks as {{ dbt.type_string() }}) || ' of '
                || cast(window_weeks as {{ dbt.type_string() }})
                || ' running: neither adopting nor a clean comparison, left out'
        end as reason
    from classified

)

select * from explained
