{#
    The first row of each partition in the given order (dbt_utils.deduplicate's contract), as a
    complete select statement to wrap in a CTE. DISTINCT ON keeps every column of the relation
    without a helper column to drop (PostgreSQL); DuckDB and Spark get a row_number() window through
    adapter.dispatch.
#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'mspkpi')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) *
    from {{ relation }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}

{#
    DuckDB: a window instead of DISTINCT ON, and only over the keys that have more than one row.
    Both give the same rows for a total order, but DuckDB's DISTINCT ON keeps every partition in
    memory and fails at the memory limit (11 million ticket rows against 4 GB: out of memory),
    where the window sorts out of core and spills to disk. Most keys of an append-only raw table
    arrive once (every status change, alert and time entry of the 10 M-ticket benchmark): those
    rows pass through a hash anti-join, and the window sorts only the rows of repeated keys (50.6
    million status changes: 28 s against 46 s for a window over all of them).
#}
{% macro duckdb__deduplicate(relation, partition_by, order_by) -%}
    {%- set keys = partition_by.split(',') | map('trim') | list -%}
    {%- set same_key -%}
        {% for key in keys -%}
            repeated_keys.{{ key }} is not distinct from keyed_rows.{{ key }}{{ ' and ' if not loop.last }}
        {%- endfor %}
    {%- endset -%}
    -- a subquery with its own CTE: the caller may already be inside a WITH clause
    select *
    from (
        with

        repeated_keys as (

            select {{ partition_by }}
            from {{ relation }}
            group by {{ partition_by }}
            having count(*) > 1

        )

        select *
        from {{ relation }} as keyed_rows
        where not exists (select 1 from repeated_keys where {{ same_key }})

        union all

        select *
        from {{ relation }} as keyed_rows
        where exists (select 1 from repeated_keys where {{ same_key }})
        qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
    ) as deduplicated
{%- endmacro %}
