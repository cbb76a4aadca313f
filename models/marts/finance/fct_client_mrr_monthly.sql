{#
    The MRR of every client and month of the revenue window, in its own currency and in the
    reporting currency, with its movement and the fx effect (doc blocks fct_client_mrr_monthly,
    mrr_movements and mrr_fx_effect).
#}

with

client_mrr_monthly as (

    select * from {{ ref('int_client_mrr_monthly') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

window_months as (

    select
        client_mrr_monthly.*,
        cast({{ dbt.dateadd('month', -1, 'client_mrr_monthly.month_start_on') }} as date) as previous_month_start_on
    from client_mrr_monthly
    where client_mrr_monthly.is_in_revenue_window

),

-- a missing rate leaves the row with a null amount; revenue_every_currency_has_a_rate fails on it
with_rates as (

    select
        window_months.*,
        current_rates.rate_to_reporting,
        current_rates.is_rate_carried_forward,
        previous_rates.rate_to_reporting as previous_rate_to_reporting
    from window_months
    left join fx_rates_monthly as current_rates
        on
            window_months.currency = current_rates.currency
            and window_months.month_start_on = current_rates.month_start_on
    left join fx_rates_monthly as previous_rates
        on
            window_months.currency = previous_rates.currency
            and window_months.previous_month_start_on = previous_rates.month_start_on

),

converted as (

    select
        with_rates.*,
        -- nothing to convert is 0 whatever the rate
        case
            when with_rates.mrr_own_currency_amount = 0 then 0
            else with_rates.mrr_own_currency_amount * with_rates.rate_to_reporting
        end as mrr_amount,
        case
            when with_rates.previous_mrr_own_currency_amount = 0 then 0
            else with_rates.previous_mrr_own_currency_amount * with_rates.previous_rate_to_reporting
        end as previous_mrr_amount,
        -- the movement valued at this month's rate
        case
            when with_rates.mrr_change_own_currency_amount = 0 then 0
            else with_rates.mrr_change_own_currency_amount * with_rates.rate_to_reporting
        end as mrr_movement_amount,
        -- last month's MRR revalued from last month's rate to this month's
        case
            when with_rates.previous_mrr_own_currency_amount = 0 then 0
            else
                with_rates.previous_mrr_own_currency_amount
                * (with_rates.rate_to_reporting - with_rates.previous_rate_to_reporting)
        end as fx_effect_amount
    from with_rates

),

final as (

    select
        -- ids
        converted.client_id,

        -- attributes
        converted.change_category,
        converted.currency,
        reporting.reporting_currency,

        -- dates
        converted.month_start_on,
        converted.month_end_on,

        -- amounts in the client's own currency
        cast(converted.mrr_own_currency_amount as decimal(18, 4)) as mrr_own_currency_amount,
        cast(converted.previous_mrr_own_currency_amount as decimal(18, 4)) as previous_mrr_own_currency_amount,
        cast(converted.mrr_change_own_currency_amount as decimal(18, 4)) as mrr_change_own_currency_amount,

        -- amounts in the reporting currency
        cast(converted.mrr_amount as {{ type_double() }}) as mrr_amount,
        cast(converted.previous_mrr_amount as {{ type_double() }}) as previous_mrr_amount,
        cast(converted.mrr_amount - converted.previous_mrr_amount as {{ type_double() }}) as mrr_change_amount,
        cast(converted.mrr_movement_amount as {{ type_double() }}) as mrr_movement_amount,
        cast(converted.fx_effect_amount as {{ type_double() }}) as fx_effect_amount,

        -- rates
        cast(converted.rate_to_reporting as {{ type_double() }}) as rate_to_reporting,
        cast(converted.previous_rate_to_reporting as {{ type_double() }}) as previous_rate_to_reporting,

        -- booleans
        converted.is_paying,
        converted.is_first_mrr_month,
        converted.is_rate_carried_forward

    from converted
    cross join reporting

)

select * from final
