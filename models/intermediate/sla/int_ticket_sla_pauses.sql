with

status_changes as (

    select * from {{ ref('stg_psa__ticket_status_changes') }}

),

pauses as (

    -- the rule is in the macro: int_ticket_sla_metrics applies it to the tickets it recomputes
    {{ sla_pauses('status_changes') }}

),

final as (

    select
        -- ids
        ticket_id,

        -- timestamps
        pause_started_at,
        pause_ended_at

    from pauses

)

select * from final
