{#- Restrict an incremental model to the run's window of days (inclusive), widened by `lookback_days` for facts
    that look back (the active window, active_window_days). Without a window, or on a full refresh, nothing is
    filtered. -#}
{% macro window_filter(date_column, lookback_days=0) -%}
    {%- set window = run_window() if is_incremental() else none -%}
    {%- if window -%}
    {{ date_column }} between {{ dbt.dateadd('day', -lookback_days, "cast('" ~ window.min_date ~ "' as date)") }}
        and cast('{{ window.max_date }}' as date)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{#- The run's window as {min_date, max_date}, or none: read when a model runs from the JSON file the pipeline's dbt
    step writes (var run_window_path), {"min_date": "YYYY-MM-DD", "max_date": "YYYY-MM-DD"}, empty strings for no
    window. Not a var itself: dbt parses the whole project again whenever a var changes, and the window changes
    every night while the file's path does not. dbt run by hand has no window. -#}
{% macro run_window() -%}
    {%- set path = var('run_window_path', '') -%}
    {%- if not path -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set row = run_query(adapter.dispatch('run_window_query')(path)).rows[0] -%}
    {%- if not (row[0] and row[1]) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'min_date': row[0] | string, 'max_date': row[1] | string}) }}
{%- endmacro %}

{% macro duckdb__run_window_query(path) -%}
    select min_date, max_date from read_json('{{ path }}', columns = {min_date: 'varchar', max_date: 'varchar'})
{%- endmacro %}

{% macro spark__run_window_query(path) -%}
    select min_date, max_date from json.`{{ path }}`
{%- endmacro %}
