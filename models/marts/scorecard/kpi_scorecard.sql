{#
    The company scorecard: every KPI of the project, month by month, in one long table, with its
    numerator and denominator, its benchmark from the kpi_benchmarks catalogue (money figures
    converted into the reporting currency), its status, and last month's value (doc block
    kpi_scorecard). Each KPI is listed once below with the mart it comes from: the service-desk
    marts are per client, so the company's rate is sum(numerator) / sum(denominator) over the
    clients; company-level marts give their own value.
#}

{#- (source CTE, kpi_name, value, numerator, denominator); a value of none = numerator / denominator -#}
{%- set kpis = [
    ('sla_months', 'sla_compliance_rate', none, 'tickets_resolved_within_sla_count', 'sla_tickets_resolved_count'),
    ('sla_months', 'sla_response_compliance_rate', none, 'tickets_responded_within_sla_count', 'sla_tickets_responded_count'),
    ('sla_months', 'month_end_breached_open_ticket_count', 'month_end_breached_open_ticket_count', none, none),
    ('escalation_months', 'tickets_created_count', 'tickets_created_count', none, none),
    ('endpoint_months', 'tickets_per_endpoint', none, 'tickets_created_count', 'managed_endpoint_count'),
    ('escalation_months', 'escalation_rate', none, 'tickets_escalated_count', 'tickets_created_count'),
    ('escalation_months', 'onboarding_escalation_rate', none, 'onboarding_tickets_escalated_count', 'onboarding_tickets_created_count'),
    ('escalation_months', 'ongoing_escalation_rate', none, 'ongoing_tickets_escalated_count', 'ongoing_tickets_created_count'),
    ('review_months', 'first_contact_resolution_rate', none, 'tickets_resolved_first_contact_count', 'tickets_resolved_count'),
    ('review_months', 'mean_first_response_business_minutes', none, 'total_first_response_business_minutes', 'sla_tickets_responded_count'),
    ('review_months', 'mean_resolution_business_minutes', none, 'total_resolution_business_minutes', 'sla_tickets_resolved_count'),
    ('proactive_months', 'proactive_ticket_rate', none, 'proactive_tickets_count', 'tickets_created_count'),
    ('proactive_months', 'self_service_rate', none, 'self_service_tickets_count', 'tickets_created_count'),
    ('proactive_months', 'alert_auto_remediation_rate', none, 'alerts_auto_remediated_count', 'rmm_alert_count'),
    ('csat_months', 'csat_rate', none, 'positive_csat_response_count', 'csat_response_count'),
    ('mrr_months', 'mrr_amount', 'mrr_amount', none, none),
    ('mrr_months', 'mrr_growth_rate', 'mrr_growth_rate', 'mrr_change_amount', 'previous_mrr_amount'),
    ('mrr_months', 'net_new_mrr_amount', 'net_new_mrr_amount', none, none),
    ('mrr_months', 'paying_client_count', 'paying_client_count', none, none),
    ('mrr_months', 'arpa_amount', 'arpa_amount', 'mrr_amount', 'paying_client_count'),
    ('mrr_months', 'recurring_revenue_share_rate', 'recurring_revenue_share_rate', 'recurring_invoiced_amount', 'invoiced_amount'),
    ('churn_trailing', 'client_churn_rate', 'client_churn_rate', 'churned_client_count', 'starting_client_count'),
    ('churn_months', 'monthly_client_churn_rate', 'client_churn_rate', 'churned_client_count', 'starting_client_count'),
    ('churn_months', 'revenue_churn_rate', 'revenue_churn_rate', 'churned_mrr_amount', 'starting_mrr_amount'),
    ('churn_months', 'net_mrr_retention_rate', 'net_mrr_retention_rate', 'retained_mrr_amount', 'starting_mrr_amount'),
    ('lifetime_value', 'clv_to_cac_ratio', 'clv_to_cac_ratio', 'lifetime_value_amount', 'average_acquisition_cost_amount'),
    ('lifetime_value', 'lifetime_value_amount', 'lifetime_value_amount', none, none),
    ('funnel_months', 'web_conversion_rate', 'web_conversion_rate', 'lead_count', 'visitor_count'),
    ('funnel_months', 'lead_to_qualified_rate', 'lead_to_qualified_rate', 'qualified_lead_count', 'lead_count'),
    ('funnel_months', 'qualified_to_opportunity_rate', 'qualified_to_opportunity_rate', 'opportunity_count', 'qualified_lead_count'),
    ('funnel_months', 'opportunity_to_won_rate', 'opportunity_to_won_rate', 'won_client_count', 'opportunity_count'),
    ('acquisition_months', 'won_client_count', 'won_client_count', none, none),
    ('lead_cost_months', 'cost_per_lead_amount', 'cost_per_qualified_lead_amount', 'marketing_spend_amount', 'qualified_lead_count'),
    ('lead_cost_months', 'cost_per_lead_created_amount', 'cost_per_lead_amount', 'marketing_spend_amount', 'lead_count'),
    ('acquisition_months', 'client_acquisition_cost_amount', 'client_acquisition_cost_amount', 'acquisition_cost_amount', 'won_client_count'),
    ('turnover_trailing', 'employee_turnover_rate', 'employee_turnover_rate', 'departure_count', 'average_headcount'),
    ('turnover_trailing', 'voluntary_turnover_rate', 'voluntary_turnover_rate', 'voluntary_departure_count', 'average_headcount'),
    ('technician_turnover', 'technician_turnover_rate', 'technician_turnover_rate', 'technician_departure_count', 'average_technician_headcount'),
    ('hire_months', 'cost_per_hire_amount', 'cost_per_hire_amount', 'recruiting_cost_amount', 'hire_count'),
    ('technician_months', 'technician_satisfaction_score', 'mean_overall_survey_score', 'overall_survey_score_sum', 'overall_survey_response_count'),
    ('technician_months', 'mean_pulse_score', 'mean_pulse_score', 'pulse_score_sum', 'pulse_response_count'),
    ('technician_months', 'pulse_response_rate', 'pulse_response_rate', 'responding_technician_week_count', 'technician_week_count'),
    ('technician_months', 'low_pulse_response_rate', 'low_pulse_response_rate', 'low_pulse_response_count', 'pulse_response_count'),
    ('relationship_nps_months', 'relationship_net_promoter_score', 'net_promoter_score', 'net_promoter_count', 'nps_response_count'),
    ('onboarding_nps_months', 'onboarding_net_promoter_score', 'net_promoter_score', 'net_promoter_count', 'nps_response_count'),
    ('onboarding_nps_months', 'onboarding_overall_rating', 'mean_overall_rating', 'overall_rating_sum', 'overall_rating_response_count'),
    ('onboarding_nps_months', 'onboarding_effort_score', 'mean_effort_score', 'effort_score_sum', 'effort_response_count'),
] -%}

with

catalogue as (

    select * from {{ ref('kpi_benchmarks') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

sla_compliance as (

    select * from {{ ref('kpi_sla_compliance_monthly') }}

),

escalations as (

    select * from {{ ref('kpi_escalations_monthly') }}

),

tickets_per_endpoint as (

    select * from {{ ref('kpi_tickets_per_endpoint_monthly') }}

),

service_reviews as (

    select * from {{ ref('kpi_service_review_monthly') }}

),

proactive_it as (

    select * from {{ ref('kpi_proactive_it_monthly') }}

),

csat as (

    select * from {{ ref('kpi_csat_monthly') }}

),

mrr_months as (

    select * from {{ ref('kpi_mrr_monthly') }}

),

churn_months as (

    select * from {{ ref('kpi_churn_monthly') }}

),

churn_trailing as (

    select
        *,
        'trailing_12_months' as value_period,
        is_window_complete as is_period_complete
    from {{ ref('kpi_client_churn_trailing_year') }}

),

lifetime_value_overall as (

    select * from {{ ref('kpi_customer_lifetime_value_overall') }}

),

funnel_months as (

    select * from {{ ref('kpi_funnel_monthly') }}
    where channel = 'all'

),

lead_cost_months as (

    select * from {{ ref('kpi_cost_per_lead_monthly') }}
    where channel = 'all'

),

acquisition_months as (

    select * from {{ ref('kpi_client_acquisition_cost_monthly') }}

),

turnover_trailing as (

    select
        *,
        'trailing_12_months' as value_period,
        is_window_complete as is_period_complete
    from {{ ref('kpi_employee_turnover_trailing_year') }}
    where department = 'all'

),

technician_turnover as (

    select
        *,
        'trailing_12_months' as value_period,
        is_window_complete as is_period_complete
    from {{ ref('kpi_turnover_vs_satisfaction') }}

),

hire_months as (

    select
        *,
        period_start_on as month_start_on
    from {{ ref('kpi_cost_per_hire') }}
    where period_type = 'month'

),

technician_months as (

    select
        *,
        period_start_on as month_start_on
    from {{ ref('kpi_technician_satisfaction') }}
    where period_type = 'month'

),

nps_months as (

    select * from {{ ref('kpi_nps_monthly') }}

),

maturity_assessments as (

    select * from {{ ref('kpi_maturity_assessment') }}

),

reporting as (

    select max(reporting_currency) as reporting_currency
    from fx_rates_monthly

),

-- the service desk, from the client marts: numerators and denominators added up over clients
sla_months as (

    select
        month_start_on,
        sum(tickets_resolved_within_sla_count) as tickets_resolved_within_sla_count,
        sum(sla_tickets_resolved_count) as sla_tickets_resolved_count,
        sum(tickets_responded_within_sla_count) as tickets_responded_within_sla_count,
        sum(sla_tickets_responded_count) as sla_tickets_responded_count,
        sum(month_end_breached_open_ticket_count) as month_end_breached_open_ticket_count
    from sla_compliance
    group by 1

),

escalation_months as (

    select
        month_start_on,
        sum(tickets_created_count) as tickets_created_count,
        sum(tickets_escalated_count) as tickets_escalated_count,
        sum(onboarding_tickets_escalated_count) as onboarding_tickets_escalated_count,
        sum(onboarding_tickets_created_count) as onboarding_tickets_created_count,
        sum(ongoing_tickets_escalated_count) as ongoing_tickets_escalated_count,
        sum(ongoing_tickets_created_count) as ongoing_tickets_created_count
    from escalations
    group by 1

),

-- every ticket of the month over every endpoint managed at its end (a client whose endpoints are
-- all retired still adds its tickets)
endpoint_months as (

    select
        month_start_on,
        sum(tickets_created_count) as tickets_created_count,
        sum(managed_endpoint_count) as managed_endpoint_count
    from tickets_per_endpoint
    group by 1

),

review_months as (

    select
        period_start_on as month_start_on,
        sum(tickets_resolved_first_contact_count) as tickets_resolved_first_contact_count,
        sum(tickets_resolved_count) as tickets_resolved_count,
        sum(total_first_response_business_minutes) as total_first_response_business_minutes,
        sum(sla_tickets_responded_count) as sla_tickets_responded_count,
        sum(total_resolution_business_minutes) as total_resolution_business_minutes,
        sum(sla_tickets_resolved_count) as sla_tickets_resolved_count
    from service_reviews
    group by 1

),

proactive_months as (

    select
        month_start_on,
        sum(proactive_tickets_count) as proactive_tickets_count,
        sum(self_service_tickets_count) as self_service_tickets_count,
        sum(tickets_created_count) as tickets_created_count,
        sum(alerts_auto_remediated_count) as alerts_auto_remediated_count,
        sum(rmm_alert_count) as rmm_alert_count
    from proactive_it
    group by 1

),

csat_months as (

    select
        month_start_on,
        sum(positive_csat_response_count) as positive_csat_response_count,
        sum(csat_response_count) as csat_response_count
    from csat
    group by 1

),

-- computed once, over the trailing year to the last complete month: shown in that month only
lifetime_value as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'measured_through_on') }} as date) as month_start_on,
        'trailing_12_months' as value_period,
        {{ dbt.datediff('trailing_year_start_on', 'measured_through_on', 'month') }}
        = 11 as is_period_complete
    from lifetime_value_overall

),

relationship_nps_months as (

    select
        *,
        promoter_count - detractor_count as net_promoter_count
    from nps_months
    where survey_type = 'relationship'

),

onboarding_nps_months as (

    select
        *,
        promoter_count - detractor_count as net_promoter_count
    from nps_months
    where survey_type = 'onboarding'

),

monthly_values as (

    {% for source, kpi_name, value, numerator, denominator in kpis -%}
        select
            month_start_on,
            '{{ kpi_name }}' as kpi_name,
            {% if source in ('churn_trailing', 'turnover_trailing', 'technician_turnover', 'lifetime_value') -%}
                value_period,
                is_period_complete,
            {%- else -%}
                'month' as value_period,
                cast(null as boolean) as is_period_complete,
            {%- endif %}
            cast({{ value or safe_divide(numerator, denominator) }} as {{ type_double() }}) as kpi_value,
            cast({{ numerator or 'null' }} as {{ type_double() }}) as numerator,
            cast({{ denominator or 'null' }} as {{ type_double() }}) as denominator
        from {{ source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

scorecard_months as (

    select distinct month_start_on
    from monthly_values

),

-- the maturity score in force: the latest assessment on or before the month's last day
maturity_in_force as (

    select
        scorecard_months.month_start_on,
        maturity_assessments.overall_score,
        maturity_assessments.is_assessment_complete,
        row_number() over (
            partition by scorecard_months.month_start_on
            order by maturity_assessments.assessed_on desc, maturity_assessments.assessment_id desc
        ) as recency_rank
    from scorecard_months
    inner join maturity_assessments
        on maturity_assessments.assessed_on <= {{ dbt.last_day('scorecard_months.month_start_on', 'month') }}

),

kpi_values as (

    select * from monthly_values

    union all

    select
        month_start_on,
        'maturity_overall_score' as kpi_name,
        'latest_assessment' as value_period,
        is_assessment_complete as is_period_complete,
        cast(overall_score as {{ type_double() }}) as kpi_value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from maturity_in_force
    where recency_rank = 1

),

-- a month is complete once the as-of time has reached the next month
dated_values as (

    select
        kpi_values.*,
        cast({{ dbt.dateadd('month', 1, 'kpi_values.month_start_on') }} as timestamp) <= {{ as_of_timestamp() }}
            as is_month_complete
    from kpi_values

),

reporting_month as (

    select max(month_start_on) as month_start_on
    from dated_values
    where is_month_complete

),

converted_benchmarks as (

    {{ benchmarks_in_reporting_currency('catalogue', 'fx_rates_monthly') }}

),

-- the KPI's row of the catalogue, and the row whose figures judge it (its own, unless it names
-- another in benchmark_kpi_name); money figures in the reporting currency of the month
judged as (

    select
        dated_values.month_start_on,
        dated_values.kpi_name,
        dated_values.value_period,
        dated_values.kpi_value,
        dated_values.numerator,
        dated_values.denominator,
        coalesce(dated_values.is_period_complete, dated_values.is_month_complete) as is_period_complete,
        dated_values.is_month_complete,
        catalogue.kpi_label_en,
        catalogue.kpi_label_fr,
        catalogue.kpi_area,
        catalogue.display_order,
        catalogue.unit,
        catalogue.direction,
        catalogue.source_model,
        catalogue.source_column,
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.benchmark_currency as seed_benchmark_currency,
        {{ benchmark_figure('minimum_value', 'benchmark', 'converted_benchmarks') }} as minimum_value,
        {{ benchmark_figure('target_value', 'benchmark', 'converted_benchmarks') }} as target_value,
        {{ benchmark_figure('best_in_class_value', 'benchmark', 'converted_benchmarks') }} as best_in_class_value
    from dated_values
    left join catalogue
        on dated_values.kpi_name = catalogue.kpi_name
    left join catalogue as benchmark
        on coalesce(catalogue.benchmark_kpi_name, catalogue.kpi_name) = benchmark.kpi_name
    left join converted_benchmarks
        on
            benchmark.kpi_name = converted_benchmarks.kpi_name
            and dated_values.month_start_on = converted_benchmarks.month_start_on

),

final as (

    select
        -- dates
        judged.month_start_on,

        -- the KPI (kpi_benchmarks)
        judged.kpi_name,
        judged.kpi_label_en,
        judged.kpi_label_fr,
        judged.kpi_area,
        cast(judged.display_order as {{ dbt.type_int() }}) as display_order,
        judged.unit,
        judged.direction,
        judged.value_period,

        -- value
        judged.kpi_value,
        judged.numerator,
        judged.denominator,
        case when judged.unit = 'amount' then reporting.reporting_currency end as currency,

        -- benchmark, in the KPI's unit (money in the reporting currency)
        judged.benchmark_kpi_name,
        judged.seed_benchmark_currency,
        judged.minimum_value as benchmark_minimum_value,
        judged.target_value as benchmark_target_value,
        judged.best_in_class_value as benchmark_best_in_class_value,
        -- a month to date, or a window shorter than its period, is never judged
        case
            when judged.is_period_complete then {{ benchmark_status('judged.kpi_value', 'judged') }}
        end as benchmark_status,

        -- against the previous calendar month
        previous_month.kpi_value as previous_kpi_value,
        judged.kpi_value - previous_month.kpi_value as kpi_value_change,
        {{ kpi_trend('judged.kpi_value - previous_month.kpi_value', 'judged.direction') }} as trend,

        -- lineage
        judged.source_model,
        judged.source_column,

        -- booleans
        judged.is_period_complete,
        judged.is_month_complete,
        coalesce(judged.month_start_on = reporting_month.month_start_on, false) as is_reporting_month

    from judged
    cross join reporting
    cross join reporting_month
    left join judged as previous_month
        on
            judged.kpi_name = previous_month.kpi_name
            and previous_month.month_start_on = cast({{ dbt.dateadd('month', -1, 'judged.month_start_on') }} as date)

)

select * from final
