with

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

time_entries as (

    select * from {{ ref('stg_psa__time_entries') }}

),

sla_metrics as (

    select * from {{ ref('int_ticket_sla_metrics') }}

),

time_logged as (

    select
        ticket_id,
        sum(worked_hours) as logged_hours,
        sum(case when is_billable then worked_hours else 0 end) as billable_hours,
        count(*) as time_entry_count,
        count(distinct technician_id) as technician_count
    from time_entries
    group by ticket_id

),

final as (

    select
        -- ids
        tickets.ticket_id,
        tickets.client_id,
        tickets.sla_policy_id,
        tickets.endpoint_id,
        tickets.assigned_technician_id,

        -- attributes
        tickets.priority,
        tickets.ticket_type,
        tickets.ticket_source,
        tickets.board,
        tickets.tier,
        tickets.status,
        tickets.reopened_count,

        -- booleans
        tickets.first_response_at is not null as has_first_response,
        tickets.escalated_at is not null or coalesce(tickets.tier, 1) > 1 as is_escalated,
        tickets.reopened_count > 0 as is_reopened,
        tickets.resolved_at is not null as is_resolved,
        tickets.closed_at is not null as is_closed,
        tickets.is_proactive,

        -- dates
        cast(tickets.created_at as date) as created_on,
        cast(tickets.resolved_at as date) as resolved_on,

        -- timestamps
        tickets.created_at,
        tickets.first_response_at,
        tickets.escalated_at,
        tickets.resolved_at,
        tickets.closed_at,

        -- durations: calendar time, seconds / 60; the business-hours SLA clock is separate
        cast(
            {{ dbt.datediff('tickets.created_at', 'tickets.first_response_at', 'second') }}
            / 60.0 as decimal(18, 2)
        ) as first_response_minutes,
        cast(
            {{ dbt.datediff('tickets.created_at', 'tickets.resolved_at', 'second') }}
            / 60.0 as decimal(18, 2)
        ) as resolution_minutes,

        -- time logged
        {{ to_decimal('coalesce(time_logged.logged_hours, 0)', 4) }} as logged_hours,
        {{ to_decimal('coalesce(time_logged.billable_hours, 0)', 4) }} as billable_hours,
        coalesce(time_logged.time_entry_count, 0) as time_entry_count,
        coalesce(time_logged.technician_count, 0) as technician_count,

        -- SLA (business minutes of the policy's calendar, net of pauses; null without a policy)
        coalesce(sla_metrics.has_sla_policy, false) as has_sla_policy,
        sla_metrics.response_target_minutes,
        sla_metrics.resolution_target_minutes,
        sla_metrics.response_business_minutes,
        sla_metrics.resolution_business_minutes,
        sla_metrics.paused_business_minutes,
        sla_metrics.is_response_within_sla,
        sla_metrics.is_resolution_within_sla,
        sla_metrics.is_breached_open,
        sla_metrics.is_sla_active,
        sla_metrics.resolution_due_at

    from tickets
    left join time_logged
        on tickets.ticket_id = time_logged.ticket_id
    left join sla_metrics
        on tickets.ticket_id = sla_metrics.ticket_id

)

select * from final
