with

source as (

    select * from {{ lake_source('lake', 'survey_responses') }}

),

renamed as (

    select
        response_id,
        survey_id,
        lower(identity) as respondent,
        tool,
        score,
        cast(submitted_at as timestamp) as submitted_at,
        cast(submitted_at as date) as submitted_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
