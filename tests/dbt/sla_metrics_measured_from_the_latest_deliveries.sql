-- int_ticket_sla_metrics is incremental: a run measures again the tickets whose row or status
-- changes were delivered since the last run, every open ticket, and every ticket after new SLA
-- reference data. A ticket it missed shows here: its _delivery_id is not the latest delivery of
-- its inputs, or it is open and judged at another as-of time than the other open tickets.
-- Once it has passed, a run checks only the tickets that could have changed since (tickets_to_check):
-- any other ticket has the inputs and the SLA row it had when the test passed.
{{ config(meta={'tested_deliveries_of': 'int_ticket_sla_metrics'}) }}
{%- set last_delivery = last_tested_delivery() %}

with

metrics as (

    select * from {{ ref('int_ticket_sla_metrics') }}

),

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

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

{% if last_delivery is not none -%}
    tickets_to_check as (

        -- data delivered or an SLA row written since the test passed, and every open ticket (the
        -- tables are read here again rather than through the CTEs above: DuckDB would copy a CTE
        -- read twice, every column of every ticket)
        select ticket_id from {{ ref('int_ticket_sla_metrics') }}
        where _delivery_id > {{ last_delivery }} or as_of_at is not null
        union
        select ticket_id from {{ ref('stg_psa__tickets') }}
        where _delivery_id > {{ last_delivery }} or resolved_at is null
        union
        select ticket_id from {{ ref('stg_psa__ticket_status_changes') }}
        where _delivery_id > {{ last_delivery }}
        union
        -- new calendars, holidays or policies: every ticket
        select all_metrics.ticket_id from {{ ref('int_ticket_sla_metrics') }} as all_metrics
        cross join sla_reference_delivery
        where sla_reference_delivery.delivery_id > {{ last_delivery }}

    ),
{%- endif %}

status_change_deliveries as (

    select
        ticket_id,
        max(_delivery_id) as delivery_id
    from {{ ref('stg_psa__ticket_status_changes') }}
    {% if last_delivery is not none -%}
        where ticket_id in (select tickets_to_check.ticket_id from tickets_to_check)
    {%- endif %}
    group by ticket_id

),

checked_metrics as (

    select * from metrics
    {% if last_delivery is not none -%}
        where ticket_id in (select tickets_to_check.ticket_id from tickets_to_check)
    {%- endif %}

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
    from checked_metrics as metrics
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
