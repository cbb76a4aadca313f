{#
    dbt-spark's seed macros with each column type passed through spark_type(): the seeds' yml
    column_types use the PostgreSQL/DuckDB names (varchar, integer) that Spark's create table and
    cast refuse or do not know. spark__load_csv_rows also writes each value as a SQL literal
    (spark_seed_literal) instead of a binding: dbt-spark 1.11's session mode substitutes a binding
    as '<value>' without escaping, so a quote in a value (the French label "l'escalade") breaks the
    insert and a null becomes the string 'None'. Otherwise dbt-spark 1.11's own code.
#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}

  {% set statements = [] %}

  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last%},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last%},{%- endif %}
          {%- endfor %}
      {% endset %}

      {% do adapter.add_query(sql, abridge_sql_log=True) %}

      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}

  {{ return(statements[0]) }}
{% endmacro %}


{#
    A seed value as a Spark SQL literal: null for a missing value, true/false for a boolean, the
    number for a number, else a string literal with backslashes and quotes escaped (Spark reads
    backslash escapes in string literals).
#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string) | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
