-- Reconciliation with staging: int_ticket_sla_metrics keeps one row per ticket, with or without
-- an SLA policy.
with

staged as (

    select count(*) as ticket_count
    from {{ ref('stg_psa__tickets') }}

),

measured as (

    select count(*) as ticket_count
    from {{ ref('int_ticket_sla_metrics') }}

)

select
    staged.ticket_count as staged_ticket_count,
    measured.ticket_count as measured_ticket_count
from staged
cross join measured
where staged.ticket_count <> measured.ticket_count
