-- Every team x ISO week of the data with its raw measures, before privacy suppression and velocity:
-- headcount on the week's Monday, deploy counts by class, active users, stages covered, VDE.
with

teams as (

    select * from {{ ref('dim_teams') }}

),

weeks as (

    select distinct week_start from {{ ref('dim_dates') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}

),

deployments as (

    select * from {{ ref('fct_deployments') }}

),

activity as (

    select * from {{ ref('fct_tool_activity_daily') }}

),

tool_stages as (

    select * from {{ ref('int_tool_lifecycle_stages_unnested') }}

),

team_weeks as (

    select
        teams.team_id,
        teams.org,
        teams.velocity_target,
        weeks.week_start
    from teams
    cross join weeks

),

headcounts as (

    select
        team_id,
        date_day as week_start,
        count(distinct engineer_id) as headcount
    from engineer_days
    where is_engineer
        and date_day = {{ week_start('date_day') }}
    group by team_id, date_day

),

deploy_counts as (

    select
        team_id,
        week_start,
        cast(sum(case when is_production_deploy then 1 else 0 end) as {{ dbt.type_bigint() }}) as production_deploys,
        cast(sum(case when is_quality_adjusted_deploy then 1 else 0 end) as {{ dbt.type_bigint() }})
            as quality_adjusted_deploys,
        cast(sum(case when is_production_deploy and not is_spam_flagged then 1 else 0 end) as {{ dbt.type_bigint() }})
            as unflagged_production_deploys,
        cast(
            sum(case when is_production_deploy and is_reverted and not is_spam_flagged then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as reverted_deploys,
        cast(sum(case when is_failed_production_deploy then 1 else 0 end) as {{ dbt.type_bigint() }}) as failed_deploys,
        cast(sum(case when is_production_deploy and is_spam_flagged then 1 else 0 end) as {{ dbt.type_bigint() }})
            as flagged_production_deploys
    from deployments
    where team_id is not null
    group by team_id, week_start

),

activity_counts as (

    select
        team_id,
        week_start,
        count(distinct case when is_active_type then engineer_id end) as weekly_active_ai_users,
        cast(sum(value_deriving_events) as {{ dbt.type_bigint() }}) as value_deriving_events
    from activity
    group by team_id, week_start

),

stage_counts as (

    select
        activity.team_id,
        activity.week_start,
        count(distinct tool_stages.lifecycle_stage) as lifecycle_stages_covered
    from activity
    inner join tool_stages
        on activity.tool = tool_stages.tool
    where activity.is_active_type
    group by activity.team_id, activity.week_start

),

measured as (

    select
        team_weeks.team_id,
        team_weeks.org,
        team_weeks.week_start,
        team_weeks.velocity_target,
        cast(coalesce(headcounts.headcount, 0) as {{ dbt.type_bigint() }}) as headcount,
        cast(coalesce(deploy_counts.production_deploys, 0) as {{ dbt.type_bigint() }}) as production_deploys,
        cast(coalesce(deploy_counts.quality_adjusted_deploys, 0) as {{ dbt.type_bigint() }})
            as quality_adjusted_deploys,
        cast(coalesce(deploy_counts.unflagged_production_deploys, 0) as {{ dbt.type_bigint() }})
            as unflagged_production_deploys,
        cast(coalesce(deploy_counts.reverted_deploys, 0) as {{ dbt.type_bigint() }}) as reverted_deploys,
        cast(coalesce(deploy_counts.failed_deploys, 0) as {{ dbt.type_bigint() }}) as failed_deploys,
        cast(coalesce(deploy_counts.flagged_production_deploys, 0) as {{ dbt.type_bigint() }})
            as flagged_production_deploys,
        cast(coalesce(activity_counts.weekly_active_ai_users, 0) as {{ dbt.type_bigint() }}) as weekly_active_ai_users,
        cast(coalesce(activity_counts.value_deriving_events, 0) as {{ dbt.type_bigint() }}) as value_deriving_events,
        cast(coalesce(stage_counts.lifecycle_stages_covered, 0) as {{ dbt.type_bigint() }}) as lifecycle_stages_covered
    from team_weeks
    left join headcounts
        on team_weeks.team_id = headcounts.team_id
        and team_weeks.week_start = headcounts.week_start
    left join deploy_counts
        on team_weeks.team_id = deploy_counts.team_id
        and team_weeks.week_start = deploy_counts.week_start
    left join activity_counts
        on team_weeks.team_id = activity_counts.team_id
        and team_weeks.week_start = activity_counts.week_start
    left join stage_counts
        on team_weeks.team_id = stage_counts.team_id
        and team_weeks.week_start = stage_counts.week_start

)

select * from measured
