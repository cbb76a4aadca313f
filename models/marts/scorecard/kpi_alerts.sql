{#
    What needs a human, month by month (doc block kpi_alerts): a client whose escalation rate
    reaches var escalation_alert_rate, a client or the company under the SLA target, a client that
    churned, turnover over the healthy rate (var turnover_healthy_rate), and every other company KPI
    below its target. Complete months only: a month to date is never judged.
#}

with

scorecard as (

    select * from {{ ref('kpi_scorecard') }}

),

client_scorecard as (

    select * from {{ ref('kpi_client_scorecard') }}

),

escalations as (

    select * from {{ ref('kpi_escalations_monthly') }}

),

client_mrr as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

catalogue as (

    select * from {{ ref('kpi_benchmarks') }}

),

reporting_month as (

    select max(month_start_on) as month_start_on
    from scorecard
    where is_reporting_month

),

-- a client's month whose escalation rate reaches the threshold (kpi_escalations_monthly's flag)
escalation_alerts as (

    select
        month_start_on,
        'client_escalation_rate' as alert_type,
        'warning' as severity,
        client_id,
        'escalation_rate' as kpi_name,
        escalation_rate as kpi_value,
        escalation_alert_threshold_rate as threshold_value,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(tickets_escalated_count as {{ dbt.type_string() }}) || ' of '
        || cast(tickets_created_count as {{ dbt.type_string() }}) || ' tickets escalated ('
        || {{ format_kpi_value('escalation_rate', "'rate'") }} || '), at or above the alert threshold of '
        || {{ format_kpi_value('escalation_alert_threshold_rate', "'rate'") }} as detail
    from escalations
    where is_escalation_alert and is_month_complete

),

client_sla_alerts as (

    select
        month_start_on,
        'client_sla_below_target' as alert_type,
        'warning' as severity,
        client_id,
        kpi_name,
        kpi_value,
        {{ benchmark_pass_value(
            'direction', 'benchmark_minimum_value', 'benchmark_target_value', 'benchmark_best_in_class_value'
        ) }} as threshold_value,
        cast(null as {{ dbt.type_string() }}) as currency,
        'SLA compliance: ' || {{ format_kpi_value('kpi_value', "'rate'") }} || ' ('
        || cast(cast(numerator as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || ' of '
        || cast(cast(denominator as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        || ' tickets resolved within SLA), under the target of '
        || {{ format_kpi_value(
            benchmark_pass_value(
                'direction', 'benchmark_minimum_value', 'benchmark_target_value', 'benchmark_best_in_class_value'
            ),
            "'rate'",
        ) }} as detail
    from client_scorecard
    where kpi_name = 'sla_compliance_rate' and benchmark_status = 'below_target'

),

-- MRR lost valued as kpi_mrr_monthly values it: the movement at the month's rate
churn_alerts as (

    select
        client_mrr.month_start_on,
        'client_churned' as alert_type,
        'critical' as severity,
        client_mrr.client_id,
        'mrr_amount' as kpi_name,
        -client_mrr.mrr_movement_amount as kpi_value,
        cast(null as {{ type_double() }}) as threshold_value,
        client_mrr.reporting_currency as currency,
        'churned: '
        || {{ format_kpi_value('-client_mrr.mrr_movement_amount', "'amount'", 'client_mrr.reporting_currency') }}
        || ' of MRR lost' as detail
    from client_mrr
    where client_mrr.change_category = 'churn'

),

-- the yearly turnover against the healthy rate, over complete 12-month windows
turnover_alerts as (

    select
        month_start_on,
        'turnover_above_healthy' as alert_type,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as client_id,
        kpi_name,
        kpi_value,
        {{ turnover_healthy_rate() }} as threshold_value,
        cast(null as {{ dbt.type_string() }}) as currency,
        kpi_label_en || ': ' || {{ format_kpi_value('kpi_value', "'rate'") }} || ' ('
        || cast(cast(numerator as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        || ' departures, average headcount '
        || cast({{ to_decimal('denominator', 1) }} as {{ dbt.type_string() }})
        || '), at or above the healthy rate of ' || {{ format_kpi_value(turnover_healthy_rate(), "'rate'") }} as detail
    from scorecard
    where
        kpi_name in ('employee_turnover_rate', 'technician_turnover_rate')
        and is_period_complete
        and kpi_value >= {{ turnover_healthy_rate() }}

),

-- every other company KPI below its target; SLA compliance is the service every client pays for
company_alerts as (

    select
        month_start_on,
        case when kpi_name = 'sla_compliance_rate' then 'sla_compliance_below_target' else 'kpi_below_target' end
            as alert_type,
        case when kpi_name = 'sla_compliance_rate' then 'critical' else 'warning' end as severity,
        cast(null as {{ dbt.type_string() }}) as client_id,
        kpi_name,
        kpi_value,
        {{ benchmark_pass_value(
            'direction', 'benchmark_minimum_value', 'benchmark_target_value', 'benchmark_best_in_class_value'
        ) }} as threshold_value,
        currency,
        kpi_label_en || ': ' || {{ format_kpi_value('kpi_value', 'unit', 'currency') }} || ', '
        || case when direction = 'higher_is_better' then 'under' else 'over' end || ' the target of '
        || {{ format_kpi_value(
            benchmark_pass_value(
                'direction', 'benchmark_minimum_value', 'benchmark_target_value', 'benchmark_best_in_class_value'
            ),
            'unit',
            'currency',
        ) }} as detail
    from scorecard
    where
        benchmark_status = 'below_target'
        and kpi_name not in ('employee_turnover_rate', 'technician_turnover_rate')

),

alerts as (

    select * from escalation_alerts
    union all
    select * from client_sla_alerts
    union all
    select * from churn_alerts
    union all
    select * from turnover_alerts
    union all
    select * from company_alerts

),

labelled as (

    select
        alerts.*,
        cast(extract(year from alerts.month_start_on) as {{ dbt.type_string() }}) || '-'
        || lpad(cast(extract(month from alerts.month_start_on) as {{ dbt.type_string() }}), 2, '0') as month_label,
        clients.client_name,
        catalogue.kpi_label_en,
        catalogue.unit
    from alerts
    left join clients
        on alerts.client_id = clients.client_id
    left join catalogue
        on alerts.kpi_name = catalogue.kpi_name

),

final as (

    select
        -- ids
        month_label || ':' || alert_type || ':' || coalesce(client_id, kpi_name) as alert_id,
        client_id,

        -- dates
        month_start_on,

        -- the alert
        alert_type,
        severity,
        client_name,
        kpi_name,
        kpi_label_en,
        unit,
        kpi_value,
        threshold_value,
        currency,
        case
            when client_id is not null
                then
                    coalesce(client_name, client_id) || ' (' || client_id || '), '
                    || month_label || ': ' || detail || '.'
            else month_label || ': ' || detail || '.'
        end as message,

        -- booleans
        coalesce(month_start_on = (select reporting_month.month_start_on from reporting_month), false)
            as is_reporting_month

    from labelled

)

select * from final
