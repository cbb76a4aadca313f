-- Every value of kpi_scorecard is the value of its source mart, month by month, and nothing is
-- lost or made up: the service-desk KPIs are recomputed here from the client marts (numerators and
-- denominators added up over clients), the other KPIs read straight from their mart's column; a
-- KPI-month on one side only fails. Where the source mart gives a status of its own, the scorecard's
-- status agrees with it for complete periods (the money benchmarks converted the same way). Returns
-- the KPI-months that disagree.
{% set company_columns = [
    ('mrr_amount', 'mrr', 'month_start_on', 'mrr_amount', none),
    ('mrr_growth_rate', 'mrr', 'month_start_on', 'mrr_growth_rate', 'mrr_growth_status'),
    ('net_new_mrr_amount', 'mrr', 'month_start_on', 'net_new_mrr_amount', none),
    ('paying_client_count', 'mrr', 'month_start_on', 'paying_client_count', none),
    ('arpa_amount', 'mrr', 'month_start_on', 'arpa_amount', none),
    ('recurring_revenue_share_rate', 'mrr', 'month_start_on', 'recurring_revenue_share_rate', 'recurring_revenue_share_status'),
    ('client_churn_rate', 'churn_trailing', 'month_start_on', 'client_churn_rate', none),
    ('monthly_client_churn_rate', 'churn', 'month_start_on', 'client_churn_rate', none),
    ('revenue_churn_rate', 'churn', 'month_start_on', 'revenue_churn_rate', none),
    ('net_mrr_retention_rate', 'churn', 'month_start_on', 'net_mrr_retention_rate', none),
    ('clv_to_cac_ratio', 'lifetime_value', 'month_start_on', 'clv_to_cac_ratio', 'clv_to_cac_status'),
    ('lifetime_value_amount', 'lifetime_value', 'month_start_on', 'lifetime_value_amount', none),
    ('web_conversion_rate', 'funnel', 'month_start_on', 'web_conversion_rate', 'benchmark_status'),
    ('lead_to_qualified_rate', 'funnel', 'month_start_on', 'lead_to_qualified_rate', none),
    ('qualified_to_opportunity_rate', 'funnel', 'month_start_on', 'qualified_to_opportunity_rate', none),
    ('opportunity_to_won_rate', 'funnel', 'month_start_on', 'opportunity_to_won_rate', none),
    ('won_client_count', 'acquisition', 'month_start_on', 'won_client_count', none),
    ('cost_per_lead_amount', 'lead_cost', 'month_start_on', 'cost_per_qualified_lead_amount', 'benchmark_status'),
    ('cost_per_lead_created_amount', 'lead_cost', 'month_start_on', 'cost_per_lead_amount', none),
    ('client_acquisition_cost_amount', 'acquisition', 'month_start_on', 'client_acquisition_cost_amount', none),
    ('employee_turnover_rate', 'turnover_trailing', 'month_start_on', 'employee_turnover_rate', none),
    ('voluntary_turnover_rate', 'turnover_trailing', 'month_start_on', 'voluntary_turnover_rate', none),
    ('technician_turnover_rate', 'technician_turnover', 'month_start_on', 'technician_turnover_rate', 'benchmark_status'),
    ('cost_per_hire_amount', 'hires', 'period_start_on', 'cost_per_hire_amount', 'benchmark_status'),
    ('technician_satisfaction_score', 'technicians', 'period_start_on', 'mean_overall_survey_score', 'benchmark_status'),
    ('mean_pulse_score', 'technicians', 'period_start_on', 'mean_pulse_score', none),
    ('pulse_response_rate', 'technicians', 'period_start_on', 'pulse_response_rate', none),
    ('low_pulse_response_rate', 'technicians', 'period_start_on', 'low_pulse_response_rate', none),
    ('relationship_net_promoter_score', 'relationship_nps', 'month_start_on', 'net_promoter_score', none),
    ('onboarding_net_promoter_score', 'onboarding_nps', 'month_start_on', 'net_promoter_score', none),
    ('onboarding_overall_rating', 'onboarding_nps', 'month_start_on', 'mean_overall_rating', none),
    ('onboarding_effort_score', 'onboarding_nps', 'month_start_on', 'mean_effort_score', none),
] -%}
{#- (kpi_name, client mart, numerator expression, denominator expression), added up over clients -#}
{%- set client_sums = [
    ('sla_compliance_rate', 'sla', 'tickets_resolved_within_sla_count', 'sla_tickets_resolved_count'),
    ('sla_response_compliance_rate', 'sla', 'tickets_responded_within_sla_count', 'sla_tickets_responded_count'),
    ('month_end_breached_open_ticket_count', 'sla', 'month_end_breached_open_ticket_count', none),
    ('tickets_created_count', 'escalations', 'tickets_created_count', none),
    ('tickets_per_endpoint', 'endpoints', 'tickets_created_count', 'managed_endpoint_count'),
    ('escalation_rate', 'escalations', 'tickets_escalated_count', 'tickets_created_count'),
    ('onboarding_escalation_rate', 'escalations', 'onboarding_tickets_escalated_count', 'onboarding_tickets_created_count'),
    ('ongoing_escalation_rate', 'escalations', 'ongoing_tickets_escalated_count', 'ongoing_tickets_created_count'),
    ('first_contact_resolution_rate', 'reviews', 'tickets_resolved_first_contact_count', 'tickets_resolved_count'),
    ('mean_first_response_business_minutes', 'reviews', 'total_first_response_business_minutes', 'sla_tickets_responded_count'),
    ('mean_resolution_business_minutes', 'reviews', 'total_resolution_business_minutes', 'sla_tickets_resolved_count'),
    ('proactive_ticket_rate', 'proactive', 'proactive_tickets_count', 'tickets_created_count'),
    ('self_service_rate', 'proactive', 'self_service_tickets_count', 'tickets_created_count'),
    ('alert_auto_remediation_rate', 'proactive', 'alerts_auto_remediated_count', 'rmm_alert_count'),
    ('csat_rate', 'csat', 'positive_csat_response_count', 'csat_response_count'),
] -%}

with

scorecard as (

    select * from {{ ref('kpi_scorecard') }}

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

mrr as (

    select * from {{ ref('kpi_mrr_monthly') }}

),

churn as (

    select * from {{ ref('kpi_churn_monthly') }}

),

churn_trailing as (

    select * from {{ ref('kpi_client_churn_trailing_year') }}

),

lifetime_value as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'measured_through_on') }} as date) as month_start_on
    from {{ ref('kpi_customer_lifetime_value_overall') }}

),

funnel as (

    select * from {{ ref('kpi_funnel_monthly') }}
    where channel = 'all'

),

lead_cost as (

    select * from {{ ref('kpi_cost_per_lead_monthly') }}
    where channel = 'all'

),

acquisition as (

    select * from {{ ref('kpi_client_acquisition_cost_monthly') }}

),

turnover_trailing as (

    select * from {{ ref('kpi_employee_turnover_trailing_year') }}
    where department = 'all'

),

technician_turnover as (

    select * from {{ ref('kpi_turnover_vs_satisfaction') }}

),

hires as (

    select * from {{ ref('kpi_cost_per_hire') }}
    where period_type = 'month'

),

technicians as (

    select * from {{ ref('kpi_technician_satisfaction') }}
    where period_type = 'month'

),

relationship_nps as (

    select * from {{ ref('kpi_nps_monthly') }}
    where survey_type = 'relationship'

),

onboarding_nps as (

    select * from {{ ref('kpi_nps_monthly') }}
    where survey_type = 'onboarding'

),

assessments as (

    select * from {{ ref('kpi_maturity_assessment') }}

),

assessment_dates_in_force as (

    -- the last assessment on or before each month's end of the scorecard (a join and a max, not
    -- a correlated subquery in the join condition: Spark refuses those)
    select
        months.month_start_on,
        max(assessments.assessed_on) as assessed_on
    from (select distinct month_start_on from scorecard) as months
    inner join assessments
        on assessments.assessed_on <= {{ dbt.last_day('months.month_start_on', 'month') }}
    group by 1

),

expected as (

    {% for kpi_name, source, numerator, denominator in client_sums -%}
        select
            month_start_on,
            '{{ kpi_name }}' as kpi_name,
            {% if denominator -%}
                cast(sum({{ numerator }}) as {{ type_double() }}) / nullif(sum({{ denominator }}), 0)
            {%- else -%}
                cast(sum({{ numerator }}) as {{ type_double() }})
            {%- endif %} as expected_value,
            cast(null as {{ dbt.type_string() }}) as expected_status,
            false as has_expected_status
        from {{ source }}
        group by 1

        union all

    {% endfor -%}
    {% for kpi_name, source, month_column, value_column, status_column in company_columns -%}
        select
            {{ month_column }} as month_start_on,
            '{{ kpi_name }}' as kpi_name,
            cast({{ value_column }} as {{ type_double() }}) as expected_value,
            {{ status_column or 'cast(null as ' ~ dbt.type_string() ~ ')' }} as expected_status,
            {{ 'true' if status_column else 'false' }} as has_expected_status
        from {{ source }}

        union all

    {% endfor -%}
    -- the maturity assessment in force at each month's end of the scorecard
    select
        assessment_dates_in_force.month_start_on,
        'maturity_overall_score' as kpi_name,
        cast(assessments.overall_score as {{ type_double() }}) as expected_value,
        cast(null as {{ dbt.type_string() }}) as expected_status,
        false as has_expected_status
    from assessment_dates_in_force
    inner join assessments
        on assessment_dates_in_force.assessed_on = assessments.assessed_on

),

compared as (

    select
        coalesce(scorecard.kpi_name, expected.kpi_name) as kpi_name,
        coalesce(scorecard.month_start_on, expected.month_start_on) as month_start_on,
        scorecard.kpi_value,
        expected.expected_value,
        scorecard.benchmark_status,
        expected.expected_status,
        coalesce(expected.has_expected_status, false) as has_expected_status,
        scorecard.kpi_name is null as is_missing_from_scorecard,
        expected.kpi_name is null as is_missing_from_marts,
        coalesce(scorecard.is_period_complete, false) as is_period_complete
    from scorecard
    full outer join expected
        on
            scorecard.kpi_name = expected.kpi_name
            and scorecard.month_start_on = expected.month_start_on

)

select *
from compared
where
    is_missing_from_scorecard
    or is_missing_from_marts
    or (kpi_value is null) <> (expected_value is null)
    or abs(kpi_value - expected_value) > 1e-9 * (case when abs(expected_value) > 1 then abs(expected_value) else 1 end)
    or (
        is_period_complete
        and has_expected_status
        and coalesce(benchmark_status, '') <> coalesce(expected_status, '')
    )
