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

{#- The rows a pull request delivery lists (its commits, its labels), kept only for the delivery that counts
    (`pull_requests`, one row per pr_id and its updated_at): a superseded delivery's rows are not the pull
    request's. A row listed twice by deliveries at the same updated_at (a file sent twice) is kept once, by
    latest_delivery on `key_columns`. Renders a select over `relation`, whose rows carry pr_id and pr_updated_at. -#}
{% macro rows_of_counted_delivery(relation, pull_requests, key_columns) -%}
    {%- set counted -%}
        (
            select listed.*
            from {{ relation }} as listed
            inner join {{ pull_requests }} as counting
                on listed.pr_id = counting.pr_id
                and listed.pr_updated_at = counting.updated_at
        ) as counted
    {%- endset -%}
    {{ latest_delivery(counted, key_columns) }}
{%- endmacro %}
