{#- Records are deduplicated on their key across files, the latest delivery wins (a re-export corrects an earlier one). Which delivery
    is the latest is read from the data, never from the order files were loaded in: a key delivered on two
    days would otherwise be won by whichever day was ingested last, and rerunning one day would move the
    numbers. `order_by` ranks the deliveries of a key by their own fields (the first wins); the last file and
    line break what the data leaves tied. Renders a select over `relation` keeping one row per key. -#}
{% macro latest_delivery(relation, key_columns, order_by=[]) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {% for column in order_by %}{{ column }}, {% endfor %}_source_file desc, _source_line desc
            ) as delivery_rank
        from {{ relation }}
    ) as deliveries
    where delivery_rank = 1
{%- endmacro %}
