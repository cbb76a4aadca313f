{#
    The money benchmarks of the kpi_benchmarks seed (benchmark_currency set: USD in the seeds)
    converted into the reporting currency at each month's rate of int_fx_rates_monthly, as a
    complete select statement to wrap in a CTE: one row per KPI and month with a rate for its
    benchmark currency. A month without a rate has no row, so a left join leaves the figures (and
    the status) null: amounts in two currencies are never compared. The one conversion used by
    kpi_cost_per_lead_monthly, kpi_cost_per_hire and the scorecard.
#}
{% macro benchmarks_in_reporting_currency(benchmarks, fx_rates, kpi_name=none) -%}
    select
        {{ benchmarks }}.kpi_name,
        {{ benchmarks }}.direction,
        {{ fx_rates }}.month_start_on,
        {{ benchmarks }}.minimum_value * {{ fx_rates }}.rate_to_reporting as minimum_value,
        {{ benchmarks }}.target_value * {{ fx_rates }}.rate_to_reporting as target_value,
        {{ benchmarks }}.best_in_class_value * {{ fx_rates }}.rate_to_reporting as best_in_class_value
    from {{ benchmarks }}
    inner join {{ fx_rates }}
        on {{ benchmarks }}.benchmark_currency = {{ fx_rates }}.currency
    {%- if kpi_name %}
        where {{ benchmarks }}.kpi_name = {{ dbt.string_literal(kpi_name) }}
    {%- endif %}
{%- endmacro %}
