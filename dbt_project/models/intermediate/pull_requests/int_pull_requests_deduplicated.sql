-- Pull requests merged or closed, one row per pr_id. The lake keeps every delivery (a resend, a webhook and a
-- REST page of the same pull request), and the one with the latest updated_at counts: it is the pull request's
-- latest state in its source. At the same updated_at the delivery that lists its commits counts (a webhook
-- payload does not, and int_pull_request_commits_deduplicated reads the commits of this delivery only), then
-- the later file and line (latest_delivery).
-- A table, not a view: the pull request models and their tests read it, and as a view every delivery would
-- be ranked again for each.
{{ config(materialized='table') }}
with

deliveries as (

    select * from {{ ref('stg_lake__pull_requests') }}

),

latest as (

    {{ latest_delivery('deliveries', ['pr_id'], order_by=['updated_at desc', 'has_commit_list desc']) }}

),

final as (

    select
        pr_id,
        repository,
        pr_number,
        author,
        author_type,
        title,
        head_branch,
        base_branch,
        created_at,
        first_review_at,
        merged_at,
        closed_at,
        updated_at,
        merged_date,
        is_merged,
        merge_commit_sha,
        additions,
        deletions,
        changed_files,
        commit_count,
        has_commit_list,
        partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from latest

)

select * from final
