-- One row per tool and lifecycle stage it covers (tools.csv lists them `|`-separated).
with

tools as (

    select * from {{ ref('stg_reference__tools') }}

),

stages as (

    select * from {{ ref('stg_reference__lifecycle_stages') }}

),

unnested as (

    select
        tools.tool,
        stages.lifecycle_stage
    from tools
    inner join stages
        on position('|' || stages.lifecycle_stage || '|' in '|' || tools.lifecycle_stages || '|') > 0

)

select * from unnested
