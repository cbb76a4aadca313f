{#
    local_to_utc on Spark: to_utc_timestamp reads the wall-clock time in the given IANA zone and
    gives the UTC instant (the session time zone is UTC, so the result reads as naive UTC, as on
    DuckDB and PostgreSQL). A wall time inside the spring-forward gap is moved forward by Java's
    time zone rules, where DuckDB and PostgreSQL read it in standard time: the two differ by an
    hour on that one missing hour of the year only.
#}
{% macro spark__local_to_utc(local_timestamp, time_zone) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ time_zone }})
{%- endmacro %}
