-- Every guard signal with its raw entity id: what was flagged, whether it is
-- excluded from the metrics, and whether a person acknowledged it in guard_acknowledgements.csv
-- (signal_type + entity_id, and period_start when filled). baseline_drift is
-- a frozen baseline whose window data has changed since. unowned_deployment is a service-day of
-- production deploys no team owns: they are missing from every team metric, so a person either fixes
-- services.csv or acknowledges them (mart_unowned_deployments has them per environment and reason).
-- spend_spike is an identity's (on one tool) or a tool's day of usage cost far above its days before
-- (int_spend_spikes_flagged): reported, never excluded, since the money was spent.
-- pr_splitting, attribution_without_usage and unattributed_pull_request are an author's ISO week of merged pull
-- requests (int_pull_requests_attributed holds the flags and says why); an engineer's week is one signal, named
-- by the first of the identities their pull requests were sent under, and an acknowledgement naming any identity
-- of that engineer's pull requests covers it (a person knows the login, the signal may sort by the email).
-- published_entity_id is the entity as mart_guard_signals shows it: an identity or a respondent (an
-- email, a login, a name, a bot's name: anything that may name a person) as 'key:' + its keyed pseudonym
-- of the lower-cased value, everything else as it is. An acknowledgement may name either form, since
-- the person writing it may only have seen the published one.
-- A table, not a view: mart_guard_signals, the tests of its keys and the gaming gate read it, and as a view each
-- would evaluate every guard again.
{{ config(materialized='table') }}
with

deployments as (

    select * from {{ ref('int_deployments_classified') }}

),

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}

),

bots as (

    select * from {{ ref('int_bot_identities_flagged') }}

),

padding as (

    select * from {{ ref('int_licence_padding_flagged') }}

),

responses as (

    select * from {{ ref('int_survey_responses_ranked') }}
    where respondent is not null

),

pull_requests as (

    select * from {{ ref('int_pull_requests_attributed') }}

),

usage_without_outcome as (

    select * from {{ ref('int_team_weeks_usage_without_outcome') }}

),

spend_spikes as (

    select * from {{ ref('int_spend_spikes_flagged') }}

),

baseline_drift as (

    select
        frozen.team_id,
        frozen.baseline_start,
        frozen.baseline_deploys_per_engineer as frozen_value,
        live.baseline_deploys_per_engineer as live_value
    from {{ ref('int_team_baselines_frozen') }} as frozen
    inner join {{ ref('int_team_baselines_computed') }} as live
        on frozen.team_id = live.team_id
        and frozen.programme = live.programme
    where abs(coalesce(frozen.baseline_deploys_per_engineer, -1) - coalesce(live.baseline_deploys_per_engineer, -1))
        > 1e-9

),

acknowledgements as (

    select * from {{ ref('stg_reference__guard_acknowledgements') }}

),

pull_request_authors as (

    select distinct
        author,
        author_key
    from pull_requests

),

acknowledged_names as (

    -- the names an acknowledgement covers: the entity as written or as published, and for an engineer's
    -- author-week signals every identity that engineer's pull requests came under
    select
        signal_type,
        entity_id,
        period_start
    from acknowledgements

    union all

    select distinct
        acknowledgements.signal_type,
        siblings.author as entity_id,
        acknowledgements.period_start
    from acknowledgements
    inner join pull_request_authors as named
        on acknowledgements.entity_id in (named.author, 'key:' || {{ pseudonymise('lower(named.author)') }})
    inner join pull_request_authors as siblings
        on named.author_key = siblings.author_key
    where acknowledgements.signal_type in ('pr_splitting', 'attribution_without_usage')

),

signals as (

    select
        'deploy_spam' as signal_type,
        'service' as entity_type,
        service_id as entity_id,
        deployed_date as period_start,
        cast(count(*) as {{ dbt.type_string() }}) || ' production deploys flagged, '
        || cast(sum(case when lines_changed = 0 then 1 else 0 end) as {{ dbt.type_string() }})
        || ' with lines_changed = 0' as detail,
        true as is_excluded
    from deployments
    where is_spam_flagged
    group by service_id, deployed_date

    union all

    select
        'redeploy' as signal_type,
        'deployment' as entity_type,
        deployment_id as entity_id,
        deployed_date as period_start,
        'redeploy of ' || commit_sha || ' to ' || environment || ' (counted once)' as detail,
        true as is_excluded
    from deployments
    where is_redeploy

    union all

    select
        'unowned_deployment' as signal_type,
        'service' as entity_type,
        service_id as entity_id,
        deployed_date as period_start,
        cast(count(*) as {{ dbt.type_string() }}) || ' production deploys owned by no team (' || unowned_reason || ')'
            as detail,
        true as is_excluded
    from deployments
    where is_production_deploy and unowned_reason is not null
    group by service_id, deployed_date, unowned_reason

    union all

    select
        'bot_activity' as signal_type,
        'identity' as entity_type,
        identity as entity_id,
        first_seen_date as period_start,
        cast(peak_value_events_per_minute as {{ dbt.type_string() }}) || ' value-deriving events in one minute'
            as detail,
        true as is_excluded
    from bots

    union all

    select
        'unattributed_identity' as signal_type,
        'identity' as entity_type,
        identity as entity_id,
        min(activity_date) as period_start,
        'not on the roster: ' || cast(sum(activity_count) as {{ dbt.type_string() }}) || ' events' as detail,
        true as is_excluded
    from activity
    where attribution_status = 'unresolved_identity'
    group by identity

    union all

    select
        'licence_padding' as signal_type,
        'tool' as entity_type,
        tool as entity_id,
        granted_date as period_start,
        cast(never_used_grants as {{ dbt.type_string() }}) || ' grants on one day never used' as detail,
        false as is_excluded
    from padding

    union all

    select
        'survey_stuffing' as signal_type,
        'respondent' as entity_type,
        respondent as entity_id,
        min(submitted_date) as period_start,
        'survey_id=' || survey_id || ': ' || cast(count(*) as {{ dbt.type_string() }}) || ' responses, latest counts'
            as detail,
        true as is_excluded
    from responses
    group by respondent, survey_id
    having count(*) > 1

    union all

    select
        'pr_splitting' as signal_type,
        'identity' as entity_type,
        min(author) as entity_id,
        week_start as period_start,
        cast(count(*) as {{ dbt.type_string() }}) || ' merged pull requests in the week, median size '
        || coalesce(cast({{ percentile_continuous('size_lines', 0.5) }} as {{ dbt.type_string() }}), 'unknown')
        || ' lines; left out of the pull request metrics' as detail,
        true as is_excluded
    from pull_requests
    where is_split_flagged
    group by author_key, week_start

    union all

    select
        'attribution_without_usage' as signal_type,
        'identity' as entity_type,
        min(author) as entity_id,
        week_start as period_start,
        cast(count(*) as {{ dbt.type_string() }})
        || ' merged pull requests AI-assisted by a trailer or author rule, no AI tool activity that week' as detail,
        false as is_excluded
    from pull_requests
    where is_attribution_without_usage
    group by author_key, week_start

    union all

    select
        'unattributed_pull_request' as signal_type,
        'identity' as entity_type,
        author as entity_id,
        week_start as period_start,
        cast(count(*) as {{ dbt.type_string() }}) || ' merged pull requests counting for no team ('
        || unattributed_reason || ')' as detail,
        true as is_excluded
    from pull_requests
    where unattributed_reason is not null
    group by author, week_start, unattributed_reason

    union all

    select
        'usage_without_outcome' as signal_type,
        'team' as entity_type,
        team_id as entity_id,
        week_start as period_start,
        'active share ' || cast(round(active_share, 2) as {{ dbt.type_string() }}) || ' vs baseline '
        || cast(round(baseline_active_share, 2) as {{ dbt.type_string() }}) || ', velocity x'
        || cast(round(velocity_multiple, 2) as {{ dbt.type_string() }}) as detail,
        false as is_excluded
    from usage_without_outcome

    union all

    select
        'spend_spike' as signal_type,
        entity_type,
        entity_id,
        spend_date as period_start,
        case when entity_type = 'identity' then tool || ': ' else '' end
        || 'usage cost ' || cast(round(usage_cost_usd, 2) as {{ dbt.type_string() }})
        || ' USD on the day, highest of the days before '
        || cast(round(trailing_peak_usd, 2) as {{ dbt.type_string() }}) || ' USD (a leaked key or a runaway agent?)'
            as detail,
        false as is_excluded
    from spend_spikes

    union all

    select
        'baseline_drift' as signal_type,
        'team' as entity_type,
        team_id as entity_id,
        baseline_start as period_start,
        'frozen baseline ' || coalesce(cast(round(frozen_value, 4) as {{ dbt.type_string() }}), 'null')
        || ', recomputed ' || coalesce(cast(round(live_value, 4) as {{ dbt.type_string() }}), 'null') as detail,
        false as is_excluded
    from baseline_drift

),

published as (

    select
        *,
        case
            when entity_type in ('identity', 'respondent') then 'key:' || {{ pseudonymise('lower(entity_id)') }}
            else entity_id
        end as published_entity_id
    from signals

),

final as (

    -- a left join and a group by rather than exists(): Spark's optimizer fails on an exists() in the select
    -- list over a union all (PushProjectionThroughUnion: key not found); the signals are unique on these columns
    select
        signals.signal_type,
        signals.entity_type,
        signals.entity_id,
        signals.period_start,
        signals.detail,
        signals.published_entity_id,
        signals.is_excluded,
        max(case when acknowledgements.signal_type is not null then 1 else 0 end) = 1 as is_acknowledged
    from published as signals
    left join acknowledged_names as acknowledgements
        on signals.signal_type = acknowledgements.signal_type
        and acknowledgements.entity_id in (signals.entity_id, signals.published_entity_id)
        and (acknowledgements.period_start is null or signals.period_start = acknowledgements.period_start)
    group by
        signals.signal_type,
        signals.entity_type,
        signals.entity_id,
        signals.period_start,
        signals.detail,
        signals.published_entity_id,
        signals.is_excluded

)

select * from final
