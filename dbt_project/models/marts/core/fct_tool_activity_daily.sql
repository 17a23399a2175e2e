-- Grain: engineer x tool x activity type x UTC day, attributed to the team the engineer was on that
-- day. Only attributed activity (a roster engineer that day, not a bot); the rest is reported in
-- mart_unattributed_activity. Incremental by day: a nightly run rebuilds its window only.
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_day('activity_date'),
    )
}}

with

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}
    where attribution_status = 'attributed'
        and {{ window_filter('activity_date') }}

),

ranked as (

    -- the lineage pair is taken from one record (the first by file, then line), so it names a real line
    select
        *,
        row_number() over (
            partition by activity_date, engineer_id, team_id, tool, activity_type
            order by _source_file, _source_line
        ) as source_rank
    from activity

),

aggregated as (

    select
        activity_date,
        engineer_id,
        team_id,
        tool,
        activity_type,
        max(case when is_active_type then 1 else 0 end) = 1 as is_active_type,
        max(case when is_value_deriving_type then 1 else 0 end) = 1 as is_value_deriving_type,
        cast(sum(activity_count) as {{ dbt.type_bigint() }}) as activity_count,
        min(case when source_rank = 1 then _source_file end) as first_source_file,
        min(case when source_rank = 1 then _source_line end) as first_source_line
    from ranked
    group by activity_date, engineer_id, team_id, tool, activity_type

),

final as (

    select
        {{ generate_surrogate_key(['activity_date', 'engineer_id', 'tool', 'activity_type']) }} as activity_day_id,
        activity_date,
        {{ week_start('activity_date') }} as week_start,
        {{ pseudonymise('engineer_id') }} as engineer_key,
        engineer_id,
        team_id,
        tool,
        activity_type,
        is_active_type,
        is_value_deriving_type,
        activity_count,
        case when is_value_deriving_type then activity_count else 0 end as value_deriving_events,
        first_source_file,
        first_source_line
    from aggregated

)

select * from final
