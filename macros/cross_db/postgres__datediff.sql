{#
    dbt.datediff on PostgreSQL, as a bigint: dbt-postgres builds it from date_part(), which returns
    double precision, while DuckDB's date_diff returns BIGINT. Without the cast a count of minutes or
    months is a double on PostgreSQL only: sums and contracts (declared bigint) differ between the
    two targets. The value is dbt-postgres's own (boundaries crossed, like DuckDB), only typed.
#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.postgres__datediff(first_date, second_date, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}
