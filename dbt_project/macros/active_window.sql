{#- The trailing activity window: an engineer is active on day d when active on any day of
    [d - (active_window_days - 1), d]. One var (active_window_days, default 28) sets it for every model. -#}
{% macro active_window_lookback_days() -%}
    {{ return(var('active_window_days', 28) | int - 1) }}
{%- endmacro %}

{#- The first day of the active window ending on `date_column`. -#}
{% macro active_window_start(date_column) -%}
    {{ dbt.dateadd('day', -active_window_lookback_days(), date_column) }}
{%- endmacro %}
