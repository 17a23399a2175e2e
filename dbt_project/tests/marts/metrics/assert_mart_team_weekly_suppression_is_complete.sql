-- Privacy (DESIGN.md): a team-week is suppressed exactly when its headcount < min_group_size, and a
-- suppressed row publishes no metric (team_id, week_start, headcount and velocity_target stay).
-- Returns the offending rows.
with

team_weeks as (

    select * from {{ ref('mart_team_weekly') }}

),

offending as (

    select *
    from team_weeks
    where is_suppressed <> (headcount < {{ metric_var('min_group_size') }})
        or (
            is_suppressed
            and (
                production_deploys is not null
                or quality_adjusted_deploys is not null
                or deploys_per_engineer is not null
                or change_failure_rate is not null
                or weekly_active_ai_users is not null
                or is_adopting is not null
                or lifecycle_stages_covered is not null
                or is_ai_native is not null
                or value_deriving_events is not null
                or vde_per_active_user is not null
                or baseline_deploys_per_engineer is not null
                or velocity_multiple is not null
                or is_on_track is not null
            )
        )

)

select * from offending
