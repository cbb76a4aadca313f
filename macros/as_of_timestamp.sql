{#
    "Now" for anything that depends on the build time, as a UTC timestamp without time zone: var
    as_of (MSPKPI_AS_OF, YYYY-MM-DD or an ISO timestamp, with or without offset; without one it is
    read in the session time zone, UTC) when set, so that a build is reproducible, else the
    database's current time. Going through timestamptz keeps an offset such as +02:00.
#}
{% macro as_of_timestamp() -%}
    {{ return(adapter.dispatch('as_of_timestamp', 'mspkpi')()) }}
{%- endmacro %}

{# DuckDB and PostgreSQL: the SQL-standard `at time zone`. #}
{% macro default__as_of_timestamp() -%}
    {%- set as_of = var('as_of', '') | trim -%}
    {%- if as_of -%}
        (cast({{ dbt.string_literal(dbt.escape_single_quotes(as_of)) }} as timestamp with time zone) at time zone 'UTC')
    {%- else -%}
        (current_timestamp at time zone 'UTC')
    {%- endif -%}
{%- endmacro %}
