{#
    Employee turnover of seed 002 per month and year, by department and for all departments:
    departures / average headcount, the average being the mean of the headcount on the period's
    first and last day. Voluntary and involuntary departures apart. 5 / 50 -> 0.10; below 0.15 a
    year is healthy.
#}

with

periods as (

    select * from {{ ref('int_people_periods') }}
    where period_type in ('month', 'year')

),

employees as (

    select * from {{ ref('dim_employees') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

-- every employee counts in its department and in 'all'
employee_departments as (

    select
        employee_id,
        department,
        termination_type,
        hired_on,
        terminated_on
    from employees

    union all

    select
        employee_id,
        'all' as department,
        termination_type,
        hired_on,
        terminated_on
    from employees

),

departments as (

    select distinct department
    from employee_departments

),

period_departments as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.period_end_on,
        periods.first_day_on,
        periods.last_day_on,
        periods.is_period_complete,
        departments.department
    from periods
    cross join departments

),

measured as (

    select
        period_departments.period_type,
        period_departments.period_start_on,
        period_departments.department,
        count(
            case
                when {{ is_employed_on(
                    'period_departments.first_day_on', 'employee_departments.hired_on', 'employee_departments.terminated_on'
                ) }}
                    then employee_departments.employee_id
            end
        ) as headcount_first_day_count,
        count(
            case
                when {{ is_employed_on(
                    'period_departments.last_day_on', 'employee_departments.hired_on', 'employee_departments.terminated_on'
                ) }}
                    then employee_departments.employee_id
            end
        ) as headcount_last_day_count,
        count(
            case
                when
                    employee_departments.hired_on >= period_departments.first_day_on
                    and employee_departments.hired_on <= period_departments.last_day_on
                    then employee_departments.employee_id
            end
        ) as hire_count,
        count(
            case
                when
                    employee_departments.terminated_on >= period_departments.first_day_on
                    and employee_departments.terminated_on <= period_departments.last_day_on
                    then employee_departments.employee_id
            end
        ) as departure_count,
        count(
            case
                when
                    employee_departments.terminated_on >= period_departments.first_day_on
                    and employee_departments.terminated_on <= period_departments.last_day_on
                    and employee_departments.termination_type = 'voluntary'
                    then employee_departments.employee_id
            end
        ) as voluntary_departure_count,
        count(
            case
                when
                    employee_departments.terminated_on >= period_departments.first_day_on
                    and employee_departments.terminated_on <= period_departments.last_day_on
                    and employee_departments.termination_type = 'involuntary'
                    then employee_departments.employee_id
            end
        ) as involuntary_departure_count
    from period_departments
    left join employee_departments
        on period_departments.department = employee_departments.department
    group by 1, 2, 3

),

rated as (

    select
        period_departments.period_type,
        period_departments.period_start_on,
        period_departments.period_end_on,
        period_departments.first_day_on,
        period_departments.last_day_on,
        period_departments.is_period_complete,
        period_departments.department,
        measured.headcount_first_day_count,
        measured.headcount_last_day_count,
        measured.hire_count,
        measured.departure_count,
        measured.voluntary_departure_count,
        measured.involuntary_departure_count,
        (measured.headcount_first_day_count + measured.headcount_last_day_count) / 2.0 as average_headcount
    from period_departments
    inner join measured
        on
            period_departments.period_type = measured.period_type
            and period_departments.period_start_on = measured.period_start_on
            and period_departments.department = measured.department

),

final as (

    select
        -- period
        rated.period_type,
        rated.period_start_on,
        rated.period_end_on,
        rated.first_day_on,
        rated.last_day_on,

        -- attributes
        rated.department,

        -- headcount
        rated.headcount_first_day_count,
        rated.headcount_last_day_count,
        cast(rated.average_headcount as decimal(18, 2)) as average_headcount,

        -- movements
        rated.hire_count,
        rated.departure_count,
        rated.voluntary_departure_count,
        rated.involuntary_departure_count,

        -- turnover
        {{ safe_divide('rated.departure_count', 'rated.average_headcount') }} as employee_turnover_rate,
        {{ safe_divide('rated.voluntary_departure_count', 'rated.average_headcount') }} as voluntary_turnover_rate,
        {{ safe_divide('rated.involuntary_departure_count', 'rated.average_headcount') }} as involuntary_turnover_rate,

        -- benchmark: a yearly figure, compared with complete years only
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        case
            when rated.period_type = 'year' and rated.is_period_complete
                then {{ benchmark_status(
                    safe_divide('rated.departure_count', 'rated.average_headcount'), 'benchmark'
                ) }}
        end as benchmark_status,

        -- booleans
        rated.is_period_complete

    from rated
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'employee_turnover_rate'

)

select * from final
