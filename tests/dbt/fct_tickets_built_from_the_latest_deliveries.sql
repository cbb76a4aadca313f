-- fct_tickets is incremental: a run rebuilds the tickets whose row, time entries or SLA figures
-- were delivered since the last run, and every open ticket. A ticket it missed shows here: its
-- _delivery_id is not the latest delivery of its inputs, or its SLA figures are not the engine's.
-- Once it has passed, a run checks only the tickets that could have changed since (tickets_to_check):
-- any other ticket has the inputs and the fact row it had when the test passed.
{{ config(meta={'tested_deliveries_of': 'fct_tickets'}) }}
{%- set last_delivery = last_tested_delivery() %}

with

fact as (

    select * from {{ ref('fct_tickets') }}

),

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

metrics as (

    select * from {{ ref('int_ticket_sla_metrics') }}

),

{% if last_delivery is not none -%}
    tickets_to_check as (

        -- data delivered or a fact row written since the test passed, and every open ticket (the
        -- tables are read here again rather than through the CTEs above: DuckDB would copy a CTE
        -- read twice, every column of every ticket)
        select ticket_id from {{ ref('fct_tickets') }}
        where _delivery_id > {{ last_delivery }} or resolved_at is null
        union
        select ticket_id from {{ ref('stg_psa__tickets') }}
        where _delivery_id > {{ last_delivery }} or resolved_at is null
        union
        select ticket_id from {{ ref('int_ticket_sla_metrics') }}
        where _delivery_id > {{ last_delivery }} or as_of_at is not null
        union
        select ticket_id from {{ ref('stg_psa__time_entries') }}
        where _delivery_id > {{ last_delivery }}

    ),

    checked_fact as (

        select * from fact
        where ticket_id in (select tickets_to_check.ticket_id from tickets_to_check)

    ),
{%- endif %}

time_entry_deliveries as (

    select
        ticket_id,
        max(_delivery_id) as delivery_id
    from {{ ref('stg_psa__time_entries') }}
    {% if last_delivery is not none -%}
        where ticket_id in (select tickets_to_check.ticket_id from tickets_to_check)
    {%- endif %}
    group by ticket_id

)

select
    fact.ticket_id,
    fact._delivery_id,
    tickets._delivery_id as ticket_delivery_id,
    time_entry_deliveries.delivery_id as time_entry_delivery_id,
    metrics._delivery_id as sla_delivery_id
from {{ 'checked_fact' if last_delivery is not none else 'fact' }} as fact
inner join tickets
    on fact.ticket_id = tickets.ticket_id
left join time_entry_deliveries
    on fact.ticket_id = time_entry_deliveries.ticket_id
left join metrics
    on fact.ticket_id = metrics.ticket_id
where
    fact._delivery_id <> greatest(
        tickets._delivery_id,
        coalesce(time_entry_deliveries.delivery_id, 0),
        coalesce(metrics._delivery_id, 0)
    )
    or fact.resolved_at is distinct from tickets.resolved_at
    or fact.resolution_due_at is distinct from metrics.resolution_due_at
    or fact.is_breached_open is distinct from metrics.is_breached_open
    or fact.is_sla_active is distinct from metrics.is_sla_active
    or fact.resolution_business_minutes is distinct from metrics.resolution_business_minutes
    or fact.paused_business_minutes is distinct from metrics.paused_business_minutes
