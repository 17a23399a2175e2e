-- Every day the data covers, starting on the Monday of its first ISO week (headcount is taken on
-- Mondays, so a window starting mid-week still has one). A day is in the data when it has a record or a
-- landing file covers it: an empty file is an explicit zero, so a last day of empty files still has its
-- rows (of zero) in the daily marts.
with

deployments as (

    select deployed_date as date_day from {{ ref('stg_lake__deployments') }}

),

activity as (

    select activity_date as date_day from {{ ref('stg_lake__tool_activity') }}

),

covered as (

    select covered_date as date_day from {{ ref('stg_lake__days_covered') }}

),

data_days as (

    select date_day from deployments
    union all
    select date_day from activity
    union all
    select date_day from covered

),

bounds as (

    select
        {{ week_start('min(date_day)') }} as first_day,
        min(date_day) as first_data_day,
        max(date_day) as last_day
    from data_days

),

spine as (

    {{ days_between('bounds', 'first_day', 'last_day', ['first_data_day']) }}

),

flagged as (

    select
        date_day,
        date_day >= first_data_day as is_in_data
    from spine

)

select * from flagged
