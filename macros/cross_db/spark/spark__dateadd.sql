{#
    dbt.dateadd on Spark. dbt-spark 1.11 adds hours, minutes and seconds as
    `to_timestamp(to_unix_timestamp(ts) + n)`, and that round trip through a number gave the SLA
    engine wrong deadlines (a P1's resolution due at 2026-03-28 00:27:30 instead of 03:30:00).
    Here those parts go through epoch seconds both ways with the functions made for it
    (unix_seconds / timestamp_seconds, time-zone free); days, weeks, months, quarters and years are
    dbt-spark's own.
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart in seconds -%}
        timestamp_seconds(
            unix_seconds(cast({{ from_date_or_timestamp }} as timestamp))
            + cast(({{ interval }}) * {{ seconds[datepart] }} as bigint)
        )
    {%- else -%}
        {{ dbt.spark__dateadd(datepart, interval, from_date_or_timestamp) }}
    {%- endif -%}
{% endmacro %}
