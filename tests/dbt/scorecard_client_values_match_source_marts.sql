-- Every value of kpi_client_scorecard is its client mart's own value for the client and month (SLA
-- compliance recomputed over the priorities), and no client-month of a mart is lost or made up.
-- Where the client mart gives a status (CSAT, tickets per endpoint), the scorecard agrees with it
-- for complete months. Returns the client-KPI-months that disagree.
{% set client_columns = [
    ('tickets_created_count', 'escalations', 'tickets_created_count', none),
    ('tickets_per_endpoint', 'endpoints', 'tickets_per_endpoint', 'benchmark_status'),
    ('escalation_rate', 'escalations', 'escalation_rate', none),
    ('onboarding_escalation_rate', 'escalations', 'onboarding_escalation_rate', none),
    ('ongoing_escalation_rate', 'escalations', 'ongoing_escalation_rate', none),
    ('first_contact_resolution_rate', 'reviews', 'first_contact_resolution_rate', none),
    ('mean_first_response_business_minutes', 'reviews', 'mean_first_response_business_minutes', none),
    ('mean_resolution_business_minutes', 'reviews', 'mean_resolution_business_minutes', none),
    ('proactive_ticket_rate', 'proactive', 'proactive_ticket_rate', none),
    ('self_service_rate', 'proactive', 'self_service_rate', none),
    ('alert_auto_remediation_rate', 'proactive', 'alert_auto_remediation_rate', none),
    ('csat_rate', 'csat', 'csat_rate', 'benchmark_status'),
    ('mrr_amount', 'client_mrr', 'mrr_amount', none),
] -%}

with

client_scorecard as (

    select * from {{ ref('kpi_client_scorecard') }}

),

sla as (

    select * from {{ ref('kpi_sla_compliance_monthly') }}

),

escalations as (

    select * from {{ ref('kpi_escalations_monthly') }}

),

endpoints as (

    select * from {{ ref('kpi_tickets_per_endpoint_monthly') }}

),

reviews as (

    select
        *,
        period_start_on as month_start_on
    from {{ ref('kpi_service_review_monthly') }}

),

proactive as (

    select * from {{ ref('kpi_proactive_it_monthly') }}

),

csat as (

    select * from {{ ref('kpi_csat_monthly') }}

),

client_mrr as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

expected as (

    select
        client_id,
        month_start_on,
        'sla_compliance_rate' as kpi_name,
        cast(sum(tickets_resolved_within_sla_count) as {{ type_double() }})
        / nullif(sum(sla_tickets_resolved_count), 0) as expected_value,
        cast(null as {{ dbt.type_string() }}) as expected_status,
        false as has_expected_status
    from sla
    group by 1, 2

    union all

    select
        client_id,
        month_start_on,
        'sla_response_compliance_rate' as kpi_name,
        cast(sum(tickets_responded_within_sla_count) as {{ type_double() }})
        / nullif(sum(sla_tickets_responded_count), 0) as expected_value,
        cast(null as {{ dbt.type_string() }}) as expected_status,
        false as has_expected_status
    from sla
    group by 1, 2

    union all

    select
        client_id,
        month_start_on,
        'month_end_breached_open_ticket_count' as kpi_name,
        cast(sum(month_end_breached_open_ticket_count) as {{ type_double() }}) as expected_value,
        cast(null as {{ dbt.type_string() }}) as expected_status,
        false as has_expected_status
    from sla
    group by 1, 2

    {% for kpi_name, source, value_column, status_column in client_columns -%}
        union all

        select
            client_id,
            month_start_on,
            '{{ kpi_name }}' as kpi_name,
            cast({{ value_column }} as {{ type_double() }}) as expected_value,
            {{ status_column or 'cast(null as ' ~ dbt.type_string() ~ ')' }} as expected_status,
            {{ 'true' if status_column else 'false' }} as has_expected_status
        from {{ source }}

    {% endfor %}

),

compared as (

    select
        coalesce(client_scorecard.client_id, expected.client_id) as client_id,
        coalesce(client_scorecard.kpi_name, expected.kpi_name) as kpi_name,
        coalesce(client_scorecard.month_start_on, expected.month_start_on) as month_start_on,
        client_scorecard.kpi_value,
        expected.expected_value,
        client_scorecard.benchmark_status,
        expected.expected_status,
        coalesce(expected.has_expected_status, false) as has_expected_status,
        client_scorecard.kpi_name is null as is_missing_from_scorecard,
        expected.kpi_name is null as is_missing_from_marts,
        coalesce(client_scorecard.is_month_complete, false) as is_month_complete
    from client_scorecard
    full outer join expected
        on
            client_scorecard.client_id = expected.client_id
            and client_scorecard.kpi_name = expected.kpi_name
            and client_scorecard.month_start_on = expected.month_start_on

)

select *
from compared
where
    is_missing_from_scorecard
    or is_missing_from_marts
    or (kpi_value is null) <> (expected_value is null)
    or abs(kpi_value - expected_value) > 1e-9 * (case when abs(expected_value) > 1 then abs(expected_value) else 1 end)
    or (
        is_month_complete
        and has_expected_status
        and coalesce(benchmark_status, '') <> coalesce(expected_status, '')
    )
