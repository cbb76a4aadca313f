{#
    `name as {{ inline_cte() }} (...)`: ask the engine to inline a CTE that is read more than once
    instead of copying its rows first. The staging models read their `source` and `renamed` CTEs
    three times in `deduplicate` (the repeated keys, the rows of single keys, the rows of repeated
    keys); DuckDB otherwise materialises both, every column of every raw row: at 11 M tickets the
    full build of the status changes took 34.8 s that way and 14.4 s inlined (three scans of the
    raw table). `not materialized` is PostgreSQL's syntax (12+), which DuckDB shares; Spark's SQL
    has no such hint and inlines by itself.
#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'mspkpi')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}
    not materialized
{%- endmacro %}
