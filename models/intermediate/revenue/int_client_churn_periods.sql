{#
    The churn cohort of every period, month and year alike (doc block mrr_retention): how many
    clients paid at the period's start, how many left, where their MRR went, and the four rates.
    kpi_churn_monthly and kpi_churn_yearly are this model's months and years.
#}

with

retention_periods as (

    select * from {{ ref('int_client_mrr_retention_periods') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

-- every period of the window, also one without a starting client
periods as (

    select distinct
        period_type,
        period_start_on,
        period_end_on,
        is_period_complete
    from retention_periods

),

by_period as (

    select
        period_type,
        period_start_on,
        count(*) as starting_client_count,
        sum(case when retention_category = 'churn' then 1 else 0 end) as churned_client_count,
        sum(starting_mrr_amount) as starting_mrr_amount,
        sum(case when retention_category = 'expansion' then ending_mrr_amount - starting_mrr_amount else 0 end)
            as expansion_mrr_amount,
        sum(case when retention_category = 'contraction' then starting_mrr_amount - ending_mrr_amount else 0 end)
            as contraction_mrr_amount,
        sum(case when retention_category = 'churn' then starting_mrr_amount else 0 end) as churned_mrr_amount,
        sum(ending_mrr_amount) as retained_mrr_amount
    from retention_periods
    group by period_type, period_start_on

),

joined as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.period_end_on,
        periods.is_period_complete,
        coalesce(by_period.starting_client_count, 0) as starting_client_count,
        coalesce(by_period.churned_client_count, 0) as churned_client_count,
        coalesce(by_period.starting_mrr_amount, 0) as starting_mrr_amount,
        coalesce(by_period.expansion_mrr_amount, 0) as expansion_mrr_amount,
        coalesce(by_period.contraction_mrr_amount, 0) as contraction_mrr_amount,
        coalesce(by_period.churned_mrr_amount, 0) as churned_mrr_amount,
        coalesce(by_period.retained_mrr_amount, 0) as retained_mrr_amount
    from periods
    left join by_period
        on
            periods.period_type = by_period.period_type
            and periods.period_start_on = by_period.period_start_on

),

final as (

    select
        -- attributes
        joined.period_type,
        reporting.reporting_currency,

        -- dates
        joined.period_start_on,
        joined.period_end_on,

        -- logo churn
        cast(joined.starting_client_count as bigint) as starting_client_count,
        cast(joined.churned_client_count as bigint) as churned_client_count,
        {{ safe_divide('joined.churned_client_count', 'joined.starting_client_count') }} as client_churn_rate,

        -- MRR of the starting clients, in the reporting currency at the rates of the period's last month
        cast(joined.starting_mrr_amount as {{ type_double() }}) as starting_mrr_amount,
        cast(joined.expansion_mrr_amount as {{ type_double() }}) as expansion_mrr_amount,
        cast(joined.contraction_mrr_amount as {{ type_double() }}) as contraction_mrr_amount,
        cast(joined.churned_mrr_amount as {{ type_double() }}) as churned_mrr_amount,
        cast(joined.retained_mrr_amount as {{ type_double() }}) as retained_mrr_amount,
        {{ safe_divide('joined.churned_mrr_amount', 'joined.starting_mrr_amount') }} as revenue_churn_rate,
        {{ safe_divide('joined.churned_mrr_amount + joined.contraction_mrr_amount', 'joined.starting_mrr_amount') }}
            as gross_mrr_churn_rate,
        {{ safe_divide('joined.retained_mrr_amount', 'joined.starting_mrr_amount') }} as net_mrr_retention_rate,

        -- booleans
        joined.is_period_complete

    from joined
    cross join reporting

)

select * from final
