{#- Who a usage or spend row counts for: 'attributed' to an engineer on the roster that day, or why not. One rule
    for activity and spend. The query joins the identity's resolution as `identities`, the engineer's day as
    `engineer_days` and the flagged bots as `bots`; `identity_type` is the row's own column. -#}
{% macro attribution_status(identity_type) -%}
    case
        when bots.identity is not null then 'bot_activity'
        when {{ identity_type }} in ('api_key', 'bot') then {{ identity_type }}
        when identities.engineer_id is null then 'unresolved_identity'
        when engineer_days.engineer_id is null then 'not_on_roster_that_day'
        when not engineer_days.is_engineer then 'not_an_engineer'
        else 'attributed'
    end
{%- endmacro %}
