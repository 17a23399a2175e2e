with

source as (

    select * from {{ lake_source('lake', 'identities') }}

),

renamed as (

    select
        lower(identity) as identity,
        identity_type,
        engineer_id,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
