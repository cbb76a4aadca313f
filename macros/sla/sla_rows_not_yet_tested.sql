{#
    The filter of a singular test of int_ticket_sla_metrics that checks each row on its own (config
    meta tested_deliveries_of: int_ticket_sla_metrics): the rows that an incremental run wrote
    since the test last passed, i.e. `_delivery_id > N` (new data measured: new or changed
    tickets, status changes, SLA reference data) or `as_of_at is not null` (an open ticket,
    measured again at every run's as-of time with the same delivery id). A row outside both kept
    the values it had when the test passed, and so did its ticket row (older deliveries). `1 = 1`
    (every row) on a full refresh, before the test first passes, and without a record
    (macros/incremental/tested_deliveries.sql).
#}
{% macro sla_rows_not_yet_tested() -%}
    {%- set last_delivery = last_tested_delivery() -%}
    {%- if last_delivery is none -%}
        1 = 1
    {%- else -%}
        (_delivery_id > {{ last_delivery }} or as_of_at is not null)
    {%- endif -%}
{%- endmacro %}
