-- Every ticket with an SLA policy is in exactly one state (resolved, open and breached, open and
-- active), and its flags agree with its deadline: resolved in the due minute or before = within
-- SLA, open after the due minute = breached. A null deadline means the calendars do not reach it
-- (see int_sla_date_spine).
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

),

measured as (

    select
        metrics.ticket_id,
        tickets.resolved_at,
        metrics.as_of_at,
        metrics.resolution_due_at,
        metrics.is_resolution_within_sla,
        metrics.is_breached_open,
        metrics.is_sla_active,
        {{ dbt.date_trunc('minute', 'tickets.resolved_at') }} <= metrics.resolution_due_at as is_resolved_by_due_minute,
        {{ dbt.date_trunc('minute', 'metrics.as_of_at') }} > metrics.resolution_due_at as is_as_of_past_due_minute
    from metrics
    inner join tickets
        on metrics.ticket_id = tickets.ticket_id
    where metrics.has_sla_policy

)

select *
from measured
where
    resolution_due_at is null
    or is_breached_open is null
    or is_sla_active is null
    or (
        resolved_at is not null
        and (
            is_resolution_within_sla is null
            or is_breached_open
            or is_sla_active
            or is_resolution_within_sla <> is_resolved_by_due_minute
        )
    )
    or (
        resolved_at is null
        and (
            is_resolution_within_sla is not null
            or is_breached_open = is_sla_active
            or is_breached_open <> is_as_of_past_due_minute
        )
    )
