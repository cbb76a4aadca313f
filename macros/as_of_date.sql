{# The day of as_of_timestamp(): the build's "today". #}
{% macro as_of_date() -%}
    cast({{ as_of_timestamp() }} as date)
{%- endmacro %}
