-- int_ticket_sla_metrics is incremental: a run measures again the tickets whose row or status
-- changes were delivered since the last run, every open ticket, and every ticket after new SLA
-- reference data. A ticket it missed shows here: its _delivery_id is not the latest delivery of
-- its inputs, or it is open and judged at another as-of time than the other open tickets.
with

metrics as (

    select * from {{ ref('int_ticket_sla_metrics') }}

),

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

status_change_deliveries as (

    select
        ticket_id,
        max(_delivery_id) as delivery_id
    from {{ ref('stg_psa__ticket_status_changes') }}
    group by ticket_id

),

sla_reference_deliveries as (

    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__calendars') }}
    union all
    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__holidays') }}
    union all
    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__sla_policies') }}

),

sla_reference_delivery as (

    select coalesce(max(delivery_id), 0) as delivery_id
    from sla_reference_deliveries

),

open_ticket_as_of as (

    select max(as_of_at) as as_of_at
    from metrics
    where as_of_at is not null

),

compared as (

    select
        metrics.ticket_id,
        tickets.resolved_at,
        metrics.has_sla_policy,
        metrics.as_of_at,
        open_ticket_as_of.as_of_at as latest_as_of_at,
        metrics._delivery_id,
        greatest(
            tickets._delivery_id,
            coalesce(status_change_deliveries.delivery_id, 0),
            sla_reference_delivery.delivery_id
        ) as latest_delivery_id
    from metrics
    inner join tickets
        on metrics.ticket_id = tickets.ticket_id
    left join status_change_deliveries
        on metrics.ticket_id = status_change_deliveries.ticket_id
    cross join sla_reference_delivery
    cross join open_ticket_as_of

)

select *
from compared
where
    _delivery_id <> latest_delivery_id
    or (has_sla_policy and resolved_at is null and as_of_at <> latest_as_of_at)
    or (resolved_at is not null and as_of_at is not null)
