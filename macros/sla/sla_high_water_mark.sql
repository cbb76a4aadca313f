{#
    The last delivery already in the incremental model being built, for its filters: a literal read
    before the build (delivery_high_water_mark), so that `_delivery_id > N` reaches the scans of the
    staging tables and DuckDB skips the row groups of older deliveries; in a unit test, where `this`
    is the test's fixture and not a table, the same value as a subquery on it.
#}
{% macro sla_high_water_mark() -%}
    {%- if model.resource_type == 'unit_test' -%}
        (select coalesce(max(_delivery_id), 0) from {{ this }})
    {%- else -%}
        {{ delivery_high_water_mark() }}
    {%- endif -%}
{%- endmacro %}
