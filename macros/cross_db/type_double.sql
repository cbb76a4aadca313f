{#
    The 8-byte floating-point type, for `cast(x as {{ type_double() }})`: `double precision` (the
    SQL standard's name, DuckDB and PostgreSQL) by default, `double` on Spark, which does not know
    the standard name. Not dbt.type_float(): that is `float`, a 4-byte REAL on DuckDB.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'mspkpi')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
