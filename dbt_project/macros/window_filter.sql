{#- Restrict an incremental model to the run's partition window (vars min_date/max_date, inclusive),
    widened by `lookback_days` for facts that look back (the active window, active_window_days). Without a window, or on a
    full refresh, nothing is filtered. -#}
{% macro window_filter(date_column, lookback_days=0) -%}
    {%- if is_incremental() and var('min_date', '') and var('max_date', '') -%}
    {{ date_column }} between {{ dbt.dateadd('day', -lookback_days, "cast('" ~ var('min_date') ~ "' as date)") }}
        and cast('{{ var('max_date') }}' as date)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}
