-- One row per person per day of the data (and the Monday before it): their team that day and whether
-- they count as an engineer. Every attribution of activity, deploys and headcount goes through here.
-- A table, not a view: every attribution of a day to a team reads it, and as a view the roster would be
-- expanded into days again for each.
{{ config(materialized='table') }}
with

ranged as (

    select * from {{ ref('int_roster_snapshots_ranged') }}

),

dates as (

    select date_day from {{ ref('int_dates_spanned') }}

),

engineer_days as (

    select
        dates.date_day,
        ranged.engineer_id,
        ranged.team_id,
        ranged.is_engineer
    from dates
    inner join ranged
        on dates.date_day >= ranged.valid_from
        and (ranged.valid_to is null or dates.date_day < ranged.valid_to)

)

select * from engineer_days
