{#
    Cost per hire of seed 002 per month and year: recruiting, interviewing, onboarding and training
    costs incurred in the period (in the reporting currency) / employees hired in the period.
    60,000 / 12 -> 5,000; 4,000 to 7,000 USD in professional services.
#}

with

periods as (

    select * from {{ ref('int_people_periods') }}
    where period_type in ('month', 'year')

),

employees as (

    select * from {{ ref('dim_employees') }}

),

recruiting_costs as (

    select * from {{ ref('stg_hr__recruiting_costs') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

reporting as (

    select max(reporting_currency) as reporting_currency
    from fx_rates_monthly

),

converted_costs as (

    select
        recruiting_costs.recruiting_cost_id,
        recruiting_costs.incurred_on,
        recruiting_costs.cost_amount * fx_rates_monthly.rate_to_reporting as cost_reporting_amount
    from recruiting_costs
    left join fx_rates_monthly
        on
            recruiting_costs.currency = fx_rates_monthly.currency
            and cast({{ dbt.date_trunc('month', 'recruiting_costs.incurred_on') }} as date)
            = fx_rates_monthly.month_start_on

),

period_costs as (

    select
        periods.period_type,
        periods.period_start_on,
        count(*) as recruiting_cost_count,
        sum(converted_costs.cost_reporting_amount) as recruiting_cost_amount
    from periods
    inner join converted_costs
        on
            periods.first_day_on <= converted_costs.incurred_on
            and periods.last_day_on >= converted_costs.incurred_on
    group by 1, 2

),

period_hires as (

    select
        periods.period_type,
        periods.period_start_on,
        count(*) as hire_count
    from periods
    inner join employees
        on
            periods.first_day_on <= employees.hired_on
            and periods.last_day_on >= employees.hired_on
    group by 1, 2

),

-- the seed's figures are in USD: converted at the rate of the period's last measured month, and
-- left null (no status) when the warehouse has no rate for that currency
benchmark_in_reporting as (

    {{ benchmarks_in_reporting_currency('benchmarks', 'fx_rates_monthly', kpi_name='cost_per_hire_amount') }}

),

measured as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.period_end_on,
        periods.first_day_on,
        periods.last_day_on,
        periods.is_period_complete,
        coalesce(period_costs.recruiting_cost_count, 0) as recruiting_cost_count,
        coalesce(period_costs.recruiting_cost_amount, 0) as recruiting_cost_amount,
        coalesce(period_hires.hire_count, 0) as hire_count
    from periods
    left join period_costs
        on
            periods.period_type = period_costs.period_type
            and periods.period_start_on = period_costs.period_start_on
    left join period_hires
        on
            periods.period_type = period_hires.period_type
            and periods.period_start_on = period_hires.period_start_on

),

final as (

    select
        -- period
        measured.period_type,
        measured.period_start_on,
        measured.period_end_on,
        measured.first_day_on,
        measured.last_day_on,

        -- cost per hire
        {{ to_decimal('measured.recruiting_cost_amount') }} as recruiting_cost_amount,
        measured.recruiting_cost_count,
        measured.hire_count,
        {{ to_decimal(safe_divide(
            'measured.recruiting_cost_amount', 'measured.hire_count'
        )) }} as cost_per_hire_amount,
        reporting.reporting_currency,

        -- benchmark
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        benchmark.benchmark_currency,
        {{ to_decimal('benchmark_in_reporting.minimum_value') }} as benchmark_minimum_amount,
        {{ to_decimal('benchmark_in_reporting.target_value') }} as benchmark_target_amount,
        {{ benchmark_status(
            safe_divide('measured.recruiting_cost_amount', 'measured.hire_count'), 'benchmark_in_reporting'
        ) }} as benchmark_status,

        -- booleans
        measured.is_period_complete

    from measured
    cross join reporting
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'cost_per_hire_amount'
    left join benchmark_in_reporting
        on cast({{ dbt.date_trunc('month', 'measured.last_day_on') }} as date) = benchmark_in_reporting.month_start_on

)

select * from final
