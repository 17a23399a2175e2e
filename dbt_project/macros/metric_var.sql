{#- A threshold from the metric_vars reference table, as a scalar subquery (portable across engines). -#}
{% macro metric_var(name) -%}
    (select value from {{ ref('stg_reference__metric_vars') }} where name = '{{ name }}')
{%- endmacro %}
