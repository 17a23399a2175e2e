{#- Where the impact estimator writes its rows (Parquet): the workspace passes it as the var
    impact_estimates_path; dbt run by hand falls back to the demo's. -#}
{% macro impact_estimates_path() -%}
    {{ return(var('impact_estimates_path', '../demo/impact/ai_impact_estimates.parquet')) }}
{%- endmacro %}

{#- The estimator's rows as the engine reads them: DuckDB through the source's meta.external_location, Spark by
    path; a unit test reads its fixture. -#}
{% macro impact_estimates() -%}
    {%- set relation = source('impact', 'ai_impact_estimates') -%}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(adapter.dispatch('impact_estimates')(relation)) }}
{%- endmacro %}

{% macro default__impact_estimates(relation) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__impact_estimates(relation) -%}
    {{ return('parquet.`' ~ impact_estimates_path() ~ '`') }}
{%- endmacro %}
