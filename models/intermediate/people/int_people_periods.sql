{#
    The calendar of the people marts: every week, month and year of the people history, each with
    the days it is measured on. The history starts with the month of the first people event the
    extracts record besides the hire dates of current staff (a departure, a recruiting cost, a
    technician pulse or survey answer): before it, the HR extract may lack the staff who had
    already left, so turnover would read 0 when it was not. It ends on the as-of date.
#}

with

employees as (

    select * from {{ ref('stg_hr__employees') }}

),

recruiting_costs as (

    select * from {{ ref('stg_hr__recruiting_costs') }}

),

technician_pulses as (

    select * from {{ ref('stg_surveys__technician_pulses') }}

),

technician_surveys as (

    select * from {{ ref('stg_surveys__technician_surveys') }}

),

people_events as (

    select terminated_on as event_on
    from employees
    where terminated_on is not null
    union all
    select incurred_on as event_on from recruiting_costs
    union all
    select week_start_on as event_on from technician_pulses
    union all
    select cast(responded_at as date) as event_on from technician_surveys

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'coalesce(min(event_on), ' ~ as_of_date() ~ ')') }} as date)
            as history_start_on,
        {{ as_of_date() }} as history_end_on
    from people_events

),

days as (

    {{ date_spine(
        start_date='(select ' ~ dbt.date_trunc('year', 'bounds.history_start_on') ~ ' from bounds)',
        end_date='(select bounds.history_end_on from bounds)',
    ) }}

),

periods as (

    -- weeks (ISO, from Monday) that start inside the history
    select distinct
        'week' as period_type,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as period_start_on
    from days

    union all

    select distinct
        'month' as period_type,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as period_start_on
    from days

    union all

    select distinct
        'year' as period_type,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as period_start_on
    from days

),

period_ends as (

    select
        period_type,
        period_start_on,
        cast(
            case period_type
                when 'week' then {{ dbt.dateadd('day', 6, 'period_start_on') }}
                when 'month' then {{ dbt.last_day('period_start_on', 'month') }}
                else {{ dbt.last_day('period_start_on', 'year') }}
            end as date
        ) as period_end_on
    from periods

),

final as (

    select
        -- attributes
        period_ends.period_type,

        -- dates
        period_ends.period_start_on,
        period_ends.period_end_on,
        -- the days measured: the period clipped to the history (start) and to the as-of date
        case
            when period_ends.period_start_on < bounds.history_start_on then bounds.history_start_on
            else period_ends.period_start_on
        end as first_day_on,
        case
            when period_ends.period_end_on > bounds.history_end_on then bounds.history_end_on
            else period_ends.period_end_on
        end as last_day_on,

        -- booleans
        (
            period_ends.period_start_on >= bounds.history_start_on
            and period_ends.period_end_on < bounds.history_end_on
        ) as is_period_complete

    from period_ends
    cross join bounds
    where
        period_ends.period_end_on >= bounds.history_start_on
        and period_ends.period_start_on <= bounds.history_end_on
        -- a week belongs to the history when it starts in it
        and (period_ends.period_type <> 'week' or period_ends.period_start_on >= bounds.history_start_on)

)

select * from final
