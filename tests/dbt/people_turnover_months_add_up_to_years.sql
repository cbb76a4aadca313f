-- Headcount moves are counted once: in every department (and 'all'), the hires and departures of
-- a year's months add up to the year's, and the departments add up to 'all'. The headcount stock
-- also moves with them from a month's first day to its last: last-day headcount = first-day
-- headcount + hires after the first day - departures after the first day (a departure dated on the
-- first day is already out of the first-day headcount). Returns the rows that disagree.
with

turnover as (

    select * from {{ ref('kpi_employee_turnover') }}

),

employees as (

    select * from {{ ref('dim_employees') }}

),

months_by_year as (

    select
        department,
        cast({{ dbt.date_trunc('year', 'period_start_on') }} as date) as year_start_on,
        sum(hire_count) as hire_count,
        sum(departure_count) as departure_count
    from turnover
    where period_type = 'month'
    group by 1, 2

),

years as (

    select
        department,
        period_start_on as year_start_on,
        hire_count,
        departure_count
    from turnover
    where period_type = 'year'

),

departments_by_period as (

    select
        period_type,
        period_start_on,
        sum(case when department = 'all' then departure_count else 0 end) as all_departure_count,
        sum(case when department <> 'all' then departure_count else 0 end) as department_departure_count
    from turnover
    group by 1, 2

),

stock_moves as (

    select
        turnover.period_type,
        turnover.period_start_on,
        turnover.department,
        turnover.headcount_first_day_count,
        turnover.headcount_last_day_count,
        count(
            case
                when employees.hired_on > turnover.first_day_on and employees.hired_on <= turnover.last_day_on
                    then employees.employee_id
            end
        ) as later_hire_count,
        count(
            case
                when
                    employees.terminated_on > turnover.first_day_on
                    and employees.terminated_on <= turnover.last_day_on
                    then employees.employee_id
            end
        ) as later_departure_count
    from turnover
    inner join employees
        on turnover.department = 'all'
    where turnover.period_type = 'month'
    group by 1, 2, 3, 4, 5

)

select
    'months_add_up_to_year' as check_name,
    years.department,
    years.year_start_on as period_start_on
from years
left join months_by_year
    on
        years.department = months_by_year.department
        and years.year_start_on = months_by_year.year_start_on
where
    years.hire_count <> coalesce(months_by_year.hire_count, 0)
    or years.departure_count <> coalesce(months_by_year.departure_count, 0)

union all

select
    'departments_add_up_to_all' as check_name,
    'all' as department,
    period_start_on
from departments_by_period
where all_departure_count <> department_departure_count

union all

select
    'headcount_moves_with_hires_and_departures' as check_name,
    department,
    period_start_on
from stock_moves
where headcount_last_day_count <> headcount_first_day_count + later_hire_count - later_departure_count
