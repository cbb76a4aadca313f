{#
    A column type as the yml contracts and seeds spell it (PostgreSQL and DuckDB names: varchar,
    text, double precision, integer, real, timestamp without time zone) in Spark's spelling
    (string, double, int, float, timestamp); any other type as given (bigint, date, boolean,
    decimal(18,2) ... are spelled alike). Spark refuses varchar without a length and knows neither
    text nor double precision, so every contract and seed would fail on the type name alone.
#}
{% macro spark_type(data_type) -%}
    {%- set spark_names = {
        'varchar': 'string',
        'text': 'string',
        'character varying': 'string',
        'double precision': 'double',
        'integer': 'int',
        'real': 'float',
        'timestamp without time zone': 'timestamp',
    } -%}
    {{- spark_names.get(data_type | trim | lower, data_type | trim) -}}
{%- endmacro %}

{#
    dbt.cast on Spark, with the type translated. dbt's contract check casts null to each yml
    data_type through this macro (get_empty_schema_sql), so the contracts hold on Spark unchanged.
#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{#
    dbt.safe_cast on Spark: try_cast (null instead of a failed query on one bad value, as
    duckdb__safe_cast does), with the type translated.
#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}
