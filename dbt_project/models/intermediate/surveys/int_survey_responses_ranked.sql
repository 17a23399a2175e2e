-- Survey responses deduplicated on response_id, ranked per (survey, respondent): only the latest of a
-- respondent counts (earlier ones are survey stuffing, flagged). Anonymous responses each count;
-- responses from named non-engineers do not.
with

responses as (

    select * from {{ ref('stg_lake__survey_responses') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}

),

delivered_once as (

    {{ latest_delivery('responses', ['response_id']) }}

),

ranked as (

    select
        delivered_once.response_id,
        delivered_once.survey_id,
        delivered_once.respondent,
        delivered_once.tool,
        delivered_once.score,
        delivered_once.submitted_at,
        delivered_once.submitted_date,
        identities.engineer_id,
        engineer_days.team_id,
        engineer_days.is_engineer,
        case
            when delivered_once.respondent is null then 1
            else
                row_number() over (
                    partition by delivered_once.survey_id, delivered_once.respondent
                    order by delivered_once.submitted_at desc, delivered_once.response_id desc
                )
        end as response_rank,
        delivered_once._source_file,
        delivered_once._source_line
    from delivered_once
    left join identities
        on delivered_once.respondent = identities.identity
    left join engineer_days
        on identities.engineer_id = engineer_days.engineer_id
        and delivered_once.submitted_date = engineer_days.date_day

),

classified as (

    select
        *,
        response_rank > 1 as is_superseded,
        respondent is not null and coalesce(is_engineer, false) = false as is_from_non_engineer,
        response_rank = 1 and not (respondent is not null and coalesce(is_engineer, false) = false) as is_counted
    from ranked

)

select * from classified
