{#- dbt_utils.generate_surrogate_key, written here because `dbt deps` cannot reach the dbt hub offline.
    Same contract: md5 over the columns cast to text, nulls as a sentinel, joined with '-'. -#}
{% macro generate_surrogate_key(field_list) -%}
    md5(
        {%- for field in field_list %}
        coalesce(cast({{ field }} as {{ dbt.type_string() }}), '_dbt_utils_surrogate_key_null_')
        {%- if not loop.last %} || '-' || {% endif %}
        {%- endfor %}
    )
{%- endmacro %}
