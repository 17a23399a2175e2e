with

days as (

    select * from {{ ref('int_dates_spanned') }}

),

described as (

    select
        date_day,
        {{ week_start('date_day') }} as week_start,
        {{ month_start('date_day') }} as month_start,
        extract(isodow from date_day) as iso_day_of_week,
        extract(isodow from date_day) >= 6 as is_weekend,
        is_in_data
    from days

)

select * from described
