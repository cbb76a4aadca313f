{#
    Logo churn, revenue churn, gross MRR churn and net MRR retention by year (doc blocks
    kpi_churn_yearly and mrr_retention): the clients paying at the end of the previous year and
    what became of their MRR by the end of this one. The cohort arithmetic is int_client_churn_periods'.
#}

with

churn_periods as (

    select * from {{ ref('int_client_churn_periods') }}
    where period_type = 'year'

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

final as (

    select
        -- attributes
        churn_periods.reporting_currency,

        -- dates
        churn_periods.period_start_on as year_start_on,
        churn_periods.period_end_on,

        -- logo churn
        churn_periods.starting_client_count,
        churn_periods.churned_client_count,
        churn_periods.client_churn_rate,
        -- a year to date is not a yearly rate: no status against the yearly benchmark
        case
            when churn_periods.is_period_complete
                then {{ benchmark_status('churn_periods.client_churn_rate', 'churn_benchmark') }}
        end as client_churn_status,

        -- MRR of the starting clients, in the reporting currency at the rates of the period's last month
        churn_periods.starting_mrr_amount,
        churn_periods.expansion_mrr_amount,
        churn_periods.contraction_mrr_amount,
        churn_periods.churned_mrr_amount,
        churn_periods.retained_mrr_amount,
        churn_periods.revenue_churn_rate,
        churn_periods.gross_mrr_churn_rate,
        churn_periods.net_mrr_retention_rate,

        -- booleans
        churn_periods.is_period_complete as is_year_complete

    from churn_periods
    left join benchmarks as churn_benchmark
        on churn_benchmark.kpi_name = 'client_churn_rate'

)

select * from final
