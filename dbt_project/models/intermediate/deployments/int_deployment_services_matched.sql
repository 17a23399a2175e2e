-- Which services.csv service each deployment service name stands for. Exporters spell a service their
-- own way: GitHub exports name it by the repository's full name (owner/repo), while an organisation's
-- services.csv often lists the bare repository name. A name matches a services.csv service that is the
-- same name; failing that, an owner/repo matches a bare repo of the same repository name. GitHub names
-- ignore case, so any comparison involving an owner/repo does too; two bare names compare exactly.
-- Nothing is guessed: a name that could be several services (services.csv lists a/api and b/api, a
-- deploy says api), or a bare service that several owner/repo names would share (a/api and b/api deploy,
-- services.csv lists api), stays unmatched as ambiguous_service_name. Grain: one deployment service name.
with

deployments as (

    select distinct service_id from {{ ref('stg_lake__deployments') }}

),

services as (

    select distinct service_id from {{ ref('stg_lake__services') }}

),

names as (

    select
        'deployment' as side,
        service_id
    from deployments

    union all

    select
        'services_csv' as side,
        service_id
    from services

),

keyed as (

    select
        side,
        service_id,
        {{ is_full_repository_name('service_id') }} as is_full_name,
        {{ repository_name_key('service_id') }} as repository_name
    from names

),

candidates as (

    select
        deployment_names.service_id,
        service_names.service_id as matched_service_id,
        case
            when
                deployment_names.service_id = service_names.service_id
                or (deployment_names.is_full_name and service_names.is_full_name)
                then 'exact'
            else 'repository_name'
        end as match_type
    from keyed as deployment_names
    inner join keyed as service_names
        on deployment_names.repository_name = service_names.repository_name
    where
        deployment_names.side = 'deployment'
        and service_names.side = 'services_csv'
        and (
            deployment_names.service_id = service_names.service_id
            or (
                deployment_names.is_full_name
                and service_names.is_full_name
                and lower(deployment_names.service_id) = lower(service_names.service_id)
            )
            or deployment_names.is_full_name <> service_names.is_full_name
        )

),

tiered as (

    -- a name that matches a service as it is spelled does not also match by repository name
    select
        *,
        min(case when match_type = 'exact' then 1 else 2 end) over (partition by service_id) as best_tier
    from candidates

),

best as (

    select
        service_id,
        matched_service_id,
        match_type
    from tiered
    where case when match_type = 'exact' then 1 else 2 end = best_tier

),

claimed as (

    -- the repositories that would share a service by its repository name (owner/repo ignores case, so
    -- acme/api and Acme/API are one repository)
    select
        matched_service_id,
        count(distinct lower(service_id)) as repositories_matched
    from best
    where match_type = 'repository_name'
    group by matched_service_id

),

counted as (

    select
        best.*,
        count(*) over (partition by best.service_id) as services_matched,
        claimed.repositories_matched
    from best
    left join claimed
        on best.matched_service_id = claimed.matched_service_id

),

resolved as (

    select
        service_id,
        min(matched_service_id) as matched_service_id,
        min(match_type) as match_type,
        {{ dbt.bool_or(
            "services_matched > 1 or (match_type = 'repository_name' and repositories_matched > 1)"
        ) }} as is_ambiguous
    from counted
    group by service_id

),

final as (

    select
        deployments.service_id,
        case when not resolved.is_ambiguous then resolved.matched_service_id end as matched_service_id,
        case when not resolved.is_ambiguous then resolved.match_type end as match_type,
        case
            when resolved.service_id is null then 'no_service_owner'
            when resolved.is_ambiguous then 'ambiguous_service_name'
        end as unmatched_reason
    from deployments
    left join resolved
        on deployments.service_id = resolved.service_id

)

select * from final
