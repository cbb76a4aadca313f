{#
    dbt-spark's validation of an incremental strategy (same name, so the project's version wins),
    with delete+insert accepted when the build creates the table: a first build or a full refresh
    is a plain `create table as` on every adapter, whatever the strategy. The PSA staging models,
    the SLA engine and fct_tickets are delete+insert (DuckDB and PostgreSQL); Spark can only
    delete rows from a Delta, Iceberg or Hudi table, so an incremental run there stops with a
    message saying so instead of dbt-spark's generic "Invalid incremental strategy". Every other
    strategy is validated by dbt-spark 1.11's own rules.
#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
  {% if raw_strategy == 'delete+insert' %}
    {% if load_relation(this) is none or should_full_refresh() %}
      {% do return(raw_strategy) %}
    {% endif %}
    {% do exceptions.raise_compiler_error(
        "incremental_strategy delete+insert cannot update " ~ this ~ " on Spark: its "
        ~ file_format ~ " table cannot delete rows. Rebuild it (dbt build --full-refresh), or "
        ~ "make it a Delta or Iceberg table (file_format) with incremental_strategy merge on Spark."
    ) %}
  {% endif %}

  {% set invalid_strategy_msg -%}
    Invalid incremental strategy provided: {{ raw_strategy }}
    Expected one of: 'append', 'merge', 'insert_overwrite', 'microbatch', 'delete+insert' (first build only)
  {%- endset %}

  {% set invalid_merge_msg -%}
    Invalid incremental strategy provided: {{ raw_strategy }}
    You can only choose this strategy when file_format is set to 'delta' or 'iceberg' or 'hudi'
  {%- endset %}

  {% set invalid_insert_overwrite_endpoint_msg -%}
    Invalid incremental strategy provided: {{ raw_strategy }}
    You cannot use this strategy when connecting via endpoint
    Use the 'append' or 'merge' strategy instead
  {%- endset %}

  {% if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch'] %}
    {% do exceptions.raise_compiler_error(invalid_strategy_msg) %}
  {%- else %}
    {% if raw_strategy == 'merge' and file_format not in ['delta', 'iceberg', 'hudi'] %}
      {% do exceptions.raise_compiler_error(invalid_merge_msg) %}
    {% endif %}
    {% if raw_strategy in ['insert_overwrite', 'microbatch'] and target.endpoint %}
      {% do exceptions.raise_compiler_error(invalid_insert_overwrite_endpoint_msg) %}
    {% endif %}
  {% endif %}

  {% do return(raw_strategy) %}
{% endmacro %}
