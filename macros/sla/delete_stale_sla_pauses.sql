{#
    Pre-hook of int_ticket_sla_pauses: on an incremental run, delete the stored pauses of every
    ticket whose status changes were delivered after the table's last delivery; the model then
    appends their pauses recomputed from all their status changes. The mark is read when the hook
    is rendered, before it runs, as the model's own filter was: both see the same table.
#}
{% macro delete_stale_sla_pauses() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where ticket_id in (
            select ticket_id
            from {{ ref('stg_psa__ticket_status_changes') }}
            where _delivery_id > {{ incremental_high_water_mark() }}
        )
    {%- endif -%}
{%- endmacro %}
