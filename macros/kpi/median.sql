{#
    The median of an expression, as an aggregate: the ordered-set aggregate of the SQL standard,
    which DuckDB and PostgreSQL both run (continuous: the mean of the two middle values of an even
    count). Dispatched, so that another warehouse can get its own spelling.
#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'mspkpi')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
