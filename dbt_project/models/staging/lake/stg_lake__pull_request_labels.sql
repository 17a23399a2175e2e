-- The labels of the delivery of each pull request that counts (stg_lake__pull_requests), joined on pr_id and
-- its updated_at: a label removed in a later delivery is gone. Two deliveries at the same updated_at (a file
-- sent twice) list a label once: the later file and line.
with

source as (

    select * from {{ lake_source('lake', 'pull_request_labels') }}

),

pull_requests as (

    select * from {{ ref('stg_lake__pull_requests') }}

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

),

counted as (

    select renamed.*
    from renamed
    inner join pull_requests
        on renamed.pr_id = pull_requests.pr_id
        and renamed.pr_updated_at = pull_requests.updated_at

),

latest as (

    {{ latest_delivery('counted', ['pr_id', 'label']) }}

),

final as (

    select
        pr_id,
        pr_updated_at,
        label,
        partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from latest

)

select * from final
