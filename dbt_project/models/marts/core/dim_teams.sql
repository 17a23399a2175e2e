with

teams as (

    select * from {{ ref('stg_lake__teams') }}

),

latest as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by team_id order by _loaded_at desc, _source_file desc, _source_line desc
            ) as delivery_rank
        from teams
    ) as ranked
    where delivery_rank = 1

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
