{#
    Customer lifetime value of every client by the seed's first method: revenue from the client
    minus its acquisition cost, and the ratio of the two (doc block kpi_customer_lifetime_value).
#}

with

acquisition_costs as (

    select * from {{ ref('int_client_acquisition_costs') }}

),

invoice_lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

client_mrr_monthly as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

window_bounds as (

    select max(month_start_on) as last_month_start_on
    from client_mrr_monthly

),

revenue_to_date as (

    select
        invoice_lines.client_id,
        sum(invoice_lines.line_amount) as invoiced_revenue_amount,
        min(invoice_lines.invoiced_on) as first_invoiced_on
    from invoice_lines
    cross join window_bounds
    where invoice_lines.month_start_on <= window_bounds.last_month_start_on
    group by invoice_lines.client_id

),

mrr_history as (

    select
        client_mrr_monthly.client_id,
        sum(case when client_mrr_monthly.is_paying then 1 else 0 end) as paying_month_count,
        max(
            case
                when client_mrr_monthly.month_start_on = window_bounds.last_month_start_on
                    then client_mrr_monthly.mrr_amount
            end
        ) as last_month_mrr_amount
    from client_mrr_monthly
    cross join window_bounds
    group by client_mrr_monthly.client_id

),

joined as (

    select
        acquisition_costs.client_id,
        acquisition_costs.won_source,
        acquisition_costs.reporting_currency,
        acquisition_costs.won_on,
        acquisition_costs.won_month_start_on,
        acquisition_costs.acquisition_cost_amount,
        acquisition_costs.has_acquisition_cost,
        revenue_to_date.first_invoiced_on,
        coalesce(revenue_to_date.invoiced_revenue_amount, 0) as invoiced_revenue_amount,
        coalesce(mrr_history.paying_month_count, 0) as paying_month_count,
        coalesce(mrr_history.last_month_mrr_amount, 0) as last_month_mrr_amount
    from acquisition_costs
    left join revenue_to_date
        on acquisition_costs.client_id = revenue_to_date.client_id
    left join mrr_history
        on acquisition_costs.client_id = mrr_history.client_id

),

measured as (

    select
        joined.*,
        -- method (a): null when the acquisition cost is unknown (won before the CRM's cost history)
        joined.invoiced_revenue_amount - joined.acquisition_cost_amount as lifetime_value_amount,
        {{ safe_divide(
            'joined.invoiced_revenue_amount - joined.acquisition_cost_amount',
            'joined.acquisition_cost_amount',
        ) }} as clv_to_cac_ratio
    from joined

),

final as (

    select
        -- ids
        measured.client_id,

        -- attributes
        measured.won_source,
        measured.reporting_currency,

        -- dates
        measured.won_on,
        measured.won_month_start_on,
        measured.first_invoiced_on,
        cast({{ dbt.last_day('window_bounds.last_month_start_on', 'month') }} as date) as measured_through_on,

        -- amounts, in the reporting currency
        cast(measured.invoiced_revenue_amount as {{ type_double() }}) as invoiced_revenue_amount,
        cast(measured.acquisition_cost_amount as {{ type_double() }}) as acquisition_cost_amount,
        cast(measured.lifetime_value_amount as {{ type_double() }}) as lifetime_value_amount,
        cast(measured.last_month_mrr_amount as {{ type_double() }}) as last_month_mrr_amount,

        -- counts
        cast(measured.paying_month_count as bigint) as paying_month_count,

        -- ratio: numerator lifetime_value_amount, denominator acquisition_cost_amount
        measured.clv_to_cac_ratio,
        {{ benchmark_status('measured.clv_to_cac_ratio', 'clv_benchmark') }} as clv_to_cac_status,

        -- booleans
        measured.has_acquisition_cost,
        measured.last_month_mrr_amount > 0 as is_paying

    from measured
    cross join window_bounds
    left join benchmarks as clv_benchmark
        on clv_benchmark.kpi_name = 'clv_to_cac_ratio'

)

select * from final
