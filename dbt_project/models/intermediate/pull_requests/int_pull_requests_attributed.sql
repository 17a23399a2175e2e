-- Merged pull requests as the pull request metrics count them: one row per merged pull request with its AI
-- attribution (rules fired, int_pull_request_rules_matched), its author's engineer and team, its cycle time,
-- review wait, size and lead time (int_pull_requests_deployed), and the guard flags. Everything a pull request
-- metric needs is a column here.
-- Team: the author's team on the merge day (UTC) when the author resolves to an engineer (as usage identities
-- do, int_identities_resolved); an author who is no engineer that day (a bot such as copilot-swe-agent[bot], a
-- non-engineer, an identity not on the roster) counts for the one team owning, on the merge day, the services
-- built from the repository (int_pull_request_services_matched); otherwise for no team, unattributed_reason
-- says why, and mart_guard_signals reports it (unattributed_pull_request).
-- Guards: pr_splitting flags all merged pull requests of an author in an ISO week when they number at least
-- pr_splitting_min_prs_per_week with a median size (additions + deletions, where known) of at most
-- pr_splitting_max_median_lines; attribution_without_usage flags a pull request that a strong trailer or author
-- rule marks AI-assisted when its author's engineer has no AI tool activity at all in the merge's ISO week.
-- A table, not a view: matching the attribution rules against every commit message is the costly part of the
-- pull request models, and fct_pull_requests, the guard signals, their tests and the gaming gate all read it.
{{ config(materialized='table') }}
with

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}
    where is_merged

),

matches as (

    select * from {{ ref('int_pull_request_rules_matched') }}

),

deployed as (

    select * from {{ ref('int_pull_requests_deployed') }}

),

pull_request_services as (

    select * from {{ ref('int_pull_request_services_matched') }}

),

services as (

    select * from {{ ref('stg_lake__services') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}

),

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}
    where engineer_id is not null

),

attribution as (

    select
        pr_id,
        {{ dbt.bool_or("rule_strength = 'strong'") }} as is_ai_assisted,
        {{ dbt.bool_or("rule_strength = 'strong' and rule_kind in ('trailer', 'author')") }}
            as is_ai_assisted_by_trailer_or_author,
        {{ sorted_distinct_join('tool') }} as ai_tools,
        {{ sorted_distinct_join('rule_id') }} as ai_rule_ids
    from matches
    group by pr_id

),

repository_owners as (

    select
        pull_requests.pr_id,
        min(services.team_id) as team_id,
        count(distinct services.team_id) as owning_teams
    from pull_requests
    inner join pull_request_services
        on pull_requests.pr_id = pull_request_services.pr_id
    inner join services
        on pull_request_services.service_id = services.service_id
        and pull_requests.merged_date >= services.valid_from
        and (services.valid_to is null or pull_requests.merged_date < services.valid_to)
    group by pull_requests.pr_id

),

active_engineer_weeks as (

    select distinct
        engineer_id,
        {{ week_start('activity_date') }} as week_start
    from activity

),

measured as (

    select
        pull_requests.pr_id,
        pull_requests.repository,
        pull_requests.pr_number,
        pull_requests.author,
        pull_requests.author_type,
        identities.engineer_id as author_engineer_id,
        -- who the guards count: the engineer, whatever identity each pull request came under (a login here, an
        -- email there), so that splitting cannot hide behind a second identity; else the identity itself
        coalesce(identities.engineer_id, pull_requests.author) as author_key,
        case
            when engineer_days.is_engineer then engineer_days.team_id
            when repository_owners.owning_teams = 1 then repository_owners.team_id
        end as team_id,
        case
            when engineer_days.is_engineer then 'author'
            when repository_owners.owning_teams = 1 then 'repository_owner'
        end as team_attribution,
        case
            when engineer_days.is_engineer or repository_owners.owning_teams = 1 then null
            when repository_owners.owning_teams > 1 then 'repository_owned_by_several_teams'
            else 'no_repository_owner'
        end as unattributed_reason,
        pull_requests.created_at,
        pull_requests.first_review_at,
        pull_requests.merged_at,
        pull_requests.merged_date,
        {{ week_start('pull_requests.merged_date') }} as week_start,
        pull_requests.merge_commit_sha,
        pull_requests.additions,
        pull_requests.deletions,
        pull_requests.additions + pull_requests.deletions as size_lines,
        pull_requests.commit_count,
        pull_requests.has_commit_list,
        deployed.first_commit_at,
        {{ hours_between('deployed.first_commit_at', 'pull_requests.merged_at') }} as cycle_time_hours,
        {{ hours_between('pull_requests.created_at', 'pull_requests.first_review_at') }} as review_wait_hours,
        coalesce(attribution.is_ai_assisted, false) as is_ai_assisted,
        attribution.pr_id is not null as is_ai_touched,
        attribution.ai_tools,
        attribution.ai_rule_ids,
        coalesce(attribution.is_ai_assisted_by_trailer_or_author, false)
        and identities.engineer_id is not null
        and active_engineer_weeks.engineer_id is null as is_attribution_without_usage,
        deployed.lead_time_rule,
        deployed.deployment_id,
        deployed.deployed_at,
        deployed.deployed_date,
        deployed.deployed_team_id,
        deployed.lead_time_hours,
        pull_requests._source_file,
        pull_requests._source_line
    from pull_requests
    left join identities
        on pull_requests.author = identities.identity
    left join engineer_days
        on identities.engineer_id = engineer_days.engineer_id
        and pull_requests.merged_date = engineer_days.date_day
    left join repository_owners
        on pull_requests.pr_id = repository_owners.pr_id
    left join attribution
        on pull_requests.pr_id = attribution.pr_id
    left join deployed
        on pull_requests.pr_id = deployed.pr_id
    left join active_engineer_weeks
        on identities.engineer_id = active_engineer_weeks.engineer_id
        and {{ week_start('pull_requests.merged_date') }} = active_engineer_weeks.week_start

),

split_author_weeks as (

    select
        author_key,
        week_start
    from measured
    group by author_key, week_start
    having count(*) >= {{ metric_var('pr_splitting_min_prs_per_week') }}
        and {{ percentile_continuous('size_lines', 0.5) }} <= {{ metric_var('pr_splitting_max_median_lines') }}

),

final as (

    select
        measured.*,
        split_author_weeks.author_key is not null as is_split_flagged
    from measured
    left join split_author_weeks
        on measured.author_key = split_author_weeks.author_key
        and measured.week_start = split_author_weeks.week_start

)

select * from final
