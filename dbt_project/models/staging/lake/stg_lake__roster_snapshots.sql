with

source as (

    select * from {{ lake_source('lake', 'roster') }}

),

renamed as (

    select
        engineer_id,
        lower(email) as email,
        lower(github_login) as github_login,
        full_name,
        team_id,
        lower(manager_email) as manager_email,
        role,
        is_engineer,
        snapshot_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
