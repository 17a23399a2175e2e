-- Every team x ISO week of the data with its raw measures, before privacy suppression and velocity:
-- headcount on the week's Monday, deploy counts by class, active users, stages covered, VDE, merged pull
-- requests and the DORA times. Merged pull requests count for the author's team in the merge's ISO week (pull
-- requests flagged as splitting left out); lead time for the team owning the deployed service in the deploy's
-- week; time to restore for the team owning the failed service in the failure's week. Without any pull request
-- in the lake (an organisation that delivers none) the pull request counts are null, not zero.
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

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

pull_request_feed as (

    select count(*) as delivered_pull_requests from {{ ref('int_pull_requests_deduplicated') }}

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

pull_request_counts as (

    select
        team_id,
        week_start,
        count(*) as merged_pull_requests,
        sum(case when is_ai_assisted then 1 else 0 end) as ai_assisted_pull_requests
    from pull_requests
    where team_id is not null and not is_split_flagged
    group by team_id, week_start

),

lead_times as (

    select
        deployed_team_id as team_id,
        {{ week_start('deployed_date') }} as week_start,
        {{ percentile_continuous('lead_time_hours', 0.5) }} as lead_time_hours_p50,
        {{ percentile_continuous('lead_time_hours', 0.9) }} as lead_time_hours_p90
    from pull_requests
    where deployed_team_id is not null and not is_split_flagged
    group by deployed_team_id, {{ week_start('deployed_date') }}

),

restore_times as (

    select
        team_id,
        week_start,
        {{ percentile_continuous('time_to_restore_hours', 0.5) }} as time_to_restore_hours_p50
    from deployments
    where team_id is not null and time_to_restore_hours is not null
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
        cast(coalesce(stage_counts.lifecycle_stages_covered, 0) as {{ dbt.type_bigint() }}) as lifecycle_stages_covered,
        case
            when pull_request_feed.delivered_pull_requests > 0
                then cast(coalesce(pull_request_counts.merged_pull_requests, 0) as {{ dbt.type_bigint() }})
        end as merged_pull_requests,
        case
            when pull_request_feed.delivered_pull_requests > 0
                then cast(coalesce(pull_request_counts.ai_assisted_pull_requests, 0) as {{ dbt.type_bigint() }})
        end as ai_assisted_pull_requests,
        cast(lead_times.lead_time_hours_p50 as {{ type_double() }}) as lead_time_hours_p50,
        cast(lead_times.lead_time_hours_p90 as {{ type_double() }}) as lead_time_hours_p90,
        cast(restore_times.time_to_restore_hours_p50 as {{ type_double() }}) as time_to_restore_hours_p50
    from team_weeks
    cross join pull_request_feed
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
    left join pull_request_counts
        on team_weeks.team_id = pull_request_counts.team_id
        and team_weeks.week_start = pull_request_counts.week_start
    left join lead_times
        on team_weeks.team_id = lead_times.team_id
        and team_weeks.week_start = lead_times.week_start
    left join restore_times
        on team_weeks.team_id = restore_times.team_id
        and team_weeks.week_start = restore_times.week_start

)

select * from measured
