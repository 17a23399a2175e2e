with

teams as (

    select * from {{ ref('stg_lake__teams') }}

),

latest as (

    {{ latest_delivery('teams', ['team_id']) }}

),

final as (

    select
        team_id,
        team_name,
        org,
        parent_org,
        velocity_target
    from latest

)

select * from final
