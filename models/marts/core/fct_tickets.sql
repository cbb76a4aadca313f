-- Incremental (DECISIONLOG: "The SLA engine and fct_tickets are incremental"): a run recomputes
-- the tickets whose row, time entries or SLA figures were delivered after the table's last
-- delivery, plus every open ticket (int_ticket_sla_metrics re-measures them at each as-of time).
{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#
    The text columns are cast to the contract's varchar: PostgreSQL's raw columns are `text`, and an
    incremental run compares the new rows' types with the table's (on_schema_change='fail'), where
    text is not character varying. A no-op on DuckDB.
#}
{%- set string_type = 'varchar' if target.type == 'postgres' else dbt.type_string() %}
{#- the last delivery already in the table, on an incremental run #}
{%- set high_water_mark = incremental_high_water_mark() if is_incremental() else none %}

{#
    On an incremental run each input is read twice (to find the tickets to rebuild, then their
    rows) rather than through one import CTE: DuckDB materialises a CTE read twice, which would
    copy the whole history on every run.
#}
with
{% if is_incremental() %}
    tickets_to_build as (

        select changed_tickets.ticket_id
        from {{ ref('stg_psa__tickets') }} as changed_tickets
        where
            changed_tickets._delivery_id > {{ high_water_mark }}
            -- int_ticket_sla_metrics measures open tickets again at each as-of time
            or changed_tickets.resolved_at is null

        union

        select new_time_entries.ticket_id
        from {{ ref('stg_psa__time_entries') }} as new_time_entries
        where new_time_entries._delivery_id > {{ high_water_mark }}

        union

        -- new status changes, or new SLA reference data (then every ticket)
        select measured_tickets.ticket_id
        from {{ ref('int_ticket_sla_metrics') }} as measured_tickets
        where measured_tickets._delivery_id > {{ high_water_mark }}

    ),
{% endif %}
tickets as (

    select all_tickets.*
    from {{ ref('stg_psa__tickets') }} as all_tickets
    {% if is_incremental() -%}
        where all_tickets.ticket_id in (select tickets_to_build.ticket_id from tickets_to_build)
    {%- endif %}

),

time_entries as (

    select all_time_entries.*
    from {{ ref('stg_psa__time_entries') }} as all_time_entries
    {% if is_incremental() -%}
        where all_time_entries.ticket_id in (select tickets_to_build.ticket_id from tickets_to_build)
    {%- endif %}

),

sla_metrics as (

    select all_sla_metrics.*
    from {{ ref('int_ticket_sla_metrics') }} as all_sla_metrics
    {% if is_incremental() -%}
        where all_sla_metrics.ticket_id in (select tickets_to_build.ticket_id from tickets_to_build)
    {%- endif %}

),

time_logged as (

    select
        ticket_id,
        sum(worked_hours) as logged_hours,
        sum(case when is_billable then worked_hours else 0 end) as billable_hours,
        count(*) as time_entry_count,
        count(distinct technician_id) as technician_count,
        max(_delivery_id) as delivery_id
    from time_entries
    group by ticket_id

),

final as (

    select
        -- ids
        cast(tickets.ticket_id as {{ string_type }}) as ticket_id,
        cast(tickets.client_id as {{ string_type }}) as client_id,
        cast(tickets.sla_policy_id as {{ string_type }}) as sla_policy_id,
        cast(tickets.endpoint_id as {{ string_type }}) as endpoint_id,
        cast(tickets.assigned_technician_id as {{ string_type }}) as assigned_technician_id,

        -- attributes
        cast(tickets.priority as {{ string_type }}) as priority,
        cast(tickets.ticket_type as {{ string_type }}) as ticket_type,
        cast(tickets.ticket_source as {{ string_type }}) as ticket_source,
        cast(tickets.board as {{ string_type }}) as board,
        tickets.tier,
        cast(tickets.status as {{ string_type }}) as status,
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
        sla_metrics.resolution_due_at,

        -- lineage: the last delivery of the data this row is built from (ticket row, time entries,
        -- SLA figures); the high-water mark of incremental runs
        cast(greatest(
            tickets._delivery_id,
            coalesce(time_logged.delivery_id, 0),
            coalesce(sla_metrics._delivery_id, 0)
        ) as {{ dbt.type_bigint() }}) as _delivery_id

    from tickets
    left join time_logged
        on tickets.ticket_id = time_logged.ticket_id
    left join sla_metrics
        on tickets.ticket_id = sla_metrics.ticket_id

)

select * from final
