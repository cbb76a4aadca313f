{#
    The filter of a data test of fct_tickets (`where: "__tickets_not_yet_tested__"`): the rows an
    incremental run wrote since the test last passed, i.e. `_delivery_id > N` (a ticket whose row,
    time entries or SLA figures were delivered after N: its row takes that delivery's id) or
    `resolved_at is null` (an open ticket, rebuilt at every run with its delivery id unchanged). A
    row outside both has not changed since the test passed. `1 = 1` (every row) on a full refresh,
    before the test first passes, and without a record (macros/incremental/tested_deliveries.sql).
    Why that is enough for `unique` and `relationships`: the same file, on the staging tables.
#}
{% macro tickets_not_yet_tested() -%}
    {%- set last_delivery = last_tested_delivery() -%}
    {%- if last_delivery is none -%}
        1 = 1
    {%- else -%}
        (_delivery_id > {{ last_delivery }} or resolved_at is null)
    {%- endif -%}
{%- endmacro %}
