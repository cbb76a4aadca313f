{#
    dbt.safe_cast is a plain cast on DuckDB (the default implementation); try_cast returns null
    instead of failing the whole model on one bad value.
#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
