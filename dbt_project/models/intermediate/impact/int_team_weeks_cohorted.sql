-- The panel the impact estimator reads: every published team-week with the team's org, velocity target, cohort
-- and adoption week, and the outcomes estimated. Published values only (suppressed metrics are null here too).
-- Complete ISO weeks only: a week the data ends inside holds a few days' deploys, which would read as a drop in
-- every team's last week and weigh on the weeks after adoption, where the last week always falls.
-- The estimator step depends on this model rather than on the published marts themselves, so it runs right
-- after the warehouse build and the publication gates still check every mart, mart_ai_impact included, at once.
with

team_weeks as (

    select * from {{ ref('mart_team_weekly') }}

),

cohorts as (

    select * from {{ ref('mart_team_cohorts') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

cohorted as (

    select
        team_weeks.team_id,
        teams.org,
        teams.velocity_target,
        team_weeks.week_start,
        cohorts.cohort,
        cohorts.adoption_week,
        team_weeks.deploys_per_engineer,
        team_weeks.change_failure_rate,
        team_weeks.lead_time_hours_p50,
        team_weeks.ai_assisted_pr_share
    from team_weeks
    inner join cohorts
        on team_weeks.team_id = cohorts.team_id
    inner join teams
        on team_weeks.team_id = teams.team_id
    where team_weeks.is_complete

)

select * from cohorted
