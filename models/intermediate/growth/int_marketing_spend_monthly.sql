{#
    Marketing spend per month and channel in the reporting currency: a spend booked on a campaign
    takes the campaign's channel, and each amount is converted at the rate of the month it was
    booked (int_fx_rates_monthly).
#}

with

marketing_spend as (

    select * from {{ ref('stg_crm__marketing_spend') }}

),

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

converted as (

    select
        cast({{ dbt.date_trunc('month', 'marketing_spend.spent_on') }} as date) as month_start_on,
        coalesce(campaigns.channel, marketing_spend.channel) as channel,
        fx_rates_monthly.reporting_currency,
        -- a missing rate fails the test revenue_every_currency_has_a_rate
        marketing_spend.spend_amount * fx_rates_monthly.rate_to_reporting as spend_reporting_amount
    from marketing_spend
    left join campaigns
        on marketing_spend.campaign_id = campaigns.campaign_id
    left join fx_rates_monthly
        on
            marketing_spend.currency = fx_rates_monthly.currency
            and cast({{ dbt.date_trunc('month', 'marketing_spend.spent_on') }} as date)
            = fx_rates_monthly.month_start_on

),

final as (

    select
        -- dates
        month_start_on,

        -- attributes
        channel,
        max(reporting_currency) as reporting_currency,

        -- amounts
        count(*) as spend_line_count,
        sum(spend_reporting_amount) as marketing_spend_amount

    from converted
    group by 1, 2

)

select * from final
