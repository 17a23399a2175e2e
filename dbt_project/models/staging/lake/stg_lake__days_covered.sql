-- The days some landing file covers for the daily sources, read from the lake's partition folders rather
-- than its records: ingest writes a partition for every covered day, an empty file's included, so a day
-- whose files say "nothing happened" (an explicit zero) is in the data although it has no record.
-- depends_on: {{ source('lake', 'deployments') }} {{ source('lake', 'tool_activity') }}
with

partitions as (

    {{ lake_partition_files() }}

),

covered as (

    select distinct
        regexp_extract(partition_file, '[/\\\\](deployments|tool_activity)[/\\\\]day=', 1) as entity,
        cast(regexp_extract(partition_file, 'day=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) as covered_date
    from partitions

)

select
    covered_date,
    entity
from covered
where entity != ''
