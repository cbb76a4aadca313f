{#
    Employee turnover over the trailing 12 months (the month and the 11 before it), at every month
    of the people history and for every department: the definition of kpi_employee_turnover
    (departures / the mean of the first- and last-day headcount) applied to a rolling year, built
    from that mart's month rows, so that a December of a complete year equals its year row.
#}

with

employee_turnover as (

    select * from {{ ref('kpi_employee_turnover') }}

),

months as (

    select *
    from employee_turnover
    where period_type = 'month'

),

history as (

    select min(period_start_on) as history_start_on
    from months

),

-- the window of each month: its 11 predecessors and itself, clipped to the start of the history
windows as (

    select
        months.period_start_on as month_start_on,
        months.department,
        case
            when {{ dbt.dateadd('month', -11, 'months.period_start_on') }} < history.history_start_on
                then history.history_start_on
            else cast({{ dbt.dateadd('month', -11, 'months.period_start_on') }} as date)
        end as window_start_month_on,
        {{ dbt.dateadd('month', -11, 'months.period_start_on') }} >= history.history_start_on
        and months.is_period_complete as is_window_complete
    from months
    cross join history

),

window_movements as (

    select
        windows.month_start_on,
        windows.department,
        count(*) as window_month_count,
        sum(months.hire_count) as hire_count,
        sum(months.departure_count) as departure_count,
        sum(months.voluntary_departure_count) as voluntary_departure_count,
        sum(months.involuntary_departure_count) as involuntary_departure_count
    from windows
    inner join months
        on
            windows.department = months.department
            and windows.window_start_month_on <= months.period_start_on
            and windows.month_start_on >= months.period_start_on
    group by 1, 2

),

measured as (

    select
        windows.month_start_on,
        windows.department,
        windows.is_window_complete,
        first_month.first_day_on as window_start_on,
        this_month.last_day_on as window_end_on,
        window_movements.window_month_count,
        first_month.headcount_first_day_count,
        this_month.headcount_last_day_count,
        (first_month.headcount_first_day_count + this_month.headcount_last_day_count) / 2.0 as average_headcount,
        window_movements.hire_count,
        window_movements.departure_count,
        window_movements.voluntary_departure_count,
        window_movements.involuntary_departure_count
    from windows
    inner join window_movements
        on
            windows.month_start_on = window_movements.month_start_on
            and windows.department = window_movements.department
    inner join months as first_month
        on
            windows.department = first_month.department
            and windows.window_start_month_on = first_month.period_start_on
    inner join months as this_month
        on
            windows.department = this_month.department
            and windows.month_start_on = this_month.period_start_on

),

final as (

    select
        -- dates
        month_start_on,
        window_start_on,
        window_end_on,

        -- attributes
        department,
        cast(window_month_count as {{ dbt.type_int() }}) as window_month_count,

        -- headcount
        headcount_first_day_count,
        headcount_last_day_count,
        {{ to_decimal('average_headcount') }} as average_headcount,

        -- movements of the window
        cast(hire_count as {{ dbt.type_bigint() }}) as hire_count,
        cast(departure_count as {{ dbt.type_bigint() }}) as departure_count,
        cast(voluntary_departure_count as {{ dbt.type_bigint() }}) as voluntary_departure_count,
        cast(involuntary_departure_count as {{ dbt.type_bigint() }}) as involuntary_departure_count,

        -- turnover over the window
        {{ safe_divide('departure_count', 'average_headcount') }} as employee_turnover_rate,
        {{ safe_divide('voluntary_departure_count', 'average_headcount') }} as voluntary_turnover_rate,
        {{ safe_divide('involuntary_departure_count', 'average_headcount') }} as involuntary_turnover_rate,

        -- booleans
        is_window_complete

    from measured

)

select * from final
