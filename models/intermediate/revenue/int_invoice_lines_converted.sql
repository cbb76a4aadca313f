{#
    Every invoice line with its amount in the reporting currency, at the rate of its invoice's month
    (int_fx_rates_monthly): the invoiced revenue of the recurring share and of CLV.
#}

with

invoice_lines as (

    select * from {{ ref('stg_psa__invoice_lines') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

final as (

    select
        -- ids
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoice_lines.client_id,
        invoice_lines.agreement_id,

        -- attributes
        invoice_lines.revenue_type,
        invoice_lines.currency,
        reporting.reporting_currency,

        -- dates
        invoice_lines.invoiced_on,
        cast({{ dbt.date_trunc('month', 'invoice_lines.invoiced_on') }} as date) as month_start_on,

        -- amounts
        invoice_lines.line_amount as line_own_currency_amount,
        -- null without a rate: revenue_every_currency_has_a_rate fails the build on it
        invoice_lines.line_amount * fx_rates_monthly.rate_to_reporting as line_amount,

        -- rates
        fx_rates_monthly.rate_to_reporting,

        -- booleans
        invoice_lines.revenue_type = 'recurring' as is_recurring

    from invoice_lines
    cross join reporting
    left join fx_rates_monthly
        on
            invoice_lines.currency = fx_rates_monthly.currency
            and cast({{ dbt.date_trunc('month', 'invoice_lines.invoiced_on') }} as date)
            = fx_rates_monthly.month_start_on

)

select * from final
