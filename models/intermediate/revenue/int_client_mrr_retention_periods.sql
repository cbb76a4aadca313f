{#
    Each client of a period's starting cohort (MRR at the end of the month before the period) with
    its MRR at the end of the period: the one comparison behind logo churn, revenue churn and net
    MRR retention, by month and by calendar year (doc block mrr_retention).
#}

with

client_mrr_monthly as (

    select * from {{ ref('int_client_mrr_monthly') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

window_bounds as (

    select
        min(case when is_in_revenue_window then month_start_on end) as first_month_start_on,
        max(month_start_on) as last_month_start_on
    from client_mrr_monthly

),

window_months as (

    select distinct client_mrr_monthly.month_start_on
    from client_mrr_monthly
    where client_mrr_monthly.is_in_revenue_window

),

-- a period starts at the end of the month before its first month (the starting snapshot, which the
-- previous MRR of its first month gives) and ends at the end of its last month
periods as (

    select
        'month' as period_type,
        month_start_on as period_start_on,
        month_start_on as first_month_start_on,
        month_start_on as last_month_start_on,
        true as is_period_complete
    from window_months

    union all

    -- calendar years whose January is in the window; the current year runs to the last month
    select
        'year' as period_type,
        window_months.month_start_on as period_start_on,
        window_months.month_start_on as first_month_start_on,
        case
            when
                cast({{ dbt.dateadd('month', 11, 'window_months.month_start_on') }} as date)
                <= window_bounds.last_month_start_on
                then cast({{ dbt.dateadd('month', 11, 'window_months.month_start_on') }} as date)
            else window_bounds.last_month_start_on
        end as last_month_start_on,
        cast({{ dbt.dateadd('month', 11, 'window_months.month_start_on') }} as date)
        <= window_bounds.last_month_start_on as is_period_complete
    from window_months
    cross join window_bounds
    where extract(month from window_months.month_start_on) = 1

),

-- the starting cohort: clients with MRR at the end of the month before the period
starting_cohort as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.last_month_start_on,
        periods.is_period_complete,
        client_mrr_monthly.client_id,
        client_mrr_monthly.currency,
        client_mrr_monthly.previous_mrr_own_currency_amount as starting_mrr_own_currency_amount
    from periods
    inner join client_mrr_monthly
        on periods.first_month_start_on = client_mrr_monthly.month_start_on
    where client_mrr_monthly.previous_mrr_own_currency_amount > 0

),

with_ending as (

    select
        starting_cohort.*,
        -- no row at the period's end: the client churned earlier (its spine stopped)
        coalesce(ending.mrr_own_currency_amount, 0) as ending_mrr_own_currency_amount,
        fx_rates_monthly.rate_to_reporting
    from starting_cohort
    left join client_mrr_monthly as ending
        on
            starting_cohort.client_id = ending.client_id
            and starting_cohort.last_month_start_on = ending.month_start_on
    left join fx_rates_monthly
        on
            starting_cohort.currency = fx_rates_monthly.currency
            and starting_cohort.last_month_start_on = fx_rates_monthly.month_start_on

),

final as (

    select
        -- ids
        with_ending.client_id,

        -- attributes
        with_ending.period_type,
        with_ending.currency,
        case
            when with_ending.ending_mrr_own_currency_amount = 0 then 'churn'
            when with_ending.ending_mrr_own_currency_amount > with_ending.starting_mrr_own_currency_amount
                then 'expansion'
            when with_ending.ending_mrr_own_currency_amount < with_ending.starting_mrr_own_currency_amount
                then 'contraction'
            else 'unchanged'
        end as retention_category,

        -- dates
        with_ending.period_start_on,
        cast({{ dbt.last_day('with_ending.last_month_start_on', 'month') }} as date) as period_end_on,

        -- amounts in the client's own currency
        with_ending.starting_mrr_own_currency_amount,
        with_ending.ending_mrr_own_currency_amount,

        -- amounts in the reporting currency, both at the rate of the period's last month
        with_ending.starting_mrr_own_currency_amount * with_ending.rate_to_reporting as starting_mrr_amount,
        with_ending.ending_mrr_own_currency_amount * with_ending.rate_to_reporting as ending_mrr_amount,
        with_ending.rate_to_reporting,

        -- booleans
        with_ending.is_period_complete

    from with_ending

)

select * from final
