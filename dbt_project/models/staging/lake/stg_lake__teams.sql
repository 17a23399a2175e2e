with

source as (

    select * from {{ lake_source('lake', 'teams') }}

),

renamed as (

    select
        team_id,
        team_name,
        org,
        parent_org,
        velocity_target,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
