{#
    The data tests of the large incremental tables check the deliveries that no passing run has
    checked yet, not the whole history again on every run.

    Every data test of a staging model has `where: "__deliveries_not_yet_tested__"`
    (dbt_project.yml, data_tests). When the test runs on an incremental model, the placeholder
    becomes `_delivery_id > N`, N being the last delivery of the tested model when this same test
    last passed (quality.tested_deliveries, written by `record_tested_deliveries` at the end of
    the run). On a full refresh, for a test that never passed or without a record, it becomes
    `1 = 1`: every row. A record names the test by its key (tested_deliveries_key): a generic test
    with other arguments, or a test whose SQL or whose model's SQL changed, has no record. A model
    rebuilt whole forgets its tests' records (forget_tested_deliveries), even when the tests do
    not run with it (`dbt run --full-refresh`, then `dbt test`).

    Why the rows of older deliveries need no second look, for the incremental staging tables
    (delete+insert on their key, `deduplicate_current_state`):
    - a row keeps the `_delivery_id` of the raw version it was built from, and a key that a new
      delivery touches is deleted and inserted again with that delivery's id: every row a run
      changes is above N, and every row at or below N has passed the test before;
    - `unique` / `unique_combination_of_columns` on the model's key: the new rows are unique among
      themselves, and delete+insert has removed the stored rows of their keys;
    - `relationships` from these tables to their parents: the parents only ever gain keys (raw is
      append-only and staging keeps every key delivered), so a child row that found its parent
      keeps finding it.
    A failing test records nothing: the next run checks the same rows again, and more.
#}
{#
    The placeholders get_where_subquery resolves, each with the macro that writes its filter:
    `__deliveries_not_yet_tested__` (staging, SLA pauses: `_delivery_id > N`),
    `__sla_rows_not_yet_tested__` (the SLA engine, whose open tickets are measured again at every
    as-of time without a delivery: macros/sla/sla_rows_not_yet_tested.sql) and
    `__tickets_not_yet_tested__` (fct_tickets, which rebuilds its open tickets at every run:
    macros/incremental/tickets_not_yet_tested.sql).
#}
{% macro tested_deliveries_placeholders() -%}
    {{ return({
        '__deliveries_not_yet_tested__': deliveries_not_yet_tested,
        '__sla_rows_not_yet_tested__': sla_rows_not_yet_tested,
        '__tickets_not_yet_tested__': tickets_not_yet_tested,
    }) }}
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
    {%- set filter = namespace(where=config.get('where')) -%}
    {%- for placeholder, resolve in tested_deliveries_placeholders().items()
        if filter.where and placeholder in filter.where -%}
        {%- set filter.where = filter.where | replace(placeholder, resolve()) -%}
    {%- endfor -%}
    {%- if filter.where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filter.where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#
    The filter of the running test: `_delivery_id > N`, or `1 = 1` (every row) on a full refresh,
    when the test never passed, and outside build and test (see last_tested_delivery).
#}
{% macro deliveries_not_yet_tested() -%}
    {%- set last_delivery = last_tested_delivery() -%}
    {%- if last_delivery is none -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {{ return('_delivery_id > ' ~ last_delivery) }}
{%- endmacro %}

{#
    The last delivery of the tested model when the running test last passed, or none: on a full
    refresh, for a test that is not one of these tests or never passed, when dbt parses, and for
    any command but build and test (compile, docs generate, sqlfluff's templater). Singular tests call it (see tests_new_deliveries_only) and say
    themselves which rows a none leaves to check: all of them.
#}
{% macro last_tested_delivery() -%}
    {%- if not execute or flags.FULL_REFRESH or flags.WHICH not in ('build', 'test')
        or not tests_new_deliveries_only(model) -%}
        {{ return(none) }}
    {%- endif -%}
    {#- the table exists: on-run-start creates it for every command that runs tests (not for
        compile or docs generate, which then show the test reading every row) -#}
    {%- set record = tested_deliveries_relation() -%}
    {%- set found = run_query(
        'select max(delivery_id) from ' ~ record
        ~ " where test_id = '" ~ tested_deliveries_key(model) ~ "'"
    ) -%}
    {%- set last_delivery = found.columns[0].values()[0] -%}
    {{ return(none if last_delivery is none else last_delivery | int) }}
{%- endmacro %}

{#
    Whether `test` is one of those tests: a generic test with one of the placeholders, on an
    incremental model; or a singular test whose config names the incremental model whose new
    deliveries it checks (meta tested_deliveries_of) and that filters its rows with
    last_tested_delivery().
#}
{% macro tests_new_deliveries_only(test) -%}
    {%- set tested = tested_model(test) -%}
    {%- set where = test.config.where or '' -%}
    {%- set marked = tested_deliveries_placeholders() | select('in', where) | list
        or test.config.meta.get('tested_deliveries_of') -%}
    {{ return(marked and tested is not none and tested.config.materialized == 'incremental') }}
{%- endmacro %}

{# The model whose deliveries `test` follows: the model a generic test is attached to, or the
   model a singular test names in meta tested_deliveries_of. #}
{% macro tested_model(test) -%}
    {%- set name = test.config.meta.get('tested_deliveries_of') -%}
    {%- if name -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.name == name and node.package_name == test.package_name -%}
            {{ return(node) }}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            test.name ~ ': meta tested_deliveries_of names no model: ' ~ name
        ) }}
    {%- endif -%}
    {{ return(graph.nodes.get(test.attached_node) if test.attached_node else none) }}
{%- endmacro %}

{% macro tested_deliveries_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema='quality', identifier='tested_deliveries'
    )) }}
{%- endmacro %}

{#
    on-run-start: the record, created once (schema quality, beside the quality checks' results).
    Not on Spark (see record_tested_deliveries).
#}
{% macro create_tested_deliveries() -%}
    {%- if target.type == 'spark' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set record = tested_deliveries_relation() -%}
    create schema if not exists {{ record.schema }};
    create table if not exists {{ record }} (
        test_id {{ dbt.type_string() }},
        delivery_id {{ dbt.type_bigint() }},
        recorded_at {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{#
    on-run-end: for each test of this run that passed with the placeholder, the last delivery of
    the model it tested (its rows are all checked now). Nothing for a failed, erred or skipped
    test. Nothing on Spark, whose parquet tables take no DELETE: its tests check every row.
#}
{% macro record_tested_deliveries(results) -%}
    {%- if target.type == 'spark' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set record = tested_deliveries_relation() -%}
    {%- set statements = [] -%}
    {%- for result in results
        if result.node.resource_type == 'test'
        and result.status == 'pass'
        and tests_new_deliveries_only(result.node) -%}
        {%- set tested = tested_model(result.node) -%}
        {#- every record of the test, under any key (an earlier version of its SQL) -#}
        {%- do statements.append(
            'delete from ' ~ record ~ ' where ' ~ tested_test_id() ~ " = '"
            ~ result.node.unique_id ~ "'"
        ) -%}
        {%- do statements.append(
            'insert into ' ~ record ~ ' (test_id, delivery_id, recorded_at) select '
            ~ "'" ~ tested_deliveries_key(result.node) ~ "', coalesce(max(_delivery_id), 0), "
            ~ dbt.current_timestamp() ~ ' from ' ~ tested.relation_name
        ) -%}
    {%- endfor -%}
    {{ statements | join(';\n') if statements else 'select 1' }}
{%- endmacro %}

{#
    The key of a test's record: its unique_id, `:` and a digest of the SQL it passed with: the
    checksums of the singular test's own file, of the model it is attached to and of the model
    whose deliveries it follows. A record holds for those versions only: after an edit of the
    test or of either model (a view's new logic applies to every row at once), the new key has
    no record and the test reads every row once. dbt names a generic test after its model, column
    and arguments, so other arguments already make another unique_id; the generic test's macro is
    not in the digest (after changing one, `mspkpi run --full-refresh`).
#}
{% macro tested_deliveries_key(test) -%}
    {%- set checksums = [test.checksum.checksum if test.checksum.name == 'sha256' else ''] -%}
    {%- set attached = graph.nodes.get(test.attached_node) if test.attached_node else none -%}
    {%- for node in [attached, tested_model(test)] -%}
        {%- do checksums.append(node.checksum.checksum if node is not none else '') -%}
    {%- endfor -%}
    {{ return(test.unique_id ~ ':' ~ local_md5(checksums | join(','))[:16]) }}
{%- endmacro %}

{# The unique_id part of the record's key column, as SQL. #}
{% macro tested_test_id() -%}
    {{ return(dbt.split_part('test_id', "':'", 1)) }}
{%- endmacro %}

{#
    pre-hook of every model (dbt_project.yml): an incremental model built whole (a full refresh,
    a first build, a table dropped and built again) deletes the records of the tests that follow
    its deliveries, in the model's own transaction. Those rows were rebuilt, maybe by other code:
    the next run of each test reads every row, even when the rebuild ran without its tests
    (`dbt run --full-refresh`, then `dbt test`). A rebuild that fails rolls the delete back with
    it. Nothing on an incremental run, for another materialization, or on Spark (no records).
#}
{% macro forget_tested_deliveries() -%}
    {%- if not execute or target.type == 'spark' or model.config.materialized != 'incremental'
        or is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set test_ids = [] -%}
    {#- the tests attached to the model or naming it (a cheap filter), that follow its deliveries -#}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'test'
        and (node.attached_node == model.unique_id
            or node.config.meta.get('tested_deliveries_of') == model.name)
        and tests_new_deliveries_only(node)
        and tested_model(node).unique_id == model.unique_id -%}
        {%- do test_ids.append("'" ~ node.unique_id ~ "'") -%}
    {%- endfor -%}
    {%- if not test_ids -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ tested_deliveries_relation() }}
    where {{ tested_test_id() }} in ({{ test_ids | join(', ') }})
{%- endmacro %}
