{#
    dbt.datediff on Spark, in hours, minutes and seconds, as the boundaries crossed between the two
    instants (the DuckDB and PostgreSQL meaning): 14:00:00 to 14:00:43 is 0 minutes, 13:59:59 to
    14:00:00 is 1. dbt-spark 1.11 rounds the seconds between them up instead (ceil(43 / 60) = 1), so
    a ticket resolved 43 seconds into its due minute counted one business minute too many and came
    out as breached on Spark only. Days, weeks, months, quarters and years are dbt-spark's.
#}
{% macro spark__datediff(first_date, second_date, datepart) %}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart in seconds -%}
        cast(
            floor(unix_seconds(cast({{ second_date }} as timestamp)) / {{ seconds[datepart] }})
            - floor(unix_seconds(cast({{ first_date }} as timestamp)) / {{ seconds[datepart] }})
            as bigint
        )
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{% endmacro %}
