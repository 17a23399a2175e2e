-- One row per licence grant (seat) per day of the data it covers, with what the seat costs that day: the grant's
-- monthly cost (tools.csv's when the grant states none) divided by the days of that calendar month, so a whole month
-- of seat-days costs one monthly price and a seat held for part of a month costs its share. With the holder's
-- engineer and the team they were on that day (both null for a holder who is no engineer then).
-- A table, not a view: a row per seat and day, which the three spend marts read.
{{ config(materialized='table') }}

with

seat_days as (

    select * from {{ ref('int_licence_seat_days_idled') }}

),

grants as (

    select * from {{ ref('int_licence_grants_resolved') }}

),

tools as (

    select * from {{ ref('stg_reference__tools') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}
    where is_engineer

),

months as (

    select
        seat_days.*,
        {{ month_start('seat_days.date_day') }} as month_start
    from seat_days

),

costed as (

    select
        months.grant_id,
        months.tool,
        months.date_day,
        months.month_start,
        months.is_idle,
        grants.identity,
        engineer_days.engineer_id,
        engineer_days.team_id,
        coalesce(grants.monthly_cost_usd, tools.monthly_cost_usd)
        / {{ dbt.datediff('months.month_start', dbt.dateadd('month', 1, 'months.month_start'), 'day') }}
            as seat_cost_usd
    from months
    inner join grants
        on months.grant_id = grants.grant_id
    inner join tools
        on months.tool = tools.tool
    left join engineer_days
        on grants.engineer_id = engineer_days.engineer_id
        and months.date_day = engineer_days.date_day

)

select * from costed
