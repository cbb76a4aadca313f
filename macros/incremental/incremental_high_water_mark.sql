{#
    The last delivery already in the incremental model being built, for its filters: a literal read
    before the build (delivery_high_water_mark), so that `_delivery_id > N` reaches the scans of the
    staging tables and DuckDB skips the row groups of older deliveries; in a unit test, where `this`
    is the test's fixture and not a table, the same value as a subquery on it. `column`: the
    lineage column holding it (a model reading two inputs keeps one per input); `where`: the rows
    it is read from (a log keeping the rows of two inputs marks each with its input).
#}
{% macro incremental_high_water_mark(column='_delivery_id', where=none) -%}
    {%- if model.resource_type == 'unit_test' -%}
        (select coalesce(max({{ column }}), 0) from {{ this }}{{ ' where ' ~ where if where }})
    {%- else -%}
        {{ delivery_high_water_mark(column, where) }}
    {%- endif -%}
{%- endmacro %}
