{#
    The first row of each partition in the given order (dbt_utils.deduplicate's contract), as a
    complete select statement to wrap in a CTE. DISTINCT ON keeps every column of the relation
    without a helper column to drop (PostgreSQL); DuckDB and Spark get a row_number() window through
    adapter.dispatch.
#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'mspkpi')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) *
    from {{ relation }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}

{#
    DuckDB: a window instead of DISTINCT ON. Both give the same rows for a total order, but DuckDB's
    DISTINCT ON keeps every partition in memory and fails at the memory limit (11 million ticket
    rows against 4 GB: out of memory), where the window sorts out of core and spills to disk.
#}
{% macro duckdb__deduplicate(relation, partition_by, order_by) -%}
    select *
    from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}
