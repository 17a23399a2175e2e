-- Pull requests merged or closed, one row per pr_id: the lake keeps every delivery (a resend, a webhook and a
-- REST page of the same pull request), and the one with the latest updated_at counts; at the same updated_at the
-- delivery that lists its commits (a webhook payload does not), then the later file and line.
with

source as (

    select * from {{ lake_source('lake', 'pull_requests') }}

),

renamed as (

    select
        pr_id,
        repository,
        number as pr_number,
        lower(author) as author,
        author_type,
        title,
        head_branch,
        base_branch,
        cast(created_at as timestamp) as created_at,
        cast(first_review_at as timestamp) as first_review_at,
        cast(merged_at as timestamp) as merged_at,
        cast(closed_at as timestamp) as closed_at,
        cast(updated_at as timestamp) as updated_at,
        cast(merged_at as date) as merged_date,
        merged_at is not null as is_merged,
        merge_commit_sha,
        additions,
        deletions,
        changed_files,
        commit_count,
        has_commit_list,
        cast(day as date) as partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

),

latest as (

    {{ latest_delivery('renamed', ['pr_id'], order_by=['updated_at desc', 'has_commit_list desc']) }}

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
