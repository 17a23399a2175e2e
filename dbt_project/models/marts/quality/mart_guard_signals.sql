-- Guard signals as published. An identity that is an email is shown as its pseudonymous key
-- ('key:' + md5 of the lower-cased identity): emails never reach the marts.
with

signals as (

    select * from {{ ref('int_guard_signals_acknowledged') }}

),

published as (

    select
        signal_type,
        entity_type,
        case
            when entity_id like '%@%' then 'key:' || {{ generate_surrogate_key(['entity_id']) }}
            else entity_id
        end as entity_id,
        period_start,
        detail,
        is_excluded,
        is_acknowledged
    from signals

)

select * from published
