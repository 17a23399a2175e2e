{#- Every non-null value of the column lies within [min_value, max_value] (bounds optional; inclusive
    unless inclusive=false). Same contract as dbt_utils.accepted_range: returns the rows outside. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with

checked as (

    select {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null

),

outside as (

    select *
    from checked
    where 1 = 2
        {%- if min_value is not none %}
        or checked_value {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or checked_value {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}

)

select * from outside

{% endtest %}
