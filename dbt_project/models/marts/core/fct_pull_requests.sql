-- Grain: one merged pull request (the delivery that counts, int_pull_requests_deduplicated). Its AI attribution,
-- team, cycle time, review wait, size and lead time are computed in int_pull_requests_attributed; the author is
-- published only as the pseudonymous key of their engineer (a bot or an identity off the roster has none).
with

pull_requests as (

    select * from {{ ref('int_pull_requests_attributed') }}

),

final as (

    select
        pr_id,
        repository,
        pr_number,
        author_type,
        case
            when author_engineer_id is not null then {{ pseudonymise('author_engineer_id') }}
        end as author_engineer_key,
        team_id,
        team_attribution,
        unattributed_reason,
        created_at,
        first_review_at,
        first_commit_at,
        merged_at,
        merged_date,
        week_start,
        merge_commit_sha,
        size_lines,
        cycle_time_hours,
        review_wait_hours,
        is_ai_assisted,
        is_ai_touched,
        ai_tools,
        ai_rule_ids,
        lead_time_rule,
        deployment_id,
        deployed_at,
        deployed_date,
        deployed_team_id,
        lead_time_hours,
        is_split_flagged,
        is_attribution_without_usage,
        _source_file,
        _source_line
    from pull_requests

)

select * from final
