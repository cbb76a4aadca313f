{#
    Customer lifetime value of the MSP by both methods of seed 002 and its ratio to the average
    acquisition cost, over the trailing year (doc block kpi_customer_lifetime_value_overall).
#}

with

client_lifetime_values as (

    select * from {{ ref('kpi_customer_lifetime_value') }}

),

client_mrr_monthly as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

churn_monthly as (

    select * from {{ ref('kpi_churn_monthly') }}

),

client_mrr_history as (

    select * from {{ ref('int_client_mrr_monthly') }}

),

invoice_lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

-- the trailing year: the twelve months to the last complete month (fewer when the window is shorter)
trailing_year as (

    select
        case
            when cast({{ dbt.dateadd('month', -11, 'max(month_start_on)') }} as date) > min(month_start_on)
                then cast({{ dbt.dateadd('month', -11, 'max(month_start_on)') }} as date)
            else min(month_start_on)
        end as first_month_start_on,
        max(month_start_on) as last_month_start_on
    from churn_monthly

),

-- method (b), revenue: invoiced revenue per client-year of the trailing year
trailing_year_revenue as (

    select sum(invoice_lines.line_amount) as trailing_year_revenue_amount
    from invoice_lines
    cross join trailing_year
    where
        invoice_lines.month_start_on >= trailing_year.first_month_start_on
        and invoice_lines.month_start_on <= trailing_year.last_month_start_on

),

-- a client counts in a month when it pays MRR at the month's end or is invoiced in the month
active_client_months as (

    select
        client_mrr_monthly.client_id,
        client_mrr_monthly.month_start_on
    from client_mrr_monthly
    cross join trailing_year
    where
        client_mrr_monthly.is_paying
        and client_mrr_monthly.month_start_on >= trailing_year.first_month_start_on
        and client_mrr_monthly.month_start_on <= trailing_year.last_month_start_on

    union

    select
        invoice_lines.client_id,
        invoice_lines.month_start_on
    from invoice_lines
    cross join trailing_year
    where
        invoice_lines.month_start_on >= trailing_year.first_month_start_on
        and invoice_lines.month_start_on <= trailing_year.last_month_start_on

),

active_client_years as (

    select count(*) / 12.0 as active_client_years
    from active_client_months

),

-- method (b), lifetime: churn events per client-year at risk (clients paying at a month's start)
trailing_year_churn as (

    select
        sum(churn_monthly.starting_client_count) / 12.0 as at_risk_client_years,
        sum(churn_monthly.churned_client_count) as churned_client_count
    from churn_monthly
    cross join trailing_year
    where
        churn_monthly.month_start_on >= trailing_year.first_month_start_on
        and churn_monthly.month_start_on <= trailing_year.last_month_start_on

),

-- method (a): revenue to date minus acquisition cost, over the clients whose cost is known
revenue_method as (

    select
        count(*) as costed_client_count,
        sum(invoiced_revenue_amount) as costed_client_revenue_amount,
        sum(acquisition_cost_amount) as acquisition_cost_amount
    from client_lifetime_values
    where has_acquisition_cost

),

-- for reference only: the clients that churned in the window and are not back at its end, with
-- their months with MRR over the whole agreement history (their observed lifetime)
client_histories as (

    select
        client_mrr_history.client_id,
        sum(case when client_mrr_history.is_paying then 1 else 0 end) as paying_month_count,
        max(
            case
                when client_mrr_history.is_in_revenue_window and client_mrr_history.change_category = 'churn'
                    then 1
                else 0
            end
        ) as has_churned_in_window,
        max(
            case
                when client_mrr_history.month_start_on = trailing_year.last_month_start_on
                    then client_mrr_history.mrr_own_currency_amount
                else 0
            end
        ) as last_month_mrr_own_currency_amount
    from client_mrr_history
    cross join trailing_year
    where client_mrr_history.month_start_on <= trailing_year.last_month_start_on
    group by client_mrr_history.client_id

),

lost_client_lifetimes as (

    select
        count(*) as lost_client_count,
        avg(paying_month_count / 12.0) as lost_client_average_lifetime_years
    from client_histories
    where has_churned_in_window = 1 and last_month_mrr_own_currency_amount = 0

),

measured as (

    select
        trailing_year.first_month_start_on,
        trailing_year.last_month_start_on,
        coalesce(trailing_year_revenue.trailing_year_revenue_amount, 0) as trailing_year_revenue_amount,
        active_client_years.active_client_years,
        {{ safe_divide(
            'trailing_year_revenue.trailing_year_revenue_amount',
            'active_client_years.active_client_years',
        ) }} as yearly_revenue_per_client_amount,
        coalesce(trailing_year_churn.at_risk_client_years, 0) as at_risk_client_years,
        coalesce(trailing_year_churn.churned_client_count, 0) as churned_client_count,
        {{ safe_divide('trailing_year_churn.churned_client_count', 'trailing_year_churn.at_risk_client_years') }}
            as annual_client_churn_rate,
        -- expected lifetime under a constant churn: client-years at risk / churn events
        {{ safe_divide('trailing_year_churn.at_risk_client_years', 'trailing_year_churn.churned_client_count') }}
            as average_lifetime_years,
        revenue_method.costed_client_count,
        revenue_method.costed_client_revenue_amount,
        revenue_method.acquisition_cost_amount,
        {{ safe_divide(
            'revenue_method.costed_client_revenue_amount - revenue_method.acquisition_cost_amount',
            'revenue_method.costed_client_count',
        ) }} as average_revenue_lifetime_value_amount,
        {{ safe_divide('revenue_method.acquisition_cost_amount', 'revenue_method.costed_client_count') }}
            as average_acquisition_cost_amount,
        lost_client_lifetimes.lost_client_count,
        lost_client_lifetimes.lost_client_average_lifetime_years
    from trailing_year
    cross join trailing_year_revenue
    cross join active_client_years
    cross join trailing_year_churn
    cross join revenue_method
    cross join lost_client_lifetimes

),

with_value as (

    select
        measured.*,
        measured.yearly_revenue_per_client_amount * measured.average_lifetime_years as lifetime_value_amount
    from measured

),

final as (

    select
        -- attributes
        reporting.reporting_currency,

        -- dates
        with_value.first_month_start_on as trailing_year_start_on,
        cast({{ dbt.last_day('with_value.last_month_start_on', 'month') }} as date) as measured_through_on,

        -- method (b): average yearly revenue per client x average lifetime in years
        cast(with_value.trailing_year_revenue_amount as {{ type_double() }}) as trailing_year_revenue_amount,
        cast(with_value.active_client_years as {{ type_double() }}) as active_client_years,
        cast(with_value.yearly_revenue_per_client_amount as {{ type_double() }}) as yearly_revenue_per_client_amount,
        cast(with_value.at_risk_client_years as {{ type_double() }}) as at_risk_client_years,
        cast(with_value.churned_client_count as bigint) as churned_client_count,
        cast(with_value.annual_client_churn_rate as {{ type_double() }}) as annual_client_churn_rate,
        cast(with_value.average_lifetime_years as {{ type_double() }}) as average_lifetime_years,
        cast(with_value.lifetime_value_amount as {{ type_double() }}) as lifetime_value_amount,

        -- method (a): revenue to date minus acquisition cost, clients with a known cost
        cast(with_value.costed_client_count as bigint) as costed_client_count,
        cast(with_value.costed_client_revenue_amount as {{ type_double() }}) as costed_client_revenue_amount,
        cast(with_value.acquisition_cost_amount as {{ type_double() }}) as acquisition_cost_amount,
        cast(with_value.average_revenue_lifetime_value_amount as {{ type_double() }})
            as average_revenue_lifetime_value_amount,

        -- ratio: numerator lifetime_value_amount (method b), denominator average_acquisition_cost_amount
        cast(with_value.average_acquisition_cost_amount as {{ type_double() }}) as average_acquisition_cost_amount,
        {{ safe_divide('with_value.lifetime_value_amount', 'with_value.average_acquisition_cost_amount') }}
            as clv_to_cac_ratio,
        {{ benchmark_status(
            safe_divide('with_value.lifetime_value_amount', 'with_value.average_acquisition_cost_amount'),
            'clv_benchmark',
        ) }} as clv_to_cac_status,

        -- reference: observed lifetime of the clients lost for good (not used above)
        cast(with_value.lost_client_count as bigint) as lost_client_count,
        cast(with_value.lost_client_average_lifetime_years as {{ type_double() }}) as lost_client_average_lifetime_years

    from with_value
    cross join reporting
    left join benchmarks as clv_benchmark
        on clv_benchmark.kpi_name = 'clv_to_cac_ratio'

)

select * from final
