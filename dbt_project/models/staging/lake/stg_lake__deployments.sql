with

source as (

    select * from {{ lake_source('lake', 'deployments') }}

),

renamed as (

    select
        deployment_id,
        service as service_id,
        lower(environment) as environment,
        commit_sha,
        status as deployment_status,
        cast(deployed_at as timestamp) as deployed_at,
        cast(deployed_at as date) as deployed_date,
        lower(triggered_by) as triggered_by,
        lines_changed,
        rollback_of as rollback_of_deployment_id,
        cast(day as date) as partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
