{#
    as_of_timestamp on Spark, which has no `at time zone`: the session time zone is UTC
    (profiles.yml), so a cast to timestamp reads a time-zone-less MSPKPI_AS_OF in UTC and turns one
    with an offset (+02:00) into its UTC instant, and current_timestamp() is the UTC time.
#}
{% macro spark__as_of_timestamp() -%}
    {%- set as_of = var('as_of', '') | trim -%}
    {%- if as_of -%}
        cast({{ dbt.string_literal(dbt.escape_single_quotes(as_of)) }} as timestamp)
    {%- else -%}
        current_timestamp()
    {%- endif -%}
{%- endmacro %}
