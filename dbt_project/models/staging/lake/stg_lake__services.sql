with

source as (

    select * from {{ lake_source('lake', 'services') }}

),

renamed as (

    select
        service as service_id,
        team_id,
        valid_from,
        valid_to,
        nullif(trim(repository), '') as repository,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
