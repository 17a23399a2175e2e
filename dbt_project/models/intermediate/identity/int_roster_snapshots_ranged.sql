-- Each roster snapshot row with the days it holds: from its snapshot until the next snapshot.
-- Days before the first snapshot use the first (the earliest roster known is the best guess for them),
-- so the first snapshot holds from 1900-01-01.
with

roster as (

    select * from {{ ref('stg_lake__roster_snapshots') }}

),

snapshots as (

    select distinct snapshot_date from roster

),

ranged_snapshots as (

    select
        snapshot_date,
        case
            when snapshot_date = min(snapshot_date) over () then cast('1900-01-01' as date)
            else snapshot_date
        end as valid_from,
        lead(snapshot_date) over (order by snapshot_date) as valid_to
    from snapshots

),

ranged as (

    select
        roster.engineer_id,
        roster.email,
        roster.github_login,
        roster.team_id,
        roster.role,
        roster.is_engineer,
        roster.snapshot_date,
        ranged_snapshots.valid_from,
        ranged_snapshots.valid_to
    from roster
    inner join ranged_snapshots
        on roster.snapshot_date = ranged_snapshots.snapshot_date

)

select * from ranged
