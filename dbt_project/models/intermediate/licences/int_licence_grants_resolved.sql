-- Licence grants, deduplicated on identity + tool + granted_at (the latest delivery wins), with the
-- engineer each resolves to (null when the holder is not on the roster). A seat-roster snapshot (a file
-- listing who holds a seat on its day, such as Cursor's team members) is not a grant per listing: a
-- member's consecutive listings become one grant, from the first snapshot that lists them to the next
-- snapshot of that tool's roster that does not (still open while the latest one lists them).
with

deliveries as (

    select
        *,
        {% for folder in var('seat_roster_folders') -%}
            substring(_source_file, 1, {{ folder | length }}) = '{{ folder }}'{% if not loop.last %} or {% endif %}
        {%- endfor %} as is_roster_listing
    from {{ ref('stg_lake__licence_grants') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

ranked as (

    {{ latest_delivery('deliveries', ['identity', 'tool', 'granted_at']) }}

),

roster_snapshots as (

    -- every snapshot taken of a tool's seat roster, numbered in time
    select
        tool,
        granted_at as snapshot_at,
        row_number() over (partition by tool order by granted_at) as snapshot_number
    from (
        select distinct
            tool,
            granted_at
        from ranked
        where is_roster_listing
    ) as taken

),

listings as (

    -- consecutive snapshots listing a member share one membership number
    select
        ranked.*,
        roster_snapshots.snapshot_number,
        roster_snapshots.snapshot_number - row_number() over (
            partition by ranked.identity, ranked.tool order by roster_snapshots.snapshot_number
        ) as membership
    from ranked
    inner join roster_snapshots
        on ranked.tool = roster_snapshots.tool
        and ranked.granted_at = roster_snapshots.snapshot_at
    where ranked.is_roster_listing

),

memberships as (

    select
        identity,
        tool,
        min(granted_at) as granted_at,
        max(snapshot_number) as last_listed,
        -- the latest listing's plan and cost that is not null (Spark's max_by keeps a null, DuckDB's skips it)
        max_by(plan, case when plan is not null then snapshot_number end) as plan,
        max_by(monthly_cost_usd, case when monthly_cost_usd is not null then snapshot_number end) as monthly_cost_usd,
        min_by(_source_file, snapshot_number) as _source_file,
        min_by(_source_line, snapshot_number) as _source_line
    from listings
    group by identity, tool, membership

),

grants as (

    select
        identity,
        tool,
        granted_at,
        revoked_at,
        plan,
        monthly_cost_usd,
        _source_file,
        _source_line
    from ranked
    where not is_roster_listing

    union all

    select
        memberships.identity,
        memberships.tool,
        memberships.granted_at,
        next_snapshot.snapshot_at as revoked_at,
        memberships.plan,
        memberships.monthly_cost_usd,
        memberships._source_file,
        memberships._source_line
    from memberships
    left join roster_snapshots as next_snapshot
        on memberships.tool = next_snapshot.tool
        and next_snapshot.snapshot_number = memberships.last_listed + 1

),

resolved as (

    select
        {{ generate_surrogate_key(['grants.identity', 'grants.tool', 'grants.granted_at']) }} as grant_id,
        grants.identity,
        grants.tool,
        identities.engineer_id,
        grants.granted_at,
        grants.revoked_at,
        cast(grants.granted_at as date) as granted_date,
        cast(grants.revoked_at as date) as revoked_date,
        grants.plan,
        grants.monthly_cost_usd,
        grants._source_file,
        grants._source_line
    from grants
    left join identities
        on grants.identity = identities.identity

)

select * from resolved
