{#
    The first row of each partition in the given order (dbt_utils.deduplicate's contract), as a
    complete select statement to wrap in a CTE. DISTINCT ON keeps every column of the relation
    without a helper column to drop; it is supported by DuckDB and PostgreSQL. Other warehouses get
    a row_number() implementation through adapter.dispatch when they are added.
#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'mspkpi')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) *
    from {{ relation }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}
