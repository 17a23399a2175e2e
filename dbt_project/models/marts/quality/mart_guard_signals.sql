-- Guard signals as published. An identity or a respondent is shown only as its pseudonymous key ('key:'
-- + HMAC-SHA256 of the lower-cased value under the organisation's secret), whatever it looks like: an
-- unattributed identity may be a name, a login or an obfuscated email that no pattern recognises.
with

signals as (

    select * from {{ ref('int_guard_signals_acknowledged') }}

),

published as (

    select
        signal_type,
        entity_type,
        published_entity_id as entity_id,
        period_start,
        detail,
        is_excluded,
        is_acknowledged
    from signals

)

select * from published
