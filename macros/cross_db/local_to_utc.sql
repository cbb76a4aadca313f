{#
    The UTC instant (a naive timestamp, as stored in this warehouse) of a wall-clock time read in
    an IANA time zone: local_to_utc('opens_local', 'timezone') for 08:00 in Europe/Paris gives
    07:00 in winter and 06:00 in summer. The time zone may be a column. Both arguments are SQL
    expressions.

    DuckDB (ICU) and PostgreSQL share the SQL-standard form: `naive at time zone tz` reads the wall
    clock in tz and gives a timestamptz, `at time zone 'UTC'` turns that back into naive UTC. A wall
    time that does not exist (inside the spring-forward gap) or exists twice (autumn fall-back hour)
    is resolved by the engine (DuckDB and PostgreSQL both read it in standard time). Other
    warehouses need their own implementation (Snowflake: convert_timezone).
#}
{% macro local_to_utc(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'mspkpi')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro duckdb__local_to_utc(local_timestamp, time_zone) -%}
    (({{ local_timestamp }}) at time zone {{ time_zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro postgres__local_to_utc(local_timestamp, time_zone) -%}
    ((({{ local_timestamp }})::timestamp) at time zone {{ time_zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, time_zone) -%}
    {{ exceptions.raise_compiler_error(
        "local_to_utc has no implementation for the " ~ adapter.type() ~ " adapter: add "
        ~ adapter.type() ~ "__local_to_utc in macros/cross_db/local_to_utc.sql"
    ) }}
{%- endmacro %}
