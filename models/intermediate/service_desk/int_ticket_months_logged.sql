{#
    Every client-month that a ticket's service-review events have fallen in, in any version of the
    ticket a build has read: the month it was created, first answered and resolved, and the month of
    each of its CSAT responses, under the client the ticket had then; once for the ticket's own
    events and once for its responses (`event_source`), so that each input keeps its own
    high-water mark. Append-only: a row, once logged, stays when a later version moves the event
    to another month (a reopened ticket resolved again) or the ticket to another client.

    Why: kpi_service_review_periods rebuilds, on an incremental run, only the client periods that
    the tickets changed since its last build touch, in their old versions as well as their new ones.
    fct_tickets keeps only the current version; this log keeps where every version counted.

    Incremental: the ticket versions and CSAT responses delivered after the last delivery of their
    input in the log, each row not yet logged. A full refresh logs the current versions only: refresh the marts that read
    the log with it (`mspkpi run --full-refresh` refreshes everything).
#}
{{
    config(
        materialized='incremental',
        unique_key=['ticket_id', 'client_id', 'month_start_on', 'event_source'],
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

{#-
    One high-water mark per input, read from the rows that input logged: tickets and CSAT
    responses come in different files, so in different deliveries (one mark, the greater, would
    read every CSAT response again after a full build: their files load after the tickets').
-#}
{%- if is_incremental() %}
    {%- set tickets_high_water_mark = incremental_high_water_mark(where="event_source = 'ticket'") %}
    {%- set csat_high_water_mark = incremental_high_water_mark(where="event_source = 'csat_response'") %}
{%- endif %}

{#
    The two inputs are read twice each (the new rows, then the rows they join): inlined, not
    copied whole first (at 11 M tickets, 3.2 s -> 0.5 s for a day's delivery).
#}
with

tickets as {{ inline_cte() }} (

    select * from {{ ref('stg_psa__tickets') }}

),

csat_responses as {{ inline_cte() }} (

    select * from {{ ref('stg_surveys__csat_responses') }}

),

new_tickets as (

    select *
    from tickets
    {% if is_incremental() -%}
        where _delivery_id > {{ tickets_high_water_mark }}
    {%- endif %}

),

-- a ticket version is one row (stg_psa__tickets has one row per ticket): its events in the same
-- month are logged once by leaving out an event in the month of an earlier one, not by a
-- grouping of every event (at 10 M tickets, a full build 7.3 s -> 3.5 s alone)
{%- set events = ['created_at', 'first_response_at', 'resolved_at'] %}
ticket_events as (

    {% for event_at in events -%}
        select
            ticket_id,
            client_id,
            cast({{ dbt.date_trunc('month', event_at) }} as date) as month_start_on,
            'ticket' as event_source,
            _delivery_id
        from new_tickets
        where
            {{ event_at }} is not null
            {%- for earlier in events[:loop.index0] %}
                and cast({{ dbt.date_trunc('month', event_at) }} as date)
                is distinct from cast({{ dbt.date_trunc('month', earlier) }} as date)
            {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

csat_event_rows as (

    -- every response to a new ticket version, under that version's client
    select
        new_tickets.ticket_id,
        new_tickets.client_id,
        cast({{ dbt.date_trunc('month', 'csat_responses.responded_at') }} as date) as month_start_on,
        'csat_response' as event_source,
        greatest(new_tickets._delivery_id, csat_responses._delivery_id) as _delivery_id
    from csat_responses
    inner join new_tickets
        on csat_responses.ticket_id = new_tickets.ticket_id
    {% if is_incremental() %}

        union all

        -- every new response, under its ticket's current client
        select
            tickets.ticket_id,
            tickets.client_id,
            cast({{ dbt.date_trunc('month', 'csat_responses.responded_at') }} as date) as month_start_on,
            'csat_response' as event_source,
            csat_responses._delivery_id
        from csat_responses
        inner join tickets
            on csat_responses.ticket_id = tickets.ticket_id
        where csat_responses._delivery_id > {{ csat_high_water_mark }}
    {% endif %}

),

csat_events as (

    -- a ticket's responses of one month, once
    select
        ticket_id,
        client_id,
        month_start_on,
        event_source,
        max(_delivery_id) as _delivery_id
    from csat_event_rows
    group by ticket_id, client_id, month_start_on, event_source

),

event_months as (

    select * from ticket_events
    union all
    select * from csat_events

),

final as (

    select
        -- ids
        ticket_id,
        client_id,

        -- dates
        month_start_on,

        -- attributes: what put the ticket in the month (a ticket's own event, or a CSAT response)
        cast(event_source as {{ dbt.type_string() }}) as event_source,

        -- lineage: the last delivery that put the ticket in this client-month
        _delivery_id

    from event_months

)

select * from final
{% if is_incremental() -%}
    where not exists (
        select 1
        from {{ this }} as logged
        where
            logged.ticket_id = final.ticket_id
            and logged.client_id = final.client_id
            and logged.month_start_on = final.month_start_on
            and logged.event_source = final.event_source
    )
{%- endif %}
