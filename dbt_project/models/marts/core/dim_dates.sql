-- One row per calendar day the data spans. A week or month is complete when every one of its days is in the
-- data: marts carry that flag so a period the data only starts or ends in is never headlined as a whole one.
with

days as (

    select * from {{ ref('int_dates_spanned') }}

),

described as (

    select
        date_day as calendar_date,
        {{ week_start('date_day') }} as week_start,
        {{ month_start('date_day') }} as month_start,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend,
        is_in_data
    from days

),

week_coverage as (

    select
        week_start,
        sum(case when is_in_data then 1 else 0 end) = 7 as is_week_complete
    from described
    group by week_start

),

month_coverage as (

    select
        month_start,
        sum(case when is_in_data then 1 else 0 end) as days_in_data
    from described
    group by month_start

),

final as (

    select
        described.*,
        week_coverage.is_week_complete,
        month_coverage.days_in_data = extract(day from {{ dbt.last_day('described.month_start', 'month') }})
            as is_month_complete
    from described
    inner join week_coverage
        on described.week_start = week_coverage.week_start
    inner join month_coverage
        on described.month_start = month_coverage.month_start

)

select * from final
