{#
    One row per month from the month of start_date to the month of end_date inclusive, in columns
    `month_start_on` (the first day) and `month_end_on` (the last day), as a complete select
    statement. start_date and end_date are SQL expressions (literals, subqueries ...); built on
    date_spine with the cross-db date_trunc and last_day, so the same SQL runs on DuckDB and
    PostgreSQL.
#}
{% macro month_spine(start_date, end_date) -%}
    select
        days.date_day as month_start_on,
        cast({{ dbt.last_day('days.date_day', 'month') }} as date) as month_end_on
    from (
        {{ date_spine(
            start_date=dbt.date_trunc('month', start_date),
            end_date=end_date,
        ) }}
    ) as days
    where extract(day from days.date_day) = 1
{%- endmacro %}
