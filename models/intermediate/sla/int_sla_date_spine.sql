{#
    How far past the latest instant (as-of time or latest ticket timestamp) the business calendars
    run: a still-open ticket's resolution_due_at is found only inside the spine, and a year is
    more business time than any resolution target.
#}
{%- set horizon_days = 366 -%}

with

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

spine_bounds as (

    select
        {{ dbt.dateadd('day', -2, 'least(min(created_at), ' ~ as_of_timestamp() ~ ')') }} as spine_starts_at,
        {{ dbt.dateadd(
            'day',
            horizon_days,
            'greatest(max(created_at), max(first_response_at), max(resolved_at), ' ~ as_of_timestamp() ~ ')',
        ) }} as spine_ends_at
    from tickets

),

spine as (

    {{ date_spine(
        start_date='(select spine_starts_at from spine_bounds)',
        end_date='(select spine_ends_at from spine_bounds)',
    ) }}

),

final as (

    select date_day
    from spine

)

select * from final
