{#
    Every amount the warehouse converts into the reporting currency has a rate for its month in
    int_fx_rates_monthly (one dated in the month or earlier): invoice lines, the MRR of every
    client-month of the revenue window, marketing spend, sales costs and recruiting costs. A
    failing row names the currency, where its amounts are, and the first month without a rate:
    add the missing rates to the fx_rates extract (a rate dated on or before that month).
#}

with

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

invoice_lines as (

    select * from {{ ref('stg_psa__invoice_lines') }}

),

client_mrr_monthly as (

    select * from {{ ref('int_client_mrr_monthly') }}

),

marketing_spend as (

    select * from {{ ref('stg_crm__marketing_spend') }}

),

sales_costs as (

    select * from {{ ref('stg_crm__sales_costs') }}

),

recruiting_costs as (

    select * from {{ ref('stg_hr__recruiting_costs') }}

),

amount_months as (

    select
        'psa invoice_lines' as amount_source,
        currency,
        cast({{ dbt.date_trunc('month', 'invoiced_on') }} as date) as month_start_on
    from invoice_lines

    union all

    -- the previous month too: the fx effect of a month values the previous MRR at both rates
    select
        'psa agreements (mrr)' as amount_source,
        currency,
        month_start_on
    from client_mrr_monthly
    where is_in_revenue_window and (mrr_own_currency_amount <> 0 or previous_mrr_own_currency_amount <> 0)

    union all

    select
        'psa agreements (mrr, previous month)' as amount_source,
        currency,
        cast({{ dbt.dateadd('month', -1, 'month_start_on') }} as date) as month_start_on
    from client_mrr_monthly
    where is_in_revenue_window and previous_mrr_own_currency_amount <> 0

    union all

    select
        'crm marketing_spend' as amount_source,
        currency,
        cast({{ dbt.date_trunc('month', 'spent_on') }} as date) as month_start_on
    from marketing_spend

    union all

    select
        'crm sales_costs' as amount_source,
        currency,
        cast({{ dbt.date_trunc('month', 'incurred_on') }} as date) as month_start_on
    from sales_costs

    union all

    select
        'hr recruiting_costs' as amount_source,
        currency,
        cast({{ dbt.date_trunc('month', 'incurred_on') }} as date) as month_start_on
    from recruiting_costs

),

amounts_without_rate as (

    select
        amount_months.amount_source,
        amount_months.currency,
        amount_months.month_start_on
    from amount_months
    left join fx_rates_monthly
        on
            amount_months.currency = fx_rates_monthly.currency
            and amount_months.month_start_on = fx_rates_monthly.month_start_on
    where fx_rates_monthly.rate_to_reporting is null

),

final as (

    select
        currency,
        amount_source,
        min(month_start_on) as first_month_missing_on,
        count(*) as amounts_without_rate_count
    from amounts_without_rate
    group by currency, amount_source

)

select * from final
