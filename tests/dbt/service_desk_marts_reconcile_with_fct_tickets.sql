-- Every service-desk mart counts each ticket of fct_tickets once in its month, client by client:
-- the tickets created summed over the months of each mart (and over the periods of each type of
-- the service review) equal the client's tickets in fct_tickets. Scope: tickets created from the
-- month of the first ticket to the end of the as-of month (all of them unless MSPKPI_AS_OF is set
-- before the last ticket); fct_tickets only holds clients known to dim_clients (it tests it). The
-- service review also reconciles its resolved tickets and CSAT responses (responses on known
-- tickets, by answer date), the proactive-IT mart its RMM alerts (alerts on known endpoints).
-- Returns one row per mart, measure and client that disagree.
with

-- read four times: inlined, not copied whole first (at 10 M tickets, 1.7-2.1 s -> 1.25 s)
tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

csat_responses as (

    select * from {{ ref('stg_surveys__csat_responses') }}

),

rmm_alerts as (

    select * from {{ ref('stg_psa__rmm_alerts') }}

),

endpoints as (

    select * from {{ ref('stg_psa__endpoints') }}

),

bounds as (

    select
        {{ dbt.date_trunc('month', 'min(created_at)') }} as first_month_start_at,
        {{ dbt.dateadd('month', 1, dbt.date_trunc('month', as_of_date())) }} as after_last_month_start_at
    from tickets

),

expected as (

    select
        'tickets_created' as measure,
        tickets.client_id,
        count(*) as expected_count
    from tickets
    cross join bounds
    where tickets.created_at < bounds.after_last_month_start_at
    group by tickets.client_id

    union all

    select
        'tickets_resolved' as measure,
        tickets.client_id,
        count(*) as expected_count
    from tickets
    cross join bounds
    where tickets.resolved_at < bounds.after_last_month_start_at
    group by tickets.client_id

    union all

    select
        'csat_responses' as measure,
        tickets.client_id,
        count(*) as expected_count
    from csat_responses
    inner join tickets
        on csat_responses.ticket_id = tickets.ticket_id
    cross join bounds
    where
        csat_responses.responded_at >= bounds.first_month_start_at
        and csat_responses.responded_at < bounds.after_last_month_start_at
    group by tickets.client_id

    union all

    select
        'rmm_alerts' as measure,
        endpoints.client_id,
        count(*) as expected_count
    from rmm_alerts
    inner join endpoints
        on rmm_alerts.endpoint_id = endpoints.endpoint_id
    cross join bounds
    where
        rmm_alerts.raised_at >= bounds.first_month_start_at
        and rmm_alerts.raised_at < bounds.after_last_month_start_at
    group by endpoints.client_id

),

reported as (

    {% set monthly_marts = [
        'kpi_sla_compliance_monthly',
        'kpi_tickets_per_endpoint_monthly',
        'kpi_escalations_monthly',
        'kpi_proactive_it_monthly',
        'kpi_service_review_monthly',
        'kpi_service_review_quarterly',
    ] %}
    {% for mart in monthly_marts %}
        select
            '{{ mart }}' as mart,
            'tickets_created' as measure,
            client_id,
            sum(tickets_created_count) as reported_count
        from {{ ref(mart) }}
        group by client_id

        union all
    {% endfor %}

    select
        'kpi_service_review_periods:' || period_type as mart,
        'tickets_created' as measure,
        client_id,
        sum(tickets_created_count) as reported_count
    from {{ ref('kpi_service_review_periods') }}
    group by period_type, client_id

    union all

    select
        'kpi_service_review_periods:' || period_type as mart,
        'tickets_resolved' as measure,
        client_id,
        sum(tickets_resolved_count) as reported_count
    from {{ ref('kpi_service_review_periods') }}
    group by period_type, client_id

    union all

    select
        'kpi_service_review_periods:' || period_type as mart,
        'csat_responses' as measure,
        client_id,
        sum(csat_response_count) as reported_count
    from {{ ref('kpi_service_review_periods') }}
    group by period_type, client_id

    union all

    select
        'kpi_csat_monthly' as mart,
        'csat_responses' as measure,
        client_id,
        sum(csat_response_count) as reported_count
    from {{ ref('kpi_csat_monthly') }}
    group by client_id

    union all

    select
        'kpi_proactive_it_monthly' as mart,
        'rmm_alerts' as measure,
        client_id,
        sum(rmm_alert_count) as reported_count
    from {{ ref('kpi_proactive_it_monthly') }}
    group by client_id

),

marts as (

    select distinct
        mart,
        measure
    from reported

),

-- every mart against every client with an expected count, and every client a mart reports
compared as (

    select
        marts.mart,
        marts.measure,
        expected.client_id,
        expected.expected_count,
        coalesce(reported.reported_count, 0) as reported_count
    from marts
    inner join expected
        on marts.measure = expected.measure
    left join reported
        on
            marts.mart = reported.mart
            and marts.measure = reported.measure
            and expected.client_id = reported.client_id

    union all

    select
        reported.mart,
        reported.measure,
        reported.client_id,
        0 as expected_count,
        reported.reported_count
    from reported
    left join expected
        on
            reported.measure = expected.measure
            and reported.client_id = expected.client_id
    where expected.client_id is null

)

select *
from compared
where expected_count <> reported_count
