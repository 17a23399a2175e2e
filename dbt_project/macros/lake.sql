{#- Where the lake is: the workspace passes it as the var lake_path; dbt run by hand falls back to AAW_LAKE. -#}
{% macro lake_path() -%}
    {{ return(var('lake_path', env_var('AAW_LAKE', '../demo/lake'))) }}
{%- endmacro %}

{#- A lake source (`lake` or `reference_overrides`) as the engine reads it. DuckDB reads the source's
    meta.external_location (read_parquet over the files); Spark ignores it and reads the Parquet files by
    path: as a partitioned folder where DuckDB reads with hive_partitioning (its day=YYYY-MM-DD folders become
    the `day` column), otherwise every entity's files by glob, and a reference override's one file. Columns added over time are merged
    (spark.sql.parquet.mergeSchema in profiles.yml, as union_by_name on DuckDB). On both engines an optional
    entity without any partition reads as an empty relation (empty_lake_table), and a unit test reads its
    fixture. -#}
{% macro lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {#- a unit test's source() is its fixture -#}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name, {}) if execute else {} -%}
    {%- if node.get('meta', {}).get('optional') and not lake_partitions_exist(table_name) -%}
        {{ return('(' ~ empty_lake_table(node) ~ ') as ' ~ table_name) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lake_source')(source_name, table_name)) }}
{%- endmacro %}

{#- An optional daily entity (meta.optional in _lake__sources.yml) that an organisation does not deliver has no
    partition in the lake, and reading its files would fail on both engines; it reads as this relation instead:
    no row, the columns the source declares (with their data_type), its `day` and the lineage columns. -#}
{% macro empty_lake_table(node) -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
    {%- endfor -%}
    {%- for name, data_type in [
        ('day', 'date'),
        ('_source_file', 'string'),
        ('_source_line', 'bigint'),
        ('_record_hash', 'string'),
        ('_load_id', 'string'),
        ('_loaded_at', 'timestamp'),
    ] -%}
        {%- do columns.append('cast(null as ' ~ data_type ~ ') as ' ~ name) -%}
    {%- endfor -%}
    select {{ columns | join(', ') }} where 1 = 0
{%- endmacro %}

{#- Whether the lake holds a day partition of a daily entity (read when the model is compiled). -#}
{% macro lake_partitions_exist(table_name) -%}
    {%- set found = run_query(
        "select count(*) from (" ~ lake_partition_files() ~ ") as partitions "
        ~ "where regexp_extract(partition_file, '[^a-z_]" ~ table_name ~ "[^a-z_]day=', 0) != ''"
    ) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro default__lake_source(source_name, table_name) -%}
    {{ return(source(source_name, table_name)) }}
{%- endmacro %}

{% macro spark__lake_source(source_name, table_name) -%}
    {%- if source_name == 'reference_overrides' -%}
        {{ return('parquet.`' ~ lake_path() ~ '/raw/reference/' ~ table_name ~ '/data.parquet`') }}
    {%- endif -%}
    {#- the tables DuckDB reads with hive_partitioning (their day column) are read as a partitioned folder -#}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name, {}) if execute else {} -%}
    {%- if 'hive_partitioning' in node.get('meta', {}).get('external_location', '') -%}
        {{ return('parquet.`' ~ lake_path() ~ '/raw/' ~ table_name ~ '`') }}
    {%- endif -%}
    {{ return('parquet.`' ~ lake_path() ~ '/raw/' ~ table_name ~ '/*/*.parquet`') }}
{%- endmacro %}

{#- The lake's day partition files of every entity (lake/raw/<entity>/day=YYYY-MM-DD/data.parquet), one row
    each, as `partition_file`: their paths, not their records, so a day of empty files is listed too. -#}
{% macro lake_partition_files() -%}
    {{ return(adapter.dispatch('lake_partition_files')()) }}
{%- endmacro %}

{% macro duckdb__lake_partition_files() -%}
    select file as partition_file
    from glob('{{ lake_path() }}/raw/*/day=*/data.parquet')
{%- endmacro %}

{% macro spark__lake_partition_files() -%}
    select path as partition_file
    from binaryFile.`{{ lake_path() }}/raw/*/day=*/data.parquet`
{%- endmacro %}
