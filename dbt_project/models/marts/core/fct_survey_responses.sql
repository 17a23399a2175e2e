-- Grain: one counted survey response: the latest per (survey, respondent), every anonymous response,
-- never a named non-engineer's. Superseded responses are reported as survey_stuffing guard signals.
with

responses as (

    select * from {{ ref('int_survey_responses_ranked') }}
    where is_counted

),

final as (

    select
        response_id,
        survey_id,
        case when engineer_id is not null then {{ pseudonymise('engineer_id') }} end as engineer_key,
        team_id,
        tool,
        score,
        case when score >= 9 then 'promoter' when score >= 7 then 'passive' else 'detractor' end as nps_category,
        submitted_at,
        submitted_date,
        {{ month_start('submitted_date') }} as month_start,
        respondent is null as is_anonymous,
        _source_file,
        _source_line
    from responses

)

select * from final
