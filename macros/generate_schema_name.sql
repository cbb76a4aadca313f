{#
    Schemas are the layer names themselves (raw, staging, intermediate, marts, seeds), not
    <target schema>_<layer>: analysts and BI tools see stable names whatever the target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
