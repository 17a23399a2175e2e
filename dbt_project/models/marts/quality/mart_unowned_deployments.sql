-- Deploys that count for no team, per service (as the deployment export spells it), environment, day and
-- reason: a service missing from services.csv, a name that could be several services, or a deploy
-- outside every ownership period of its service. They fall out of every team and org deploy metric, so
-- they are reported here, never dropped silently. Acknowledged like the guard signals: signal_type
-- unowned_deployment, entity_id the service, and period_start (the deploy day) when filled.
with

deployments as (

    select * from {{ ref('fct_deployments') }}
    where unowned_reason is not null

),

acknowledgements as (

    select * from {{ ref('stg_reference__guard_acknowledgements') }}
    where signal_type = 'unowned_deployment'

),

counted as (

    select
        service_id,
        environment,
        deployed_date,
        unowned_reason,
        cast(count(*) as {{ dbt.type_bigint() }}) as deploys,
        cast(sum(case when is_production_deploy then 1 else 0 end) as {{ dbt.type_bigint() }}) as production_deploys
    from deployments
    group by service_id, environment, deployed_date, unowned_reason

),

final as (

    select
        counted.service_id,
        counted.environment,
        counted.deployed_date,
        counted.unowned_reason,
        counted.deploys,
        counted.production_deploys,
        exists(
            select 1 from acknowledgements
            where
                acknowledgements.entity_id = counted.service_id
                and (acknowledgements.period_start is null or acknowledgements.period_start = counted.deployed_date)
        ) as is_acknowledged
    from counted

)

select * from final
