{#
    MRR of the MSP month by month, its movements and the fx effect, ARPA, the recurring share of
    invoiced revenue and MRR growth (doc block kpi_mrr_monthly).
#}

with

client_mrr_monthly as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

invoice_lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

bounds as (

    select
        min(month_start_on) as first_month_start_on,
        max(month_start_on) as last_month_start_on
    from client_mrr_monthly

),

months as (

    {{ month_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

mrr_by_month as (

    select
        month_start_on,
        sum(mrr_amount) as mrr_amount,
        sum(previous_mrr_amount) as previous_mrr_amount,
        sum(case when change_category = 'new' then mrr_movement_amount else 0 end) as new_mrr_amount,
        sum(case when change_category = 'expansion' then mrr_movement_amount else 0 end) as expansion_mrr_amount,
        sum(case when change_category = 'reactivation' then mrr_movement_amount else 0 end)
            as reactivation_mrr_amount,
        -- contraction and churn as positive amounts (MRR lost)
        sum(case when change_category = 'contraction' then -mrr_movement_amount else 0 end)
            as contraction_mrr_amount,
        sum(case when change_category = 'churn' then -mrr_movement_amount else 0 end) as churned_mrr_amount,
        sum(fx_effect_amount) as fx_effect_amount,
        sum(case when is_paying then 1 else 0 end) as paying_client_count,
        sum(case when previous_mrr_own_currency_amount > 0 then 1 else 0 end) as previous_paying_client_count,
        sum(case when change_category = 'new' then 1 else 0 end) as new_client_count,
        sum(case when change_category = 'expansion' then 1 else 0 end) as expansion_client_count,
        sum(case when change_category = 'contraction' then 1 else 0 end) as contraction_client_count,
        sum(case when change_category = 'churn' then 1 else 0 end) as churned_client_count,
        sum(case when change_category = 'reactivation' then 1 else 0 end) as reactivated_client_count
    from client_mrr_monthly
    group by month_start_on

),

invoiced_by_month as (

    select
        month_start_on,
        sum(case when is_recurring then line_amount else 0 end) as recurring_invoiced_amount,
        sum(line_amount) as invoiced_amount
    from invoice_lines
    group by month_start_on

),

joined as (

    select
        months.month_start_on,
        months.month_end_on,
        coalesce(mrr_by_month.mrr_amount, 0) as mrr_amount,
        coalesce(mrr_by_month.previous_mrr_amount, 0) as previous_mrr_amount,
        coalesce(mrr_by_month.new_mrr_amount, 0) as new_mrr_amount,
        coalesce(mrr_by_month.expansion_mrr_amount, 0) as expansion_mrr_amount,
        coalesce(mrr_by_month.reactivation_mrr_amount, 0) as reactivation_mrr_amount,
        coalesce(mrr_by_month.contraction_mrr_amount, 0) as contraction_mrr_amount,
        coalesce(mrr_by_month.churned_mrr_amount, 0) as churned_mrr_amount,
        coalesce(mrr_by_month.fx_effect_amount, 0) as fx_effect_amount,
        coalesce(mrr_by_month.paying_client_count, 0) as paying_client_count,
        coalesce(mrr_by_month.previous_paying_client_count, 0) as previous_paying_client_count,
        coalesce(mrr_by_month.new_client_count, 0) as new_client_count,
        coalesce(mrr_by_month.expansion_client_count, 0) as expansion_client_count,
        coalesce(mrr_by_month.contraction_client_count, 0) as contraction_client_count,
        coalesce(mrr_by_month.churned_client_count, 0) as churned_client_count,
        coalesce(mrr_by_month.reactivated_client_count, 0) as reactivated_client_count,
        coalesce(invoiced_by_month.recurring_invoiced_amount, 0) as recurring_invoiced_amount,
        coalesce(invoiced_by_month.invoiced_amount, 0) as invoiced_amount
    from months
    left join mrr_by_month
        on months.month_start_on = mrr_by_month.month_start_on
    left join invoiced_by_month
        on months.month_start_on = invoiced_by_month.month_start_on

),

measured as (

    select
        joined.*,
        joined.new_mrr_amount + joined.expansion_mrr_amount + joined.reactivation_mrr_amount
        - joined.contraction_mrr_amount - joined.churned_mrr_amount as net_new_mrr_amount,
        joined.mrr_amount - joined.previous_mrr_amount as mrr_change_amount,
        {{ safe_divide('joined.mrr_amount', 'joined.paying_client_count') }} as arpa_amount,
        {{ safe_divide('joined.recurring_invoiced_amount', 'joined.invoiced_amount') }}
            as recurring_revenue_share_rate,
        {{ safe_divide('joined.mrr_amount - joined.previous_mrr_amount', 'joined.previous_mrr_amount') }}
            as mrr_growth_rate
    from joined

),

final as (

    select
        -- attributes
        reporting.reporting_currency,

        -- dates
        measured.month_start_on,
        measured.month_end_on,

        -- MRR and its movements, in the reporting currency
        cast(measured.mrr_amount as {{ type_double() }}) as mrr_amount,
        cast(measured.previous_mrr_amount as {{ type_double() }}) as previous_mrr_amount,
        cast(measured.mrr_change_amount as {{ type_double() }}) as mrr_change_amount,
        cast(measured.new_mrr_amount as {{ type_double() }}) as new_mrr_amount,
        cast(measured.expansion_mrr_amount as {{ type_double() }}) as expansion_mrr_amount,
        cast(measured.reactivation_mrr_amount as {{ type_double() }}) as reactivation_mrr_amount,
        cast(measured.contraction_mrr_amount as {{ type_double() }}) as contraction_mrr_amount,
        cast(measured.churned_mrr_amount as {{ type_double() }}) as churned_mrr_amount,
        cast(measured.net_new_mrr_amount as {{ type_double() }}) as net_new_mrr_amount,
        cast(measured.fx_effect_amount as {{ type_double() }}) as fx_effect_amount,

        -- clients
        cast(measured.paying_client_count as bigint) as paying_client_count,
        cast(measured.previous_paying_client_count as bigint) as previous_paying_client_count,
        cast(measured.new_client_count as bigint) as new_client_count,
        cast(measured.expansion_client_count as bigint) as expansion_client_count,
        cast(measured.contraction_client_count as bigint) as contraction_client_count,
        cast(measured.churned_client_count as bigint) as churned_client_count,
        cast(measured.reactivated_client_count as bigint) as reactivated_client_count,
        cast(measured.arpa_amount as {{ type_double() }}) as arpa_amount,

        -- recurring share of invoiced revenue
        cast(measured.recurring_invoiced_amount as {{ type_double() }}) as recurring_invoiced_amount,
        cast(measured.invoiced_amount as {{ type_double() }}) as invoiced_amount,
        measured.recurring_revenue_share_rate,
        {{ benchmark_status('measured.recurring_revenue_share_rate', 'recurring_share_benchmark') }}
            as recurring_revenue_share_status,

        -- growth: numerator mrr_change_amount, denominator previous_mrr_amount
        measured.mrr_growth_rate,
        {{ benchmark_status('measured.mrr_growth_rate', 'mrr_growth_benchmark') }} as mrr_growth_status

    from measured
    cross join reporting
    left join benchmarks as recurring_share_benchmark
        on recurring_share_benchmark.kpi_name = 'recurring_revenue_share_rate'
    left join benchmarks as mrr_growth_benchmark
        on mrr_growth_benchmark.kpi_name = 'mrr_growth_rate'

)

select * from final
