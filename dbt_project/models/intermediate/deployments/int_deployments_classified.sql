-- Deployments as the deploy metrics count them: one row per deployment_id (the latest delivery), with the
-- owning team at deploy time, production and failure classes, the redeploy dedup, the revert rules
-- and the deploy-spam guard. Everything a deploy metric needs is a flag on this row. The owner is the
-- team owning, on the deploy day, the services.csv service the deploy's service name matched
-- (int_deployment_services_matched); a deploy without one says why in unowned_reason.
-- A table, not a view: the deployment facts, the lead times, the restore times and the guards read it, and
-- as a view every deploy would be classified again for each.
{{ config(materialized='table') }}
with

deliveries as (

    select * from {{ ref('stg_lake__deployments') }}

),

environments as (

    select * from {{ ref('stg_reference__environments') }}

),

service_names as (

    select * from {{ ref('int_deployment_services_matched') }}

),

services as (

    select * from {{ ref('stg_lake__services') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

deployments as (

    {#- one deployment reported twice (a resend, a webhook and a REST page, two days' files): the report with
        the later deployed_at counts, and at the same time the status later in a deployment's life (a failure
        or an error may be retried into a success, a success may be rolled back, never the reverse) #}
    {{ latest_delivery('deliveries', ['deployment_id'], order_by=[
        'deployed_at desc',
        "case deployment_status when 'rolled_back' then 4 when 'success' then 3 when 'error' then 2 else 1 end desc",
    ]) }}

),

classed as (

    select
        deployments.*,
        coalesce(environments.is_production, false) as is_production,
        coalesce(environments.is_production, false)
        and deployments.deployment_status in ('success', 'rolled_back') as is_production_success,
        coalesce(environments.is_production, false)
        and deployments.deployment_status in ('failure', 'error') as is_production_failure
    from deployments
    left join environments
        on deployments.environment = environments.environment

),

ranked as (

    -- the earliest deploy of a (service, environment, commit) in its class counts; later ones are redeploys
    select
        *,
        row_number() over (
            partition by service_id, environment, commit_sha, is_production_success
            order by deployed_at, deployment_id
        ) as commit_rank
    from classed

),

successes as (

    select * from ranked
    where deployment_status = 'success'

),

commit_runs as (

    -- consecutive successes of one commit form a run; a deploy's previous commit is the previous run's
    select
        *,
        sum(is_new_commit) over (
            partition by service_id, environment order by deployed_at, deployment_id
            rows between unbounded preceding and current row
        ) as run_number
    from (
        select
            *,
            case
                when
                    commit_sha = lag(commit_sha) over (
                        partition by service_id, environment order by deployed_at, deployment_id
                    )
                    then 0
                else 1
            end as is_new_commit
        from successes
    ) as marked

),

run_commits as (

    select distinct
        service_id,
        environment,
        run_number,
        commit_sha
    from commit_runs

),

with_previous as (

    select
        commit_runs.*,
        previous_run.commit_sha as previous_commit_sha
    from commit_runs
    left join run_commits as previous_run
        on commit_runs.service_id = previous_run.service_id
        and commit_runs.environment = previous_run.environment
        and commit_runs.run_number - 1 = previous_run.run_number

),

revert_evidence as (

    -- a later success within revert_window_hours that names this deploy in rollback_of, or that
    -- redeploys the commit this deploy replaced: two equi-joins (one join on either condition would pair
    -- every two deploys of a service and environment, which grows with the square of history)
    select reverted.deployment_id
    from with_previous as reverted
    inner join successes as reverting
        on reverted.deployment_id = reverting.rollback_of_deployment_id
        and reverted.service_id = reverting.service_id
        and reverted.environment = reverting.environment
        and reverted.deployed_at < reverting.deployed_at
        and reverting.deployed_at
        <= {{ dbt.dateadd('hour', metric_var('revert_window_hours'), 'reverted.deployed_at') }}

    union

    select reverted.deployment_id
    from with_previous as reverted
    inner join successes as reverting
        on reverted.previous_commit_sha = reverting.commit_sha
        and reverted.service_id = reverting.service_id
        and reverted.environment = reverting.environment
        and reverted.deployed_at < reverting.deployed_at
        and reverting.deployed_at
        <= {{ dbt.dateadd('hour', metric_var('revert_window_hours'), 'reverted.deployed_at') }}

),

spam_service_days as (

    select
        service_id,
        deployed_date,
        count(*) as production_deploys,
        sum(case when lines_changed = 0 then 1 else 0 end) as zero_line_deploys
    from ranked
    where is_production_success and commit_rank = 1
    group by service_id, deployed_date
    having count(*) > {{ metric_var('deploy_spam_max_per_service_day') }}
        or sum(case when lines_changed = 0 then 1 else 0 end)
        >= {{ metric_var('deploy_spam_min_zero_line_deploys') }}

),

flagged as (

    select
        ranked.deployment_id,
        ranked.service_id,
        service_names.matched_service_id,
        services.team_id,
        case
            when services.service_id is not null then null
            when service_names.matched_service_id is null
                then coalesce(service_names.unmatched_reason, 'no_service_owner')
            else 'outside_ownership_period'
        end as unowned_reason,
        ranked.environment,
        ranked.commit_sha,
        ranked.deployment_status,
        ranked.deployed_at,
        ranked.deployed_date,
        ranked.triggered_by,
        identities.engineer_id as triggered_by_engineer_id,
        ranked.lines_changed,
        ranked.rollback_of_deployment_id,
        ranked.is_production,
        ranked.is_production_success and ranked.commit_rank = 1 as is_production_deploy,
        ranked.is_production_failure and ranked.commit_rank = 1 as is_failed_production_deploy,
        ranked.is_production_success and ranked.commit_rank > 1 as is_redeploy,
        ranked.is_production_success
        and (ranked.deployment_status = 'rolled_back' or revert_evidence.deployment_id is not null) as is_reverted,
        ranked.is_production_success and spam_service_days.service_id is not null as is_spam_flagged,
        ranked._source_file,
        ranked._source_line
    from ranked
    left join revert_evidence
        on ranked.deployment_id = revert_evidence.deployment_id
    left join spam_service_days
        on ranked.service_id = spam_service_days.service_id
        and ranked.deployed_date = spam_service_days.deployed_date
    left join service_names
        on ranked.service_id = service_names.service_id
    left join services
        on service_names.matched_service_id = services.service_id
        and ranked.deployed_date >= services.valid_from
        and (services.valid_to is null or ranked.deployed_date < services.valid_to)
    left join identities
        on ranked.triggered_by = identities.identity

)

select * from flagged
