-- Every day the data covers, starting on the Monday of its first ISO week (headcount is taken on
-- Mondays, so a window starting mid-week still has one).
with

deployments as (

    select deployed_date as date_day from {{ ref('stg_lake__deployments') }}

),

activity as (

    select activity_date as date_day from {{ ref('stg_lake__tool_activity') }}

),

bounds as (

    select
        {{ week_start('min(date_day)') }} as first_day,
        max(date_day) as last_day
    from (
        select date_day from deployments
        union all
        select date_day from activity
    ) as data_days

),

spine as (

    select cast(generated.date_day as date) as date_day
    from bounds
    cross join generate_series(bounds.first_day, bounds.last_day, interval 1 day) as generated (date_day)

),

flagged as (

    select
        spine.date_day,
        spine.date_day >= (
            select min(data_days.date_day) from (
                select date_day from deployments
                union all
                select date_day from activity
            ) as data_days
        ) as is_in_data
    from spine

)

select * from flagged
