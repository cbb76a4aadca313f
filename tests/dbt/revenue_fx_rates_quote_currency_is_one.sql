{#
    The fx_rates extract quotes every currency into one currency: the reporting currency (the
    extract contract), or var fx_rates_currency when it says otherwise. That currency's own rate,
    if the extract lists it, must be 1; any other value means the extract quotes into another
    currency and every converted amount would be wrong: set var fx_rates_currency to the currency
    the extract quotes into (its rates are then rebased through the reporting currency's rate).
#}
{%- set configured_fx_rates_currency = var('fx_rates_currency', '') | trim | upper -%}

with

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

quote_currency as (

    {% if configured_fx_rates_currency %}
        select {{ dbt.string_literal(dbt.escape_single_quotes(configured_fx_rates_currency)) }} as currency
    {% else %}
        select distinct reporting_currency as currency
        from fx_rates_monthly
    {% endif %}

),

final as (

    select
        fx_rates.currency,
        fx_rates.rate_on,
        fx_rates.rate_to_reporting
    from fx_rates
    inner join quote_currency
        on fx_rates.currency = quote_currency.currency
    where fx_rates.rate_to_reporting <> 1

)

select * from final
