-- The breached backlog of the as-of month is measured at the as-of time, so it must be exactly
-- the tickets the SLA engine flags is_breached_open (and the open backlog its breached + active
-- tickets), client by client and priority by priority. Returns the disagreements. Skipped (no
-- rows) when a ticket was resolved after the as-of time (MSPKPI_AS_OF set in the past): the engine
-- then judges by the final resolution, while the backlog replays the as-of instant.
with

-- read twice: inlined, not copied whole first (at 10 M tickets, 0.5-0.8 s -> 0.25 s)
tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

sla_months as (

    select * from {{ ref('kpi_sla_compliance_monthly') }}

),

engine as (

    select
        client_id,
        priority,
        count(case when is_breached_open then ticket_id end) as breached_open_count,
        count(case when is_breached_open or is_sla_active then ticket_id end) as open_count
    from tickets
    where has_sla_policy and created_at < {{ as_of_timestamp() }}
    group by client_id, priority

),

mart as (

    select
        client_id,
        priority,
        month_end_breached_open_ticket_count as breached_open_count,
        month_end_open_sla_ticket_count as open_count
    from sla_months
    where month_start_on = cast({{ dbt.date_trunc('month', as_of_date()) }} as date)

)

select
    coalesce(engine.client_id, mart.client_id) as client_id,
    coalesce(engine.priority, mart.priority) as priority,
    engine.breached_open_count as engine_breached_open_count,
    mart.breached_open_count as mart_breached_open_count,
    engine.open_count as engine_open_count,
    mart.open_count as mart_open_count
from engine
full outer join mart
    on
        engine.client_id = mart.client_id
        and engine.priority = mart.priority
where
    (
        coalesce(engine.breached_open_count, 0) <> coalesce(mart.breached_open_count, 0)
        or coalesce(engine.open_count, 0) <> coalesce(mart.open_count, 0)
    )
    and not exists (
        select 1 from tickets as resolved_later
        where resolved_later.resolved_at >= {{ as_of_timestamp() }}
    )
