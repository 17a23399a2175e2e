-- The services.csv services built from each merged pull request's repository. A service is built from the
-- repository its `repository` column names, or, when that is empty, from the repository its own name spells
-- (services.csv names a service `owner/repo` or `repo`). Either side may be owner/repo or a bare repo, and a
-- bare name matches the repository name of an owner/repo, as deploy service names match services.csv
-- (int_deployment_services_matched). Unlike a deploy's service name, which may be anything, a pull request's
-- repository is a GitHub repository, whose names ignore case: so every comparison here does, two bare names
-- included. A monorepo may build several services. Grain: pull request x service.
with

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}
    where is_merged

),

services as (

    select * from {{ ref('stg_lake__services') }}

),

service_repositories as (

    select distinct
        service_id,
        lower(coalesce(repository, service_id)) as repository
    from services

),

pull_request_repositories as (

    select
        pr_id,
        lower(repository) as repository
    from pull_requests

),

named as (

    -- both sides keyed by the repository name (repository_name_key), so that the match is an equi-join
    select
        'pull_request' as side,
        pr_id as id,
        repository,
        {{ is_full_repository_name('repository') }} as is_full_name,
        {{ repository_name_key('repository') }} as repository_name
    from pull_request_repositories

    union all

    select
        'service' as side,
        service_id as id,
        repository,
        {{ is_full_repository_name('repository') }} as is_full_name,
        {{ repository_name_key('repository') }} as repository_name
    from service_repositories

),

matched as (

    select distinct
        pull_request_names.id as pr_id,
        service_names.id as service_id
    from named as pull_request_names
    inner join named as service_names
        on pull_request_names.repository_name = service_names.repository_name
    where
        pull_request_names.side = 'pull_request'
        and service_names.side = 'service'
        and (
            pull_request_names.repository = service_names.repository
            or not pull_request_names.is_full_name
            or not service_names.is_full_name
        )

)

select * from matched
