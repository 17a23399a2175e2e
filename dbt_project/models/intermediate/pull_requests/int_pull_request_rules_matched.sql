-- Which AI attribution rule (ai_attribution_rules.csv) fired on which merged pull request, and on what evidence:
-- a commit message (trailer), the pull request's author or a commit's author (author), a label (label), the head
-- branch (branch_prefix), or a commit preceded by the author's AI tool use (usage_window). Patterns are SQL LIKE
-- patterns ('%' any text, '_' any one character), compared lower-cased on both sides, so a trailer written
-- Co-Authored-By or co-authored-by matches alike. A trailer pattern names the trailer itself
-- ('%co-authored-by: copilot%'), so a message that only mentions copilot in prose does not match.
-- usage_window: the pattern is the window in hours, and usage is daily (one row per engineer, tool and UTC
-- day), so the window is approximated by whole UTC days: any active use on a day from the day of
-- (authored_at - window) to the commit's own day counts (24 hours: the commit's UTC day or the day before).
-- The engineer is the pull request author's (resolved as usage identities are); the tool is the one used,
-- limited to the rule's tool when it names one. Grain: pull request x rule x evidence x tool.
with

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}
    where is_merged

),

commits as (

    select * from {{ ref('int_pull_request_commits_deduplicated') }}

),

labels as (

    select * from {{ ref('int_pull_request_labels_deduplicated') }}

),

rules as (

    select * from {{ ref('stg_reference__ai_attribution_rules') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}
    where engineer_id is not null and is_active_type

),

usage_rules as (

    -- filtered before the cast: only a usage_window's pattern is a number of hours
    select
        rule_id,
        tool,
        cast(pattern as {{ dbt.type_bigint() }}) as window_hours
    from rules
    where kind = 'usage_window'

),

merged_commits as (

    select commits.*
    from commits
    inner join pull_requests
        on commits.pr_id = pull_requests.pr_id

),

trailer_matches as (

    select
        merged_commits.pr_id,
        rules.rule_id,
        'commit_message' as evidence_type,
        merged_commits.commit_sha as evidence,
        rules.tool
    from merged_commits
    inner join rules
        on lower(merged_commits.commit_message) like lower(rules.pattern)
    where rules.kind = 'trailer'

),

author_matches as (

    select
        pull_requests.pr_id,
        rules.rule_id,
        'pull_request_author' as evidence_type,
        pull_requests.author as evidence,
        rules.tool
    from pull_requests
    inner join rules
        on lower(pull_requests.author) like lower(rules.pattern)
    where rules.kind = 'author'

    union all

    select
        merged_commits.pr_id,
        rules.rule_id,
        'commit_author' as evidence_type,
        merged_commits.commit_sha as evidence,
        rules.tool
    from merged_commits
    inner join rules
        on lower(merged_commits.author) like lower(rules.pattern)
    where rules.kind = 'author'

),

label_matches as (

    select
        labels.pr_id,
        rules.rule_id,
        'label' as evidence_type,
        labels.label as evidence,
        rules.tool
    from labels
    inner join pull_requests
        on labels.pr_id = pull_requests.pr_id
    inner join rules
        on lower(labels.label) like lower(rules.pattern)
    where rules.kind = 'label'

),

branch_matches as (

    select
        pull_requests.pr_id,
        rules.rule_id,
        'head_branch' as evidence_type,
        pull_requests.head_branch as evidence,
        rules.tool
    from pull_requests
    inner join rules
        on lower(pull_requests.head_branch) like lower(rules.pattern)
    where rules.kind = 'branch_prefix'

),

usage_windows as (

    select
        merged_commits.pr_id,
        merged_commits.commit_sha,
        merged_commits.authored_at,
        identities.engineer_id,
        usage_rules.rule_id,
        usage_rules.tool as rule_tool,
        cast({{ dbt.dateadd('hour', '-1 * usage_rules.window_hours', 'merged_commits.authored_at') }} as date)
            as window_first_date,
        cast(merged_commits.authored_at as date) as window_last_date
    from merged_commits
    inner join pull_requests
        on merged_commits.pr_id = pull_requests.pr_id
    inner join identities
        on pull_requests.author = identities.identity
    cross join usage_rules

),

usage_matches as (

    select distinct
        usage_windows.pr_id,
        usage_windows.rule_id,
        'commit_after_usage' as evidence_type,
        usage_windows.commit_sha as evidence,
        activity.tool
    from usage_windows
    inner join activity
        on usage_windows.engineer_id = activity.engineer_id
        and usage_windows.window_first_date <= activity.activity_date
        and usage_windows.window_last_date >= activity.activity_date
    where usage_windows.rule_tool is null or usage_windows.rule_tool = activity.tool

),

matches as (

    select * from trailer_matches
    union
    select * from author_matches
    union
    select * from label_matches
    union
    select * from branch_matches
    union
    select * from usage_matches

),

final as (

    select
        matches.pr_id,
        matches.rule_id,
        rules.kind as rule_kind,
        rules.strength as rule_strength,
        matches.tool,
        matches.evidence_type,
        matches.evidence
    from matches
    inner join rules
        on matches.rule_id = rules.rule_id

)

select * from final
