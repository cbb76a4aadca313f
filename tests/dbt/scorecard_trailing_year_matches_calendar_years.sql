-- A trailing 12-month window that is a complete calendar year gives that year's figures: at each
-- December whose window is complete, kpi_client_churn_trailing_year equals kpi_churn_yearly (starting
-- cohort, churned clients, rate) and kpi_employee_turnover_trailing_year equals the year rows of
-- kpi_employee_turnover, department by department (headcounts, departures, rates). Returns the
-- years that disagree.
with

churn_trailing as (

    select * from {{ ref('kpi_client_churn_trailing_year') }}

),

churn_yearly as (

    select * from {{ ref('kpi_churn_yearly') }}

),

turnover_trailing as (

    select * from {{ ref('kpi_employee_turnover_trailing_year') }}

),

turnover as (

    select * from {{ ref('kpi_employee_turnover') }}

),

churn_years as (

    select
        'client_churn' as check_name,
        'all' as department,
        churn_yearly.year_start_on
    from churn_yearly
    left join churn_trailing
        on
            churn_trailing.month_start_on = cast({{ dbt.dateadd('month', 11, 'churn_yearly.year_start_on') }} as date)
            and churn_trailing.is_window_complete
    where
        churn_yearly.is_year_complete
        and (
            churn_trailing.month_start_on is null
            or churn_trailing.starting_client_count <> churn_yearly.starting_client_count
            or churn_trailing.churned_client_count <> churn_yearly.churned_client_count
            or coalesce(churn_trailing.client_churn_rate, -1) <> coalesce(churn_yearly.client_churn_rate, -1)
        )

),

turnover_years as (

    select
        'employee_turnover' as check_name,
        turnover.department,
        turnover.period_start_on as year_start_on
    from turnover
    left join turnover_trailing
        on
            turnover.department = turnover_trailing.department
            and turnover_trailing.month_start_on
            = cast({{ dbt.dateadd('month', 11, 'turnover.period_start_on') }} as date)
            and turnover_trailing.is_window_complete
    where
        turnover.period_type = 'year'
        and turnover.is_period_complete
        and (
            turnover_trailing.month_start_on is null
            or turnover_trailing.headcount_first_day_count <> turnover.headcount_first_day_count
            or turnover_trailing.headcount_last_day_count <> turnover.headcount_last_day_count
            or turnover_trailing.departure_count <> turnover.departure_count
            or turnover_trailing.voluntary_departure_count <> turnover.voluntary_departure_count
            or coalesce(turnover_trailing.employee_turnover_rate, -1) <> coalesce(turnover.employee_turnover_rate, -1)
        )

)

select * from churn_years
union all
select * from turnover_years
