{#
    The ISO day of the week of a date (1 = Monday ... 7 = Sunday) as an integer. `extract(isodow ...)`
    on DuckDB and PostgreSQL; Spark names the field dayofweek_iso.
#}
{% macro iso_weekday(date_expression) -%}
    {{ return(adapter.dispatch('iso_weekday', 'mspkpi')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_weekday(date_expression) -%}
    cast(extract(dayofweek_iso from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}
