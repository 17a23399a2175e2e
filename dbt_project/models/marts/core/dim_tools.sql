with

tools as (

    select * from {{ ref('stg_reference__tools') }}

),

tool_stages as (

    select * from {{ ref('int_tool_lifecycle_stages_unnested') }}

),

stage_counts as (

    select
        tool,
        count(*) as lifecycle_stage_count
    from tool_stages
    group by tool

),

final as (

    select
        tools.tool,
        tools.vendor,
        tools.category,
        tools.lifecycle_stages,
        coalesce(stage_counts.lifecycle_stage_count, 0) as lifecycle_stage_count,
        tools.requires_licence,
        tools.monthly_cost_usd,
        tools.duplicate_of,
        tools.identity_type,
        tools.reference_source
    from tools
    left join stage_counts
        on tools.tool = stage_counts.tool

)

select * from final
