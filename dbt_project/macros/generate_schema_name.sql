{#- Schemas are named after the layer (staging, intermediate, reference, main), not prefixed with the
    target schema: BI users and analysts see the same names in every environment. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
