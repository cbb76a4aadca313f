{#
    numerator / denominator as a double, null when the denominator is 0 or null (a KPI with no
    population has no value, neither 0 nor an error).
#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
