-- The commits of the delivery of each pull request that counts (stg_lake__pull_requests), joined on pr_id and
-- its updated_at: a superseded delivery's commits are not the pull request's. Two deliveries at the same
-- updated_at (a file sent twice) list a commit once: the later file and line.
with

source as (

    select * from {{ lake_source('lake', 'pull_request_commits') }}

),

pull_requests as (

    select * from {{ ref('stg_lake__pull_requests') }}

),

renamed as (

    select
        pr_id,
        cast(pr_updated_at as timestamp) as pr_updated_at,
        sha as commit_sha,
        cast(authored_at as timestamp) as authored_at,
        lower(author) as author,
        message as commit_message,
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

    {{ latest_delivery('counted', ['pr_id', 'commit_sha']) }}

),

final as (

    select
        pr_id,
        pr_updated_at,
        commit_sha,
        authored_at,
        author,
        commit_message,
        partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from latest

)

select * from final
