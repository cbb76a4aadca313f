-- fct_tickets keeps every staged ticket exactly once, and every hour logged on a known ticket.
with

staged_tickets as (

    -- one row per ticket (the model's unique test): a count, not a count of distinct ids, which
    -- took 2 s of every build at 11 M tickets
    select count(*) as ticket_count
    from {{ ref('stg_psa__tickets') }}

),

staged_hours as (

    select coalesce(sum(time_entries.worked_hours), 0) as logged_hours
    from {{ ref('stg_psa__time_entries') }} as time_entries
    where time_entries.ticket_id in (select tickets.ticket_id from {{ ref('stg_psa__tickets') }} as tickets)

),

fact as (

    select
        count(*) as ticket_count,
        coalesce(sum(logged_hours), 0) as logged_hours
    from {{ ref('fct_tickets') }}

)

select
    staged_tickets.ticket_count as staged_ticket_count,
    fact.ticket_count as fact_ticket_count,
    staged_hours.logged_hours as staged_logged_hours,
    fact.logged_hours as fact_logged_hours
from staged_tickets
cross join staged_hours
cross join fact
where
    staged_tickets.ticket_count <> fact.ticket_count
    or staged_hours.logged_hours <> fact.logged_hours
