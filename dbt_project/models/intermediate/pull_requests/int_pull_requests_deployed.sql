-- Lead time for changes of each merged pull request: from its first commit's authored_at to the first successful
-- production deploy of a service built from its repository (int_deployments_classified.is_production_deploy, the
-- earliest deploy of its service, environment and commit, and not rolled back: a rolled-back deploy did not ship
-- the change), and which rule found that deploy (lead_time_rule):
--   merge_commit  it deployed the pull request's merge commit (matched on the sha, so a deploy clock a little
--                 behind the merge still counts);
--   after_merge   it is the first such deploy at or after merged_at and deployed another commit (a later commit
--                 carries the change), before any deploy of the merge commit itself;
--   not_deployed  no such deploy yet; no_service: no services.csv service is built from the repository.
-- The services built from the repository are int_pull_request_services_matched's; a deploy is a service's when
-- its service name matched it (int_deployment_services_matched).
-- The first deploy after the merge is found with a running minimum over each service's deploys and merges in
-- time order, not by joining every merge to every later deploy (which grows with the square of history).
-- Grain: one merged pull request.
{%- set far_future = "cast('9999-12-31 00:00:00' as timestamp)" %}
with

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}
    where is_merged

),

commits as (

    select * from {{ ref('int_pull_request_commits_deduplicated') }}

),

pull_request_services as (

    select * from {{ ref('int_pull_request_services_matched') }}

),

deployments as (

    select * from {{ ref('int_deployments_classified') }}
    where is_production_deploy and deployment_status = 'success' and matched_service_id is not null

),

pull_requests_with_service as (

    select distinct pr_id from pull_request_services

),

first_commits as (

    select
        pr_id,
        min(authored_at) as first_commit_at
    from commits
    group by pr_id

),

merge_commit_deploys as (

    select
        pull_requests.pr_id,
        min(deployments.deployed_at) as deployed_at
    from pull_requests
    inner join pull_request_services
        on pull_requests.pr_id = pull_request_services.pr_id
    inner join deployments
        on pull_request_services.service_id = deployments.matched_service_id
        and lower(pull_requests.merge_commit_sha) = lower(deployments.commit_sha)
    group by pull_requests.pr_id

),

timeline as (

    -- each service's merges and deploys in time order; at the same instant a deploy sorts after the merge,
    -- so a deploy at merged_at counts as after it
    select
        pull_request_services.service_id,
        pull_request_services.pr_id,
        pull_requests.merged_at as event_at,
        0 as event_order,
        cast(null as timestamp) as deployed_at
    from pull_request_services
    inner join pull_requests
        on pull_request_services.pr_id = pull_requests.pr_id

    union all

    select
        matched_service_id as service_id,
        cast(null as {{ dbt.type_string() }}) as pr_id,
        deployed_at as event_at,
        1 as event_order,
        deployed_at
    from deployments
    where matched_service_id in (select pull_request_services.service_id from pull_request_services)

),

next_deploys as (

    select
        service_id,
        pr_id,
        min(deployed_at) over (
            partition by service_id order by event_at, event_order
            rows between current row and unbounded following
        ) as next_deployed_at
    from timeline

),

after_merge_deploys as (

    select
        pr_id,
        min(next_deployed_at) as deployed_at
    from next_deploys
    where pr_id is not null
    group by pr_id

),

ruled as (

    -- the merge commit's deploy counts when no other deploy came after the merge and before it
    select
        pull_requests.pr_id,
        first_commits.first_commit_at,
        case
            when merge_commit_deploys.deployed_at <= coalesce(after_merge_deploys.deployed_at, {{ far_future }})
                then 'merge_commit'
            when after_merge_deploys.deployed_at is not null then 'after_merge'
            when pull_requests_with_service.pr_id is not null then 'not_deployed'
            else 'no_service'
        end as lead_time_rule,
        case
            when merge_commit_deploys.deployed_at <= coalesce(after_merge_deploys.deployed_at, {{ far_future }})
                then merge_commit_deploys.deployed_at
            else after_merge_deploys.deployed_at
        end as deployed_at,
        pull_requests.merge_commit_sha
    from pull_requests
    left join first_commits
        on pull_requests.pr_id = first_commits.pr_id
    left join merge_commit_deploys
        on pull_requests.pr_id = merge_commit_deploys.pr_id
    left join after_merge_deploys
        on pull_requests.pr_id = after_merge_deploys.pr_id
    left join pull_requests_with_service
        on pull_requests.pr_id = pull_requests_with_service.pr_id

),

deploys_found as (

    -- the deploy found, joined back on its service and instant; of two deploys at that instant (two
    -- services, two environments) the merge commit's, then the first by id
    select
        ruled.pr_id,
        deployments.deployment_id,
        deployments.team_id,
        row_number() over (
            partition by ruled.pr_id
            order by
                case when lower(deployments.commit_sha) = lower(ruled.merge_commit_sha) then 0 else 1 end,
                deployments.deployment_id
        ) as deploy_rank
    from ruled
    inner join pull_request_services
        on ruled.pr_id = pull_request_services.pr_id
    inner join deployments
        on pull_request_services.service_id = deployments.matched_service_id
        and ruled.deployed_at = deployments.deployed_at

),

final as (

    select
        ruled.pr_id,
        ruled.first_commit_at,
        ruled.lead_time_rule,
        deploys_found.deployment_id,
        ruled.deployed_at,
        cast(ruled.deployed_at as date) as deployed_date,
        deploys_found.team_id as deployed_team_id,
        {{ hours_between('ruled.first_commit_at', 'ruled.deployed_at') }} as lead_time_hours
    from ruled
    left join deploys_found
        on ruled.pr_id = deploys_found.pr_id
        and deploys_found.deploy_rank = 1

)

select * from final
