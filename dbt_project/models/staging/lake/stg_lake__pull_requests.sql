-- Pull requests merged or closed, as delivered: one row per delivery (a resend, a webhook and a REST page of the
-- same pull request are three rows); int_pull_requests_deduplicated keeps the one that counts.
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

)

select * from renamed
