-- Business minutes are never negative and never more than the wall-clock minutes of the same span
-- (paused minutes included): a calendar cannot open more than the clock runs.
-- On an incremental run it reads only the SLA rows written since it last passed
-- (macro sla_rows_not_yet_tested).
{{ config(meta={'tested_deliveries_of': 'int_ticket_sla_metrics'}) }}

with

metrics as (

    select * from {{ ref('int_ticket_sla_metrics') }}
    where {{ sla_rows_not_yet_tested() }}

),

tickets as (

    select * from {{ ref('int_tickets_joined_to_sla_policies') }}

)

select
    metrics.ticket_id,
    metrics.response_business_minutes,
    metrics.resolution_business_minutes,
    metrics.paused_business_minutes,
    tickets.created_at,
    tickets.first_response_at,
    tickets.resolved_at
from metrics
inner join tickets
    on metrics.ticket_id = tickets.ticket_id
where
    metrics.response_business_minutes < 0
    or metrics.resolution_business_minutes < 0
    or metrics.paused_business_minutes < 0
    or metrics.response_paused_business_minutes < 0
    or metrics.response_business_minutes + metrics.response_paused_business_minutes
    > greatest({{ dbt.datediff('tickets.created_at', 'tickets.first_response_at', 'minute') }}, 0)
    or metrics.resolution_business_minutes + metrics.paused_business_minutes
    > {{ dbt.datediff('tickets.created_at', 'tickets.resolved_at', 'minute') }}
