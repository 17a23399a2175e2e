-- Time to restore: each failed production deploy (is_failed_production_deploy) or reverted production deploy
-- (is_production_deploy and is_reverted) to the next production deploy of the same service and environment
-- that is neither failed nor reverted (restored_at; null while not restored). The next good deploy is found
-- with a running minimum over the service-environment's later deploys in time order (deployed_at, then
-- deployment_id), not by joining every failure to every later deploy. Grain: one failed or reverted
-- production deploy.
with

deployments as (

    select * from {{ ref('int_deployments_classified') }}
    where is_production_deploy or is_failed_production_deploy

),

marked as (

    select
        deployment_id,
        service_id,
        environment,
        team_id,
        deployed_at,
        deployed_date,
        is_failed_production_deploy or is_reverted as is_failure,
        case when is_production_deploy and not is_reverted then deployed_at end as good_deployed_at,
        case when is_production_deploy and not is_reverted then deployment_id end as good_deployment_id
    from deployments

),

next_good as (

    select
        *,
        min(good_deployed_at) over (
            partition by service_id, environment order by deployed_at, deployment_id
            rows between 1 following and unbounded following
        ) as restored_at
    from marked

),

restores as (

    -- the deploy that restored, joined back on its instant (the first by id of two at that instant)
    select
        next_good.deployment_id,
        min(marked.good_deployment_id) as restored_by_deployment_id
    from next_good
    inner join marked
        on next_good.service_id = marked.service_id
        and next_good.environment = marked.environment
        and next_good.restored_at = marked.good_deployed_at
    where next_good.is_failure
    group by next_good.deployment_id

),

final as (

    select
        next_good.deployment_id,
        next_good.service_id,
        next_good.environment,
        next_good.team_id,
        next_good.deployed_at,
        next_good.deployed_date,
        restores.restored_by_deployment_id,
        next_good.restored_at,
        {{ hours_between('next_good.deployed_at', 'next_good.restored_at') }} as time_to_restore_hours
    from next_good
    left join restores
        on next_good.deployment_id = restores.deployment_id
    where next_good.is_failure

)

select * from final
