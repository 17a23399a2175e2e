{#- Records are deduplicated on their key across files, the latest delivery wins (DESIGN.md): the row
    loaded last, then the last file and line. Renders a select over `relation` keeping one row per key. -#}
{% macro latest_delivery(relation, key_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at desc, _source_file desc, _source_line desc
            ) as delivery_rank
        from {{ relation }}
    ) as deliveries
    where delivery_rank = 1
{%- endmacro %}
