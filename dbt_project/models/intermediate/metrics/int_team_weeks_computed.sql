-- Team-week metrics before privacy suppression (org rows sum these): rates, adoption, AI-native,
-- and velocity against the frozen baseline (pooled over the week and the 3 before).
with

team_weeks as (

    select * from {{ ref('int_team_weeks_measured') }}

),

frozen as (

    select * from {{ ref('int_team_baselines_frozen') }}

),

live as (

    select * from {{ ref('int_team_baselines_computed') }}

),

baselines as (

    -- the frozen baseline once there is one; until the window is complete, the live value (not frozen)
    select
        coalesce(frozen.team_id, live.team_id) as team_id,
        case
            when frozen.team_id is not null then frozen.baseline_deploys_per_engineer
            else live.baseline_deploys_per_engineer
        end as baseline_deploys_per_engineer,
        frozen.team_id is not null as is_baseline_frozen
    from frozen
    full outer join live
        on frozen.team_id = live.team_id
        and frozen.programme = live.programme

),

pooled as (

    select
        *,
        count(*) over (
            partition by team_id order by week_start rows between 3 preceding and current row
        ) as pooled_weeks,
        sum(quality_adjusted_deploys) over (
            partition by team_id order by week_start rows between 3 preceding and current row
        ) as pooled_deploys,
        sum(headcount) over (
            partition by team_id order by week_start rows between 3 preceding and current row
        ) as pooled_headcount
    from team_weeks

),

computed as (

    select
        pooled.team_id,
        pooled.org,
        pooled.week_start,
        pooled.velocity_target,
        pooled.headcount,
        pooled.production_deploys,
        pooled.quality_adjusted_deploys,
        pooled.unflagged_production_deploys,
        pooled.reverted_deploys,
        pooled.failed_deploys,
        pooled.flagged_production_deploys,
        pooled.weekly_active_ai_users,
        pooled.value_deriving_events,
        pooled.lifecycle_stages_covered,
        pooled.merged_pull_requests,
        pooled.ai_assisted_pull_requests,
        case
            when pooled.merged_pull_requests > 0
                then cast(pooled.ai_assisted_pull_requests as {{ type_double() }}) / pooled.merged_pull_requests
        end as ai_assisted_pr_share,
        pooled.lead_time_hours_p50,
        pooled.lead_time_hours_p90,
        pooled.time_to_restore_hours_p50,
        case
            when pooled.headcount > 0
                then cast(pooled.quality_adjusted_deploys as {{ type_double() }}) / pooled.headcount
        end as deploys_per_engineer,
        case
            when pooled.unflagged_production_deploys + pooled.failed_deploys > 0
                then cast(pooled.failed_deploys + pooled.reverted_deploys as {{ type_double() }})
                    / (pooled.unflagged_production_deploys + pooled.failed_deploys)
        end as change_failure_rate,
        pooled.weekly_active_ai_users >= {{ metric_var('adoption_threshold') }} * pooled.headcount
        and pooled.headcount > 0 as is_adopting,
        pooled.lifecycle_stages_covered >= {{ metric_var('ai_native_min_stages') }} as is_ai_native,
        case
            when pooled.weekly_active_ai_users > 0
                then cast(pooled.value_deriving_events as {{ type_double() }}) / pooled.weekly_active_ai_users
        end as vde_per_active_user,
        baselines.baseline_deploys_per_engineer,
        coalesce(baselines.is_baseline_frozen, false) as is_baseline_frozen,
        case
            when pooled.pooled_weeks = 4 and pooled.pooled_headcount > 0 and baselines.baseline_deploys_per_engineer > 0
                then cast(pooled.pooled_deploys as {{ type_double() }}) / pooled.pooled_headcount
                    / baselines.baseline_deploys_per_engineer
        end as velocity_multiple,
        pooled.headcount < {{ metric_var('min_group_size') }} as is_suppressed
    from pooled
    left join baselines
        on pooled.team_id = baselines.team_id

),

final as (

    select
        *,
        case when velocity_multiple is not null then velocity_multiple >= velocity_target end as is_on_track
    from computed

)

select * from final
