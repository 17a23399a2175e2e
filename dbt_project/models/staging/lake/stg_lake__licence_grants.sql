with

source as (

    select * from {{ lake_source('lake', 'licence_grants') }}

),

renamed as (

    select
        lower(identity) as identity,
        identity_type,
        tool,
        cast(granted_at as timestamp) as granted_at,
        cast(revoked_at as timestamp) as revoked_at,
        cast(granted_at as date) as granted_date,
        cast(revoked_at as date) as revoked_date,
        plan,
        monthly_cost_usd,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
