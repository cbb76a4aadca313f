{#
    "Now" for anything that depends on the build time: var as_of (MSPKPI_AS_OF, YYYY-MM-DD or an
    ISO timestamp) when set, so that a build is reproducible, else the database's current time (UTC).
#}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('as_of', '') | trim -%}
    {%- if as_of -%}
        cast({{ dbt.string_literal(dbt.escape_single_quotes(as_of)) }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
