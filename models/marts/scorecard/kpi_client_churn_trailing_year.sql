{#
    Logo churn over the trailing 12 months, at every month of the revenue window: the clients paying
    at the end of the month before the window (its starting cohort) that pay nothing at the end of
    the month, over the cohort. The definition of kpi_churn_yearly applied to a rolling year (a
    client that left and came back within the window is retained), so that a December of a
    complete year equals its year row.
#}

with

client_mrr_monthly as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

revenue_window as (

    select min(month_start_on) as first_month_start_on
    from client_mrr_monthly

),

months as (

    select distinct
        month_start_on,
        month_end_on
    from client_mrr_monthly

),

-- the window of each month: its 11 predecessors and itself, clipped to the start of the window
windows as (

    select
        months.month_start_on,
        months.month_end_on,
        case
            when {{ dbt.dateadd('month', -11, 'months.month_start_on') }} < revenue_window.first_month_start_on
                then revenue_window.first_month_start_on
            else cast({{ dbt.dateadd('month', -11, 'months.month_start_on') }} as date)
        end as window_start_on,
        {{ dbt.dateadd('month', -11, 'months.month_start_on') }} >= revenue_window.first_month_start_on
            as is_window_complete
    from months
    cross join revenue_window

),

counted_windows as (

    select
        windows.*,
        {{ dbt.datediff('windows.window_start_on', 'windows.month_start_on', 'month') }}
        + 1 as window_month_count
    from windows

),

-- the starting cohort: clients with MRR at the end of the month before the window
starting_cohort as (

    select
        windows.month_start_on,
        client_mrr_monthly.client_id
    from windows
    inner join client_mrr_monthly
        on windows.window_start_on = client_mrr_monthly.month_start_on
    where client_mrr_monthly.previous_mrr_own_currency_amount > 0

),

cohort_counts as (

    select
        starting_cohort.month_start_on,
        count(*) as starting_client_count,
        -- no row at the month: the client's spine stopped after it churned
        count(
            case
                when coalesce(ending.mrr_own_currency_amount, 0) = 0 then starting_cohort.client_id
            end
        ) as churned_client_count
    from starting_cohort
    left join client_mrr_monthly as ending
        on
            starting_cohort.client_id = ending.client_id
            and starting_cohort.month_start_on = ending.month_start_on
    group by 1

),

final as (

    select
        -- dates
        windows.month_start_on,
        windows.window_start_on,
        windows.month_end_on as window_end_on,

        -- attributes
        cast(windows.window_month_count as {{ dbt.type_int() }}) as window_month_count,

        -- logo churn over the window
        cast(coalesce(cohort_counts.starting_client_count, 0) as {{ dbt.type_bigint() }}) as starting_client_count,
        cast(coalesce(cohort_counts.churned_client_count, 0) as {{ dbt.type_bigint() }}) as churned_client_count,
        {{ safe_divide('cohort_counts.churned_client_count', 'cohort_counts.starting_client_count') }}
            as client_churn_rate,

        -- booleans
        windows.is_window_complete

    from counted_windows as windows
    left join cohort_counts
        on windows.month_start_on = cohort_counts.month_start_on

)

select * from final
