{#
    One figure (minimum_value, target_value or best_in_class_value) of the kpi_benchmarks row that
    judges a KPI, in the unit of the KPI: the seed's own figure, or for a money benchmark
    (benchmark_currency set) the figure converted into the reporting currency at the month's rate
    (a row of benchmarks_in_reporting_currency, null when the month has no rate). The scorecards'
    three benchmark columns.
#}
{% macro benchmark_figure(figure, benchmark, converted) -%}
    cast(
        case
            when {{ benchmark }}.benchmark_currency is null then {{ benchmark }}.{{ figure }}
            else {{ converted }}.{{ figure }}
        end as {{ type_double() }}
    )
{%- endmacro %}
