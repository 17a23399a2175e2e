-- The labels of the delivery of each pull request that counts (int_pull_requests_deduplicated), joined on pr_id
-- and its updated_at: a label removed in a later delivery is gone, though an earlier delivery still lists it.
-- Two deliveries at the same updated_at (a file sent twice) list a label once: the later file and line
-- (rows_of_counted_delivery).
-- A table, not a view: the attribution rules and its tests read it, and as a view every delivered label would
-- be ranked again for each.
{{ config(materialized='table') }}
with

deliveries as (

    select * from {{ ref('stg_lake__pull_request_labels') }}

),

pull_requests as (

    select * from {{ ref('int_pull_requests_deduplicated') }}

),

latest as (

    {{ rows_of_counted_delivery('deliveries', 'pull_requests', ['pr_id', 'label']) }}

),

final as (

    select
        pr_id,
        pr_updated_at,
        label,
        partition_date,
        _source_file,
        _source_line,
        _record_hash,
        _load_id,
        _loaded_at
    from latest

)

select * from final
