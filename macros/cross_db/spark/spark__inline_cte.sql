{# Spark SQL has no `not materialized` hint (it inlines a CTE by itself): nothing. #}
{% macro spark__inline_cte() -%}
{%- endmacro %}
