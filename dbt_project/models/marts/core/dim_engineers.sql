-- Type-2 engineer dimension from roster snapshots: one row per stretch of days over which an
-- engineer's team, role and engineer status stayed the same. Emails stay out of the marts.
with

ranged as (

    select * from {{ ref('int_roster_snapshots_ranged') }}

),

changes as (

    select
        *,
        case
            when lag(team_id) over (partition by engineer_id order by snapshot_date) = team_id
                and lag(role) over (partition by engineer_id order by snapshot_date) = role
                and lag(is_engineer) over (partition by engineer_id order by snapshot_date) = is_engineer
                and lag(valid_to) over (partition by engineer_id order by snapshot_date) = valid_from
                then 0
            else 1
        end as is_new_version
    from ranged

),

versioned as (

    select
        *,
        sum(is_new_version) over (
            partition by engineer_id order by snapshot_date rows between unbounded preceding and current row
        ) as version_number
    from changes

),

versions as (

    select
        engineer_id,
        version_number,
        team_id,
        role,
        is_engineer,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to,
        count(*) - count(valid_to) as open_snapshots
    from versioned
    group by engineer_id, version_number, team_id, role, is_engineer

),

final as (

    select
        {{ generate_surrogate_key(['engineer_id', 'valid_from']) }} as engineer_version_key,
        {{ pseudonymise('engineer_id') }} as engineer_key,
        engineer_id,
        team_id,
        role,
        is_engineer,
        valid_from,
        case when open_snapshots > 0 then null else valid_to end as valid_to,
        open_snapshots > 0 as is_current
    from versions

)

select * from final
