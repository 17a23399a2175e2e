-- The commits of the delivery of each pull request that counts (int_pull_requests_deduplicated), joined on pr_id
-- and its updated_at: a superseded delivery's commits are not the pull request's (a later push may have rewritten
-- them). Two deliveries at the same updated_at (a file sent twice) list a commit once: the later file and line
-- (rows_of_counted_delivery).
-- A table, not a view: the attribution rules, the lead times and its tests read it, and as a view every
-- delivered commit would be ranked again for each.
{{ config(materialized='table') }}
with

deliveries as (

    select * from {{ ref('stg_lake__pull_request_commits') }}

),

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}

),

latest as (

    {{ rows_of_counted_delivery('deliveries', 'pull_requests', ['pr_id', 'commit_sha']) }}

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
