{#
    A month as a whole number and back: `month_number(ts)` = year * 12 + month - 1 (a date or a
    timestamp; null stays null), `month_start_of_number(n)` = that month's first day, as a date.
    Grouping many rows by the number instead of by `date_trunc('month', ...)` and converting the
    few distinct groups back is cheaper on DuckDB (the served months' tickets, at 10 M tickets:
    3.4 s -> 2.7 s). `extract` is standard SQL on DuckDB, PostgreSQL and Spark.
#}
{% macro month_number(expression) -%}
    cast(extract(year from {{ expression }}) * 12 + extract(month from {{ expression }}) - 1 as {{ dbt.type_int() }})
{%- endmacro %}

{% macro month_start_of_number(number) -%}
    {#- counted from January 2000 = 24000: the interval added stays small on every engine -#}
    cast({{ dbt.dateadd('month', '(' ~ number ~ ') - 24000', "cast('2000-01-01' as date)") }} as date)
{%- endmacro %}
