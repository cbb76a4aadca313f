{#
    Client acquisition cost per month won: (marketing spend + sales costs of the month) / clients
    won in the month, as int_client_acquisition_costs defines it (one definition of the cost of a
    client: that model's).
#}

with

months as (

    select * from {{ ref('int_growth_months') }}

),

client_acquisition_costs as (

    select * from {{ ref('int_client_acquisition_costs') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

reporting as (

    select max(reporting_currency) as reporting_currency
    from fx_rates_monthly

),

won_months as (

    select
        won_month_start_on as month_start_on,
        count(*) as won_client_count,
        count(case when won_source = 'won_opportunity' then client_id end) as won_opportunity_client_count,
        -- the month's amounts are repeated on each client of the month
        max(won_month_marketing_spend_amount) as marketing_spend_amount,
        max(won_month_sales_cost_amount) as sales_cost_amount,
        sum(acquisition_cost_amount) as acquisition_cost_amount
    from client_acquisition_costs
    where has_acquisition_cost
    group by 1

),

final as (

    select
        -- dates
        months.month_start_on,

        -- clients won
        cast(coalesce(won_months.won_client_count, 0) as {{ dbt.type_bigint() }}) as won_client_count,
        cast(coalesce(won_months.won_opportunity_client_count, 0) as {{ dbt.type_bigint() }})
            as won_opportunity_client_count,

        -- costs of the month, attributed to its clients (null in a month without a client won)
        {{ to_decimal('won_months.marketing_spend_amount') }} as marketing_spend_amount,
        {{ to_decimal('won_months.sales_cost_amount') }} as sales_cost_amount,
        {{ to_decimal('won_months.acquisition_cost_amount') }} as acquisition_cost_amount,
        reporting.reporting_currency,

        -- client acquisition cost
        {{ to_decimal(safe_divide(
            'won_months.acquisition_cost_amount', 'won_months.won_client_count'
        )) }} as client_acquisition_cost_amount,

        -- booleans
        months.is_month_complete

    from months
    cross join reporting
    left join won_months
        on months.month_start_on = won_months.month_start_on

)

select * from final
