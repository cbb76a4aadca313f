-- fct_tickets keeps every staged ticket exactly once, and every hour logged on a known ticket.
with

staged_tickets as (

    select count(distinct ticket_id) as ticket_count
    from {{ ref('stg_psa__tickets') }}

),

staged_hours as (

    select coalesce(sum(time_entries.worked_hours), 0) as logged_hours
    from {{ ref('stg_psa__time_entries') }} as time_entries
    inner join {{ ref('stg_psa__tickets') }} as tickets
        on time_entries.ticket_id = tickets.ticket_id

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
