{#
    An amount converted into the reporting currency at the rate of its month (int_fx_rates_monthly:
    the latest rate dated in the month, else the latest earlier one), as a scalar expression. Null
    when the currency has no rate on or before that month: the singular test
    revenue_every_currency_has_a_rate fails the build on such amounts of the known money extracts.
    Qualify the column arguments with their table alias (`spend.currency`): the expression is a
    correlated subquery.
#}
{% macro convert_to_reporting(amount, currency_column, date_column) -%}
    (
        {{ amount }} * (
            select fx_rates_monthly.rate_to_reporting
            from {{ ref('int_fx_rates_monthly') }} as fx_rates_monthly
            where
                fx_rates_monthly.currency = {{ currency_column }}
                and fx_rates_monthly.month_start_on = cast({{ dbt.date_trunc('month', date_column) }} as date)
        )
    )
{%- endmacro %}
