with

status_changes as (

    select * from {{ ref('stg_psa__ticket_status_changes') }}

),

status_changes_in_order as (

    select
        ticket_id,
        changed_at,
        is_sla_paused,
        lag(is_sla_paused) over (
            partition by ticket_id
            order by changed_at
        ) as was_sla_paused,
        -- a pause lasts until the next change to a status that runs the clock, however many
        -- paused statuses come in between (waiting on client -> waiting on vendor -> in progress)
        min(case when not is_sla_paused then changed_at end) over (
            partition by ticket_id
            order by changed_at
            rows between 1 following and unbounded following
        ) as next_unpaused_at
    from status_changes

),

final as (

    select
        -- ids
        ticket_id,

        -- timestamps
        changed_at as pause_started_at,
        next_unpaused_at as pause_ended_at

    from status_changes_in_order
    -- the first of a run of paused statuses starts the pause
    where is_sla_paused and not coalesce(was_sla_paused, false)

)

select * from final
