{#
    Logo churn, revenue churn, gross MRR churn and net MRR retention by month (doc blocks
    kpi_churn_monthly and mrr_retention): the clients paying at the end of the previous month and
    what became of their MRR by the end of this one. The cohort arithmetic is int_client_churn_periods'.
#}

with

churn_periods as (

    select * from {{ ref('int_client_churn_periods') }}
    where period_type = 'month'

),

final as (

    select
        -- attributes
        reporting_currency,

        -- dates
        period_start_on as month_start_on,
        period_end_on,

        -- logo churn
        starting_client_count,
        churned_client_count,
        client_churn_rate,

        -- MRR of the starting clients, in the reporting currency at the rates of the period's last month
        starting_mrr_amount,
        expansion_mrr_amount,
        contraction_mrr_amount,
        churned_mrr_amount,
        retained_mrr_amount,
        revenue_churn_rate,
        gross_mrr_churn_rate,
        net_mrr_retention_rate

    from churn_periods

)

select * from final
