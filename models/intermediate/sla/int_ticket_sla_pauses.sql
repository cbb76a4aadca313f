-- Incremental (DECISIONLOG: "The SLA pauses are an incremental table"): a run recomputes the
-- pauses of the tickets whose status changes were delivered after the table's last delivery. The
-- pre-hook first deletes every stored pause of those tickets (a re-delivered status change can
-- remove a pause, and delete+insert would only replace the tickets that still have one), then
-- their pauses are appended.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_stale_sla_pauses() }}",
    )
}}

{%- set high_water_mark = incremental_high_water_mark() if is_incremental() else none %}

with

-- sla_pauses reads it twice (the tickets with a paused status, then their history): inlined over
-- the whole history; an incremental run's few tickets are cheaper copied once than filtered twice
status_changes as {% if not is_incremental() %}{{ inline_cte() }} {% endif %}(

    select
        ticket_id,
        changed_at,
        is_sla_paused,
        _delivery_id
    from {{ ref('stg_psa__ticket_status_changes') }}
    {% if is_incremental() -%}
        where ticket_id in (
            select new_status_changes.ticket_id
            from {{ ref('stg_psa__ticket_status_changes') }} as new_status_changes
            where new_status_changes._delivery_id > {{ high_water_mark }}
        )
    {%- endif %}

),

pauses as (

    -- the rule is in the macro: int_ticket_sla_metrics applies it to the tickets it recomputes
    {{ sla_pauses('status_changes', with_delivery_id=true) }}

),

final as (

    select
        -- ids
        ticket_id,

        -- timestamps
        pause_started_at,
        pause_ended_at,

        -- lineage: the last delivery of the ticket's status changes
        _delivery_id

    from pauses

)

select * from final
