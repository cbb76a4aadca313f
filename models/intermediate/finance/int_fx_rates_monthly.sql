{#
    The exchange rate of every currency and month into the reporting currency: the month's rate is
    the latest rate dated in that month, else the latest earlier one (carried forward). See the doc
    block fx_rates_monthly for the rules and the join pattern.
#}
{%- set configured_reporting_currency = var('reporting_currency', '') | trim | upper -%}
{%- set configured_fx_rates_currency = var('fx_rates_currency', '') | trim | upper -%}

with

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

clients as (

    select * from {{ ref('stg_psa__clients') }}

),

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

invoice_lines as (

    select * from {{ ref('stg_psa__invoice_lines') }}

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

reporting as (

    {% if configured_reporting_currency %}
        select {{ dbt.string_literal(dbt.escape_single_quotes(configured_reporting_currency)) }} as reporting_currency
    {% else %}
        -- the currency most clients are billed in; a tie goes to the first code in alphabetical order
        select currency as reporting_currency
        from clients
        group by currency
        order by count(*) desc, currency asc
        limit 1
    {% endif %}

),

settings as (

    select
        reporting_currency,
        -- the currency the fx_rates extract quotes into (the contract: the reporting currency)
        {% if configured_fx_rates_currency %}
            {{ dbt.string_literal(dbt.escape_single_quotes(configured_fx_rates_currency)) }}
        {% else %}
            reporting_currency
        {% endif %} as quote_currency
    from reporting

),

-- every day an amount or a rate is dated: the months of the model cover them all
dated_days as (

    select started_on as dated_on from agreements
    union all
    select invoiced_on as dated_on from invoice_lines
    union all
    select spent_on as dated_on from marketing_spend
    union all
    select incurred_on as dated_on from sales_costs
    union all
    select incurred_on as dated_on from recruiting_costs
    union all
    select rate_on as dated_on from fx_rates

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(dated_on)') }} as date) as first_month_start_on,
        cast({{ dbt.date_trunc('month', 'greatest(max(dated_on), ' ~ as_of_date() ~ ')') }} as date)
            as last_month_start_on
    from dated_days

),

months as (

    {{ month_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

-- the latest rate dated in each month, per currency of the extract
rates_ranked_in_month as (

    select
        currency,
        rate_on,
        rate_to_reporting as rate_to_quote,
        cast({{ dbt.date_trunc('month', 'rate_on') }} as date) as month_start_on,
        row_number() over (
            partition by currency, {{ dbt.date_trunc('month', 'rate_on') }}
            order by rate_on desc
        ) as recency_rank
    from fx_rates

),

rates_in_month as (

    select
        currency,
        month_start_on,
        rate_on,
        rate_to_quote
    from rates_ranked_in_month
    where recency_rank = 1

),

quoted_currencies as (

    select distinct currency
    from fx_rates

),

quoted_currency_months as (

    select
        quoted_currencies.currency,
        months.month_start_on
    from quoted_currencies
    cross join months

),

-- the month whose rate applies: this month's if it has one, else the latest earlier month's
applicable_rate_months as (

    select
        quoted_currency_months.currency,
        quoted_currency_months.month_start_on,
        max(rates_in_month.month_start_on) over (
            partition by quoted_currency_months.currency
            order by quoted_currency_months.month_start_on
            rows between unbounded preceding and current row
        ) as rate_month_start_on
    from quoted_currency_months
    left join rates_in_month
        on
            quoted_currency_months.currency = rates_in_month.currency
            and quoted_currency_months.month_start_on = rates_in_month.month_start_on

),

-- rates into the extract's quote currency; months before a currency's first rate have no row
quoted_rates as (

    select
        applicable_rate_months.currency,
        applicable_rate_months.month_start_on,
        rates_in_month.rate_to_quote,
        rates_in_month.rate_on,
        applicable_rate_months.rate_month_start_on < applicable_rate_months.month_start_on
            as is_rate_carried_forward
    from applicable_rate_months
    inner join rates_in_month
        on
            applicable_rate_months.currency = rates_in_month.currency
            and applicable_rate_months.rate_month_start_on = rates_in_month.month_start_on
    cross join settings
    -- the quote currency's own rate is 1 by definition (test revenue_fx_rates_quote_currency_is_one)
    where applicable_rate_months.currency <> settings.quote_currency

    union all

    select
        settings.quote_currency as currency,
        months.month_start_on,
        1.0 as rate_to_quote,
        cast(null as date) as rate_on,
        false as is_rate_carried_forward
    from months
    cross join settings

),

-- rebased through the reporting currency's own rate: a no-op when the extract quotes into it
rebased_rates as (

    select
        quoted_rates.currency,
        quoted_rates.month_start_on,
        quoted_rates.rate_to_quote / reporting_rates.rate_to_quote as rate_to_reporting,
        case
            when quoted_rates.rate_on is null then reporting_rates.rate_on
            when reporting_rates.rate_on is null then quoted_rates.rate_on
            else least(quoted_rates.rate_on, reporting_rates.rate_on)
        end as rate_on,
        quoted_rates.is_rate_carried_forward or reporting_rates.is_rate_carried_forward
            as is_rate_carried_forward
    from quoted_rates
    cross join settings
    inner join quoted_rates as reporting_rates
        on
            settings.reporting_currency = reporting_rates.currency
            and quoted_rates.month_start_on = reporting_rates.month_start_on
    where quoted_rates.currency <> settings.reporting_currency

    union all

    select
        settings.reporting_currency as currency,
        months.month_start_on,
        1.0 as rate_to_reporting,
        cast(null as date) as rate_on,
        false as is_rate_carried_forward
    from months
    cross join settings

),

final as (

    select
        -- attributes
        rebased_rates.currency,
        settings.reporting_currency,

        -- dates
        rebased_rates.month_start_on,
        months.month_end_on,
        rebased_rates.rate_on,

        -- rates
        cast(rebased_rates.rate_to_reporting as {{ type_double() }}) as rate_to_reporting,

        -- booleans
        rebased_rates.is_rate_carried_forward

    from rebased_rates
    inner join months
        on rebased_rates.month_start_on = months.month_start_on
    cross join settings

)

select * from final
