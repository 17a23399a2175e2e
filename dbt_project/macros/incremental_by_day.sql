{#- The incremental settings of a model rebuilt by day: a run replaces exactly the days of its window
    (window_filter), whatever the engine. Used as `config(materialized='incremental', **incremental_by_day('<day>'))`. -#}
{% macro incremental_by_day(day_column) -%}
    {{ return(adapter.dispatch('incremental_by_day')(day_column)) }}
{%- endmacro %}

{#- DuckDB deletes the window's days and inserts them again. -#}
{% macro duckdb__incremental_by_day(day_column) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': day_column}) }}
{%- endmacro %}

{#- Spark overwrites the table's day partitions that the new rows hold (dynamic partition overwrite); the
    partition column is the table's last column there. -#}
{% macro spark__incremental_by_day(day_column) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [day_column], 'file_format': 'parquet'}) }}
{%- endmacro %}
