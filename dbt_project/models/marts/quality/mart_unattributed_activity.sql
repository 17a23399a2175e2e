-- Activity that counts for no engineer, per tool (the source), day and reason: identities not on the
-- roster, people who were not engineers that day, API keys, bots. Kept and reported, never dropped.
with

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}
    where attribution_status <> 'attributed'

),

final as (

    select
        tool,
        activity_date,
        attribution_status,
        cast(count(distinct identity) as {{ dbt.type_bigint() }}) as identities,
        cast(sum(activity_count) as {{ dbt.type_bigint() }}) as activity_count
    from activity
    group by tool, activity_date, attribution_status

)

select * from final
