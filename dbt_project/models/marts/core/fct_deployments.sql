-- Grain: one deployment (the latest delivery of each deployment_id). Small enough to rebuild whole:
-- the redeploy and revert rules look across days, so a partial rebuild would need their history anyway.
with

deployments as (

    select * from {{ ref('int_deployments_classified') }}

),

restores as (

    select * from {{ ref('int_deployments_restored') }}

),

restored as (

    select
        deployments.*,
        restores.restored_by_deployment_id,
        restores.time_to_restore_hours
    from deployments
    left join restores
        on deployments.deployment_id = restores.deployment_id

),

final as (

    select
        deployment_id,
        service_id,
        matched_service_id,
        team_id,
        unowned_reason,
        environment,
        commit_sha,
        deployment_status,
        deployed_at,
        deployed_date,
        {{ week_start('deployed_date') }} as week_start,
        case
            when triggered_by_engineer_id is not null then {{ pseudonymise('triggered_by_engineer_id') }}
        end as triggered_by_engineer_key,
        triggered_by_engineer_id is not null as is_triggered_by_engineer,
        lines_changed,
        rollback_of_deployment_id,
        is_production,
        is_production_deploy,
        is_failed_production_deploy,
        is_redeploy,
        is_reverted,
        is_spam_flagged,
        is_production_deploy and not is_reverted and not is_spam_flagged as is_quality_adjusted_deploy,
        restored_by_deployment_id,
        time_to_restore_hours,
        _source_file,
        _source_line
    from restored

)

select * from final
