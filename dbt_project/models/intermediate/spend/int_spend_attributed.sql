-- Spend rows in US dollars with who they belong to: the engineer and the team they were on that day, or why not
-- (an API key, a bot, an identity on no roster, not an engineer that day), with the same rules as usage. Nothing is
-- dropped: spend without an engineer stays in the tool's cost and is reported as unattributed; a charge delivered
-- twice counts once.
-- A table, not a view: the three spend marts, the spike guard and its gate all read it.
{{ config(materialized='table') }}

with

delivered as (

    select * from {{ ref('stg_lake__spend') }}

),

-- A spend line carries no id: a line equal to a line of another file is the same charge delivered again (a resent
-- file, an export downloaded twice), and the latest file's copy counts. Equal lines within one file are separate
-- charges, so each is paired with its counterpart elsewhere by its rank among them.
numbered as (

    select
        *,
        row_number() over (
            partition by _source_file, identity, tool, occurred_at, spend_kind, model, amount, currency
            order by _source_line
        ) as occurrence
    from delivered

),

spend as (

    {{ latest_delivery(
        'numbered', ['identity', 'tool', 'occurred_at', 'spend_kind', 'model', 'amount', 'currency', 'occurrence']
    ) }}

),

rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

engineer_days as (

    select * from {{ ref('int_engineer_days_attributed') }}

),

bots as (

    select * from {{ ref('int_bot_identities_flagged') }}

),

attributed as (

    select
        spend.spend_date,
        {{ month_start('spend.spend_date') }} as month_start,
        spend.identity,
        spend.identity_type,
        spend.tool,
        spend.spend_kind,
        spend.model,
        spend.amount,
        spend.currency,
        -- the reporting currency is 1 whatever an override lists; any other needs its rate (ingest quarantines
        -- a record without one, so a null here means the rate was removed since: a data test fails on it)
        spend.amount * case when spend.currency = 'USD' then 1 else rates.usd_per_unit end as amount_usd,
        identities.engineer_id,
        engineer_days.team_id,
        {{ attribution_status('spend.identity_type') }} as attribution_status,
        spend._source_file,
        spend._source_line
    from spend
    left join rates
        on spend.currency = rates.currency
    left join identities
        on spend.identity = identities.identity
    left join engineer_days
        on identities.engineer_id = engineer_days.engineer_id
        and spend.spend_date = engineer_days.date_day
    left join bots
        on spend.identity = bots.identity

)

select * from attributed
