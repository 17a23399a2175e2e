"""The SQL that checks, reads and rolls up a day of usage events in DuckDB (see usage.py)."""

from orchestration.defs.ingest.connectors.generic.rows import MAX_LINE_BYTES

USAGE_SQL = """
with lines as (
    select file_index, line_no, trim(raw, ' \t\r\n') as raw from usage_lines
    where trim(raw, ' \t\r\n') <> ''
),
extracted as (
    -- try(): a malformed line yields null fields instead of failing the whole file
    select
        file_index, line_no, raw,
        coalesce(try(json_valid(raw) and json_type(raw) = 'OBJECT'), false) as is_object,
        nullif(trim(try(json_extract_string(raw, '$.event_id'))), '') as event_id,
        nullif(trim(try(json_extract_string(raw, '$.occurred_at'))), '') as occurred_at_text,
        nullif(trim(try(json_extract_string(raw, '$.identity'))), '') as identity,
        nullif(trim(try(json_extract_string(raw, '$.tool'))), '') as tool,
        nullif(trim(try(json_extract_string(raw, '$.event_type'))), '') as event_type,
        try(json_extract(raw, '$.quantity')) as quantity_json
    from lines
),
typed as (
    select
        *,
        try_cast(occurred_at_text as timestamptz) as occurred_at,
        case
            when quantity_json is null or json_type(quantity_json) = 'NULL' then 1
            when json_type(quantity_json) in ('UBIGINT', 'BIGINT') then try_cast(quantity_json as bigint)
        end as quantity
    from extracted
),
checked as (
    select
        typed.*,
        case
            when not is_object then 'malformed JSON: expected one JSON object per line'
            when event_id is null then 'missing required field event_id'
            when occurred_at_text is null then 'missing required field occurred_at'
            when identity is null then 'missing required field identity'
            when tool is null then 'missing required field tool'
            when event_type is null then 'missing required field event_type'
            when occurred_at is null
                then 'unparseable timestamp occurred_at ' || occurred_at_text || ': expected RFC 3339'
            when occurred_at > $now
                then 'occurred_at ' || occurred_at_text || ' is in the future'
            when cast(occurred_at as date) <> $day
                then 'occurred_at ' || occurred_at_text
                    || ' is outside the file''s day ' || cast($day as varchar)
            when tool not in (select tool from catalogue_tools)
                then 'unknown tool ' || tool || ': expected one of tools.csv (' ||
                    (select string_agg(tool, ', ' order by tool) from catalogue_tools) || ')'
            when not exists (
                select 1 from catalogue_activity as allowed
                where allowed.activity_type = typed.event_type and allowed.tool = typed.tool
            )
                then 'unknown event_type ' || event_type || ' for tool ' || tool
                    || ': expected an activity type of activity_types.csv allowed for that tool'
            when quantity is null or quantity < 0
                then 'quantity: expected a non-negative integer, got ' || left(cast(quantity_json as varchar), 120)
            when quantity > $max_quantity
                then 'quantity: expected at most ' || cast($max_quantity as varchar)
                    || ' (one event), got ' || cast(quantity as varchar)
            when quantity > ceilings.max_per_day
                then event_type || ' count ' || format('{:,}', quantity) || ' is above its ceiling of '
                    || format('{:,}', ceilings.max_per_day) || ' a day for one identity '
                    || '(activity_types.csv max_per_day): corrupt or gamed; raise the ceiling in '
                    || 'landing/reference/activity_types.csv if it is real'
        end as reason
    from typed
    left join catalogue_ceilings as ceilings on ceilings.activity_type = typed.event_type
)
select * from checked
"""

ROLLUP_SQL = """
with per_minute as (
    -- the bot rule: value-deriving events of one identity in one UTC minute, across tools and types
    select identity, date_trunc('minute', occurred_at) as minute, count(*) as events
    from usage_counted
    where event_type in (select activity_type from catalogue_value_deriving)
    group by all
),
peaks as (
    select identity, max(events) as peak_events_per_minute
    from per_minute
    group by all
),
rolled as (
    select
        identity,
        tool,
        event_type as activity_type,
        sum(quantity) as activity_count,
        min(occurred_at) as first_at,
        max(occurred_at) as last_at,
        min({'occurred_at': occurred_at, 'file_index': file_index, 'line_no': line_no}) as first_event
    from usage_counted
    group by all
)
select
    rolled.identity,
    case when contains(rolled.identity, '@') then 'email' else tools.identity_type end as identity_type,
    rolled.tool,
    cast($day as date) as activity_date,
    rolled.activity_type,
    cast(rolled.activity_count as bigint) as activity_count,
    rolled.first_at,
    rolled.last_at,
    coalesce(peaks.peak_events_per_minute, 0) as peak_events_per_minute,
    rolled.first_event.file_index,
    rolled.first_event.line_no as _source_line
from rolled
left join peaks using (identity)
inner join catalogue_tools as tools using (tool)
order by rolled.identity, rolled.tool, rolled.activity_type
"""

READ_JSON_OPTIONS = (
    f"format = 'newline_delimited', records = true, compression = 'none', maximum_object_size = {MAX_LINE_BYTES}, "
    "columns = {event_id: 'VARCHAR', "
    "occurred_at: 'VARCHAR', identity: 'VARCHAR', tool: 'VARCHAR', event_type: 'VARCHAR', quantity: 'JSON'}"
)

# the line parser's trim() (it strips Unicode spaces, decoding every character) at a fraction of its cost: an
# ASCII value (strlen = length) has no space but ' ', so it needs trimming only when it starts or ends with one
TRIM_MACRO = """
create temp macro trimmed(value) as
    case
        when strlen(value) = length(value) and not starts_with(value, ' ') and not ends_with(value, ' ') then value
        else trim(value)
    end
"""

TYPED_SQL = """
with lines as (
    {reads}
),
typed as (
    select
        file_index,
        line_no,
        nullif(trimmed(event_id), '') as event_id,
        nullif(trimmed(identity), '') as identity,
        tool,
        event_type,
        try_cast(trimmed(occurred_at) as timestamptz) as occurred_at,
        case
            when quantity is null or json_type(quantity) = 'NULL' then 1
            when json_type(quantity) in ('UBIGINT', 'BIGINT') then try_cast(quantity as bigint)
        end as quantity
    from lines
)
select
    typed.*,
    -- true when the line-by-line parser might reject the event or read it differently
    typed.event_id is null
    or typed.identity is null
    or allowed.tool is null  -- tool and event type exactly as in the catalogue (a padded one is doubtful)
    or typed.occurred_at is null
    or typed.occurred_at > $now
    or not (typed.occurred_at >= $day_start and typed.occurred_at < $day_end)
    or typed.quantity is null
    or typed.quantity < 0
    or typed.quantity > $max_quantity
    or typed.quantity > ceilings.max_per_day
    -- a JSON number read as text: DuckDB prints some (1e+20) unlike json_extract_string (100000000000000000000.0)
    or regexp_full_match(typed.event_id, '-?[0-9.]+e[-+][0-9]+')
    or regexp_full_match(typed.identity, '-?[0-9.]+e[-+][0-9]+') as doubtful
from typed
left join catalogue_activity as allowed
    on allowed.activity_type = typed.event_type and allowed.tool = typed.tool
left join catalogue_ceilings as ceilings on ceilings.activity_type = typed.event_type
"""
