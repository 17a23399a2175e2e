{#- ISO week (Monday) and calendar month of a date, as dates (date_trunc returns a timestamp on some engines). -#}
{% macro week_start(column) -%}
    cast({{ dbt.date_trunc('week', column) }} as date)
{%- endmacro %}

{% macro month_start(column) -%}
    cast({{ dbt.date_trunc('month', column) }} as date)
{%- endmacro %}

{#- A double-precision float on every engine (dbt.type_float() is 32-bit on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double{%- endmacro %}

{% macro bigquery__type_double() -%}float64{%- endmacro %}

{#- ISO day of the week of a date, Monday 1 to Sunday 7, as a bigint on every engine. -#}
{% macro iso_day_of_week(column) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(column)) }}
{%- endmacro %}

{% macro duckdb__iso_day_of_week(column) -%}
    cast(extract(isodow from {{ column }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__iso_day_of_week(column) -%}
    cast(extract(dayofweek_iso from {{ column }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- One row per day from `first_column` to `last_column` (inclusive) of each row of `relation`, as
    `date_day`, with the row's `carried` columns. -#}
{% macro days_between(relation, first_column, last_column, carried=[]) -%}
    select
        cast(generated.date_day as date) as date_day,
        {%- for column in carried %}
        {{ relation }}.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {{ adapter.dispatch('day_series')(relation ~ '.' ~ first_column, relation ~ '.' ~ last_column) }}
{%- endmacro %}

{#- The days from `first` to `last` of the row before it, as the relation `generated` of one column, `date_day`. -#}
{% macro duckdb__day_series(first, last) -%}
    cross join generate_series({{ first }}, {{ last }}, interval 1 day) as generated (date_day)
{%- endmacro %}

{% macro spark__day_series(first, last) -%}
    lateral view explode(sequence({{ first }}, {{ last }}, interval 1 day)) generated as date_day
{%- endmacro %}
