{#- A composite primary key: no two rows share the same combination of these columns.
    Same contract as dbt_utils.unique_combination_of_columns (dbt_utils cannot be installed offline):
    returns one row per duplicated combination. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

duplicated as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as duplicate_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from duplicated

{% endtest %}
