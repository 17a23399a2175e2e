-- The labels of each pull request delivery, as delivered, with the pull request's updated_at in that delivery
-- (pr_updated_at); int_pull_request_labels_deduplicated keeps those of the delivery that counts.
with

source as (

    select * from {{ lake_source('lake', 'pull_request_labels') }}

),

renamed as (

    select
        pr_id,
        cast(pr_updated_at as timestamp) as pr_updated_at,
        label,
        cast(day as date) as partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
