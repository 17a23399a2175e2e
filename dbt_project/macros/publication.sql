{#- What a published model declares about its publication, in its yml:
    config: meta: publish: {key: [...], period: {column, grain}, suppressed: [...]}.
    The Python gates read the same declaration from the manifest (orchestration/lib/published_models.py),
    so which marts are published, their keys and their suppressed metrics are written once.
    Read from the graph by name. Before execution (parsing) the graph is not built and nothing is returned.
    A unit test compiles the model against a manifest of its inputs only, without the graph: it states the
    declaration it tests as `overrides: vars: {publication: {<model>: {suppressed: [...]}}}`. -#}
{% macro publication(model_name) -%}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set nodes = graph.get('nodes', {}) -%}
    {%- if not nodes -%}
        {%- set stated = var('publication', {}) -%}
        {%- if model_name not in stated -%}
            {{ exceptions.raise_compiler_error(
                "publication(" ~ model_name ~ "): no graph here (a unit test?); state the declaration the test "
                ~ "relies on as overrides: vars: {publication: {" ~ model_name ~ ": {suppressed: [...]}}}"
            ) }}
        {%- endif -%}
        {{ return(stated[model_name]) }}
    {%- endif -%}
    {%- for node in nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(node.config.meta.get('publish', {})) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("publication(): no model named " ~ model_name) }}
{%- endmacro %}

{#- The metrics a published model nulls on a suppressed row (its meta.publish.suppressed). -#}
{% macro suppressed_columns(model_name) -%}
    {{ return(publication(model_name).get('suppressed', [])) }}
{%- endmacro %}
