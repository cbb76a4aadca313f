{#
    The current state of an append-only raw entity: one row per key (`partition_by`, which must be
    the model's `unique_key`), the first in `order_by` among every raw row of the key. A complete
    select statement to wrap in a CTE, with the arguments of `deduplicate`.

    Full build (or --full-refresh): `deduplicate` over the whole relation, as the staging views did.

    Incremental run (materialized='incremental', incremental_strategy='delete+insert'): only the
    rows of deliveries loaded after the high-water mark (max `_delivery_id` in the table, read
    before the build and inlined as a literal so that the filter reaches the raw table's scan and
    DuckDB skips the row groups of older deliveries), plus the stored row of each key they touch,
    deduplicated in the SAME order. The stored row is the first of all the older rows of its key,
    so the first of (stored row + new rows) is the first of all rows: the table equals a full
    rebuild, and a late row with an older `updated_at` does not replace a newer stored one.
    delete+insert then replaces exactly the keys the new deliveries touch.

    `_delivery_id` is the high-water mark because the loader assigns it inside each delivery's
    transaction as max(raw._load_audit.delivery_id) + 1: it only grows. `_loaded_at` is the
    wall-clock start of a file's load, taken before that transaction (clocks step back, loads of
    two files can interleave), so it is not.

    A change of the model's columns needs `mspkpi run --full-refresh`, and is never merged silently:
    both sides select the stored table's columns by name (a column removed or renamed in the model
    fails to bind), and a row-less `select *` of the new rows is unioned in by position (a column
    added fails the union's column count; columns moved to positions of another type change the
    union's types, which on_schema_change='fail' stops).
#}
{% macro deduplicate_current_state(relation, partition_by, order_by) -%}
    {%- set keys = partition_by.split(',') | map('trim') | list -%}
    {%- if is_incremental() -%}
        {%- set unique_key = config.get('unique_key') -%}
        {%- set unique_keys = [unique_key] if unique_key is string else unique_key -%}
        {%- if (unique_keys or []) | sort != keys | sort -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ ": unique_key " ~ unique_key ~ " is not partition_by '" ~ partition_by
                ~ "' of deduplicate_current_state; delete+insert would replace other rows than the"
                ~ " ones deduplicated: give both the contract's primary key"
            ) }}
        {%- endif -%}
        {%- set stored_columns = adapter.get_columns_in_relation(this) -%}
        {%- set column_list = stored_columns | map(attribute='name') | join(', ') -%}
        with

        new_rows as (

            select *
            from {{ relation }}
            where _delivery_id > {{ delivery_high_water_mark() }}

        ),

        candidates as (

            select {{ column_list }}
            from new_rows

            union all

            -- a join on the distinct new keys, not `where exists`: DuckDB then filters the
            -- stored table's scan by the new keys (46 M status changes: 9.7 s -> 0.03 s)
            select {% for column in stored_columns -%}
                stored.{{ column.name }}{{ ', ' if not loop.last }}
            {%- endfor %}
            from {{ this }} as stored
            inner join (select distinct {{ keys | join(', ') }} from new_rows) as new_keys
                on
                {% for key in keys -%}
                    new_keys.{{ key }} = stored.{{ key }}{{ ' and' if not loop.last }}
                {% endfor %}

            union all

            -- no row; fails when the model has more columns than the stored table
            select *
            from new_rows
            where 1 = 0

        )

        {{ deduplicate(relation='candidates', partition_by=partition_by, order_by=order_by) }}
    {%- else -%}
        {{ deduplicate(relation=relation, partition_by=partition_by, order_by=order_by) }}
    {%- endif -%}
{%- endmacro %}

{#
    The last delivery already in the incremental model `this` (0 when empty): max(`column`) over
    its rows (those matching `where`, if given), read when the model runs. Parsing and compiling without a database (`execute` false) get 0, which is
    never run. A stored table without the column was built by a version of the model that was not
    incremental (or not yet with that column): the run stops and says to rebuild it.
#}
{% macro delivery_high_water_mark(column='_delivery_id', where=none) -%}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if column not in stored_columns -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': the stored table ' ~ this ~ ' has no ' ~ column ~ ' column: it was built'
            ~ ' by an earlier version of the model. Rebuild it once with'
            ~ ' `mspkpi run --full-refresh` (or dbt build --full-refresh -s ' ~ model.name ~ ').'
        ) }}
    {%- endif -%}
    {%- set result = run_query(
        'select coalesce(max(' ~ column ~ '), 0) from ' ~ this ~ (' where ' ~ where if where else '')
    ) -%}
    {{ return(result.columns[0].values()[0] | int) }}
{%- endmacro %}
