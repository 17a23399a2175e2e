with

source as (

    select * from {{ lake_source('lake', 'tool_activity') }}

),

renamed as (

    select
        lower(identity) as identity,
        identity_type,
        tool,
        activity_date,
        activity_type,
        activity_count,
        cast(first_at as timestamp) as first_at,
        cast(last_at as timestamp) as last_at,
        peak_events_per_minute,
        cast(day as date) as partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
