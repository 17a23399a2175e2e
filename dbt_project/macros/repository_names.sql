{#- A repository or service name as GitHub and services.csv spell it: `owner/repo` (exactly one '/' with text on
    both sides, GitHub's full name) or a bare `repo`. Deploy service names and pull request repositories are matched
    to services.csv by these two facts. -#}
{% macro is_full_repository_name(column) -%}
    ({{ dbt.length(column) }} - {{ dbt.length(dbt.replace(column, "'/'", "''")) }} = 1
    and {{ dbt.split_part(column, "'/'", 1) }} <> ''
    and {{ dbt.split_part(column, "'/'", 2) }} <> '')
{%- endmacro %}

{#- The repository name (the part after owner/ of a full name, else the name itself), lower-cased: the key two
    spellings of one repository share. -#}
{% macro repository_name_key(column) -%}
    lower(case when {{ is_full_repository_name(column) }} then {{ dbt.split_part(column, "'/'", 2) }} else {{ column }} end)
{%- endmacro %}
