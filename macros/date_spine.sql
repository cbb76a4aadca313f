{#
    One row per day from start_date to end_date inclusive, in a column `date_day`, as a complete
    select statement. start_date and end_date are SQL expressions (literals, subqueries ...), so
    the bounds can come from the data; no query runs at compile time. Offsets come from a cross
    join of digit lists (10^max_digits days, 100,000 by default, about 270 years) and the cross-db
    dateadd, so the same SQL runs on DuckDB and PostgreSQL.
#}
{% macro date_spine(start_date, end_date, max_digits=5) -%}
    with digits as (
        select 0 as digit
        {%- for value in range(1, 10) %}
        union all select {{ value }}
        {%- endfor %}
    ),

    offsets as (
        select
            {%- for position in range(max_digits) %}
            d{{ position }}.digit * {{ 10 ** position }}{{ ' +' if not loop.last }}
            {%- endfor %} as day_offset
        from digits as d0
        {%- for position in range(1, max_digits) %}
        cross join digits as d{{ position }}
        {%- endfor %}
    ),

    bounds as (
        select
            cast({{ start_date }} as date) as start_day,
            cast({{ end_date }} as date) as end_day
    )

    select cast({{ dbt.dateadd('day', 'offsets.day_offset', 'bounds.start_day') }} as date) as date_day
    from offsets
    cross join bounds
    where offsets.day_offset <= {{ dbt.datediff('bounds.start_day', 'bounds.end_day', 'day') }}
{%- endmacro %}
