{#
    Spark's `raw` database as a copy of DuckDB's raw schema: one table per parquet file that
    orchestration/portability.py exported, replaced whole. Run by
    `dbt run-operation spark_load_raw --target spark` so that the Spark session is the one
    profiles.yml configures (warehouse folder, metastore, time zone). `tables` maps each table to
    {"file": its parquet file, "rows": the rows DuckDB holds}; a copy that does not hold as many
    rows fails the operation. (A file name must not start with `_`: Spark skips such files as
    hidden, and raw has _rejects and _load_audit.)
#}
{% macro spark_load_raw(tables) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error("spark_load_raw runs on the spark target only, not " ~ target.type) }}
    {%- endif -%}
    {% do run_query("create database if not exists raw") %}
    {%- for table, copy in tables.items() %}
        {%- set relation = "raw.`" ~ table ~ "`" -%}
        {% do run_query("drop table if exists " ~ relation) %}
        {% do run_query(
            "create table " ~ relation ~ " using parquet as select * from parquet.`" ~ copy.file ~ "`"
        ) %}
        {%- set copied = run_query("select count(*) from " ~ relation).columns[0].values()[0] -%}
        {%- if copied != copy.rows -%}
            {{ exceptions.raise_compiler_error(
                relation ~ " holds " ~ copied ~ " rows after the copy, DuckDB's raw." ~ table
                ~ " " ~ copy.rows ~ ": the parquet file " ~ copy.file ~ " is incomplete"
            ) }}
        {%- endif -%}
        {% do log(relation ~ ": " ~ copied ~ " rows", info=true) %}
    {%- endfor %}
{%- endmacro %}
