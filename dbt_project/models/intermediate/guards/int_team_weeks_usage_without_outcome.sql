-- Usage without outcome (a tripwire, not an exclusion): a team-week whose weekly active share rose to
-- at least 2x its baseline-window share while its velocity multiple stayed within 1.1x.
with

team_weeks as (

    select * from {{ ref('int_team_weeks_computed') }}

),

programme as (

    select * from {{ ref('stg_reference__velocity_programme') }}

),

baseline_usage as (

    select
        team_weeks.team_id,
        sum(team_weeks.weekly_active_ai_users) as baseline_active_users,
        sum(team_weeks.headcount) as baseline_headcount
    from team_weeks
    cross join programme
    where team_weeks.week_start >= programme.baseline_start
        and team_weeks.week_start <= programme.baseline_end
    group by team_weeks.team_id

),

compared as (

    select
        team_weeks.team_id,
        team_weeks.week_start,
        cast(team_weeks.weekly_active_ai_users as {{ type_double() }}) / team_weeks.headcount as active_share,
        cast(baseline_usage.baseline_active_users as {{ type_double() }}) / baseline_usage.baseline_headcount
            as baseline_active_share,
        team_weeks.velocity_multiple
    from team_weeks
    inner join baseline_usage
        on team_weeks.team_id = baseline_usage.team_id
    where team_weeks.headcount > 0
        and baseline_usage.baseline_headcount > 0
        and team_weeks.velocity_multiple is not null

),

flagged as (

    select *
    from compared
    where active_share > 0
        and active_share >= 2 * baseline_active_share
        and velocity_multiple <= 1.1

)

select * from flagged
