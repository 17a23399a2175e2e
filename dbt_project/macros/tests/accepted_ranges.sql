{#- Every non-null value of each column lies within its [min_value, max_value] (either bound optional,
    both inclusive), given as `ranges: {column: {min_value: .., max_value: ..}}`. One test per model, like
    not_null_columns. Returns one row per column with values outside, naming the column, its range and how
    many rows lie outside. -#}
{% test accepted_ranges(model, ranges) %}

with

outside_counts as (

    select
        {%- for column, bounds in ranges.items() %}
        {%- set low, high = bounds.get('min_value'), bounds.get('max_value') %}
        sum(case when 1 = 2
            {%- if low is not none %} or {{ column }} < {{ low }}{% endif %}
            {%- if high is not none %} or {{ column }} > {{ high }}{% endif %}
            then 1 else 0 end) as outside_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column, bounds in ranges.items() -%}
select
    '{{ column }}' as column_name,
    '{{ bounds.get("min_value", "") }}..{{ bounds.get("max_value", "") }}' as accepted_range,
    outside_{{ loop.index }} as rows_outside
from outside_counts
where outside_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
