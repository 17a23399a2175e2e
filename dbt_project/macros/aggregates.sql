{#- Aggregates whose spelling differs by engine. -#}

{#- The distinct non-null values of `column` in a group, sorted and joined by `delimiter` (as tools.csv writes
    lifecycle_stages: 'code|test'); null when the group has none. -#}
{% macro sorted_distinct_join(column, delimiter='|') -%}
    {{ return(adapter.dispatch('sorted_distinct_join')(column, delimiter)) }}
{%- endmacro %}

{% macro duckdb__sorted_distinct_join(column, delimiter) -%}
    string_agg(distinct {{ column }}, '{{ delimiter }}' order by {{ column }})
{%- endmacro %}

{#- collect_set has no order of its own; array_join of an empty set is '', not null. -#}
{% macro spark__sorted_distinct_join(column, delimiter) -%}
    nullif(array_join(array_sort(collect_set({{ column }})), '{{ delimiter }}'), '')
{%- endmacro %}

{#- The continuous percentile (linear interpolation between the two nearest values, as percentile_cont) of the
    non-null values of `column` in a group; `fraction` 0.5 is the median. -#}
{% macro percentile_continuous(column, fraction) -%}
    {{ return(adapter.dispatch('percentile_continuous')(column, fraction)) }}
{%- endmacro %}

{% macro duckdb__percentile_continuous(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_continuous(column, fraction) -%}
    percentile({{ column }}, {{ fraction }})
{%- endmacro %}

{#- Hours from one timestamp to another, with the seconds' fraction (dbt.datediff in hours counts hour
    boundaries crossed, so 10:59 -> 11:01 would be a whole hour). -#}
{% macro hours_between(start_column, end_column) -%}
    cast({{ dbt.datediff(start_column, end_column, 'second') }} as {{ type_double() }}) / 3600
{%- endmacro %}
