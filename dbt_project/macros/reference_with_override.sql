{#- A reference table: the organisation's override (landing/reference/<name>.csv) when it has rows,
    otherwise the seed the project ships. `columns` maps each column to its type. With `merge_key`, the
    override is merged over the seed row by row instead (an organisation writes only the rows it changes). -#}
{% macro reference_with_override(name, columns, merge_key=none) -%}
with

seed as (

    select * from {{ ref(name) }}

),

override as (

    select * from {{ lake_source('reference_overrides', name) }}

),

chosen as (

    select
        {%- for column, type in columns.items() %}
        cast(nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '') as {{ type }}) as {{ column }},
        {%- endfor %}
        'override' as reference_source
    from override

    union all

    select
        {%- for column, type in columns.items() %}
        cast({{ column }} as {{ type }}) as {{ column }},
        {%- endfor %}
        'seed' as reference_source
    from seed
    {%- if merge_key %}
    where {{ merge_key }} not in (
        select trim(cast({{ merge_key }} as {{ dbt.type_string() }})) from override
        where {{ merge_key }} is not null
    )
    {%- else %}
    where not exists (select 1 from override)
    {%- endif %}

)

select * from chosen
{%- endmacro %}
