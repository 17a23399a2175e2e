-- Licence grants, deduplicated on identity + tool + granted_at (the latest delivery wins), with the
-- engineer each resolves to (null when the holder is not on the roster).
with

grants as (

    select * from {{ ref('stg_lake__licence_grants') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

ranked as (

    {{ latest_delivery('grants', ['identity', 'tool', 'granted_at']) }}

),

resolved as (

    select
        {{ generate_surrogate_key(['ranked.identity', 'ranked.tool', 'ranked.granted_at']) }} as grant_id,
        ranked.identity,
        ranked.tool,
        identities.engineer_id,
        ranked.granted_at,
        ranked.revoked_at,
        ranked.granted_date,
        ranked.revoked_date,
        ranked.plan,
        ranked.monthly_cost_usd,
        ranked._source_file,
        ranked._source_line
    from ranked
    left join identities
        on ranked.identity = identities.identity

)

select * from resolved
