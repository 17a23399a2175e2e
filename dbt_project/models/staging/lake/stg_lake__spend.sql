-- Amounts spent on AI tools as delivered, identities lower-cased (as usage's are), UTC timestamps. The amount stays
-- in its currency here; int_spend_attributed converts it.
with

source as (

    select * from {{ lake_source('lake', 'spend') }}

),

renamed as (

    select
        lower(identity) as identity,
        identity_type,
        tool,
        cast(spend_date as date) as spend_date,
        cast(occurred_at as timestamp) as occurred_at,
        kind as spend_kind,
        model,
        cast(amount as {{ type_double() }}) as amount,
        upper(currency) as currency,
        cast(day as date) as partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
