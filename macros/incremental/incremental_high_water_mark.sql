{#
    The last delivery already in the incremental model being built, for its filters: a literal read
    before the build (delivery_high_water_mark), so that `_delivery_id > N` reaches the scans of the
    staging tables and DuckDB skips the row groups of older deliveries; in a unit test, where `this`
    is the test's fixture and not a table, the same value as a subquery on it. `column`: the
    lineage column holding it (a model reading two inputs keeps one per input).
#}
{% macro incremental_high_water_mark(column='_delivery_id') -%}
    {%- if model.resource_type == 'unit_test' -%}
        (select coalesce(max({{ column }}), 0) from {{ this }})
    {%- else -%}
        {{ delivery_high_water_mark(column) }}
    {%- endif -%}
{%- endmacro %}
