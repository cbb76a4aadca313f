{#
    Cost per lead of seed 002 per month and channel, plus the month's total (channel 'all'):
    marketing spend (reporting currency) / leads created, and / leads qualified. 100,000 / 500 ->
    200; a qualified lead costs an MSP 100 to 300 USD.
#}

with

months as (

    select * from {{ ref('int_growth_months') }}

),

spend as (

    select * from {{ ref('int_marketing_spend_monthly') }}

),

events as (

    select * from {{ ref('int_funnel_events_unioned') }}

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

monthly_leads as (

    select
        cast({{ dbt.date_trunc('month', 'reached_on') }} as date) as month_start_on,
        channel,
        sum(case when funnel_stage = 'lead' then event_count else 0 end) as lead_count,
        sum(case when funnel_stage = 'qualified_lead' then event_count else 0 end) as qualified_lead_count
    from events
    where funnel_stage in ('lead', 'qualified_lead')
    group by 1, 2

),

channels as (

    select channel from spend
    union
    select channel from monthly_leads

),

by_channel as (

    select
        months.month_start_on,
        months.is_month_complete,
        channels.channel,
        coalesce(spend.marketing_spend_amount, 0) as marketing_spend_amount,
        coalesce(monthly_leads.lead_count, 0) as lead_count,
        coalesce(monthly_leads.qualified_lead_count, 0) as qualified_lead_count
    from months
    cross join channels
    left join spend
        on
            months.month_start_on = spend.month_start_on
            and channels.channel = spend.channel
    left join monthly_leads
        on
            months.month_start_on = monthly_leads.month_start_on
            and channels.channel = monthly_leads.channel

),

with_total as (

    select * from by_channel

    union all

    select
        month_start_on,
        is_month_complete,
        'all' as channel,
        sum(marketing_spend_amount) as marketing_spend_amount,
        sum(lead_count) as lead_count,
        sum(qualified_lead_count) as qualified_lead_count
    from by_channel
    group by 1, 2

),

-- the seed's figures are in USD: converted at the month's rate, null without a rate
benchmark_in_reporting as (

    {{ benchmarks_in_reporting_currency('benchmarks', 'fx_rates_monthly', kpi_name='cost_per_lead_amount') }}

),

final as (

    select
        -- dates
        with_total.month_start_on,

        -- attributes
        with_total.channel,

        -- spend and leads
        {{ to_decimal('with_total.marketing_spend_amount') }} as marketing_spend_amount,
        reporting.reporting_currency,
        cast(with_total.lead_count as {{ dbt.type_bigint() }}) as lead_count,
        cast(with_total.qualified_lead_count as {{ dbt.type_bigint() }}) as qualified_lead_count,

        -- cost per lead
        {{ to_decimal(safe_divide(
            'with_total.marketing_spend_amount', 'with_total.lead_count'
        )) }} as cost_per_lead_amount,
        {{ to_decimal(safe_divide(
            'with_total.marketing_spend_amount', 'with_total.qualified_lead_count'
        )) }} as cost_per_qualified_lead_amount,

        -- benchmark: the seed's range is for a qualified lead
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        benchmark.benchmark_currency,
        {{ to_decimal('benchmark_in_reporting.minimum_value') }} as benchmark_minimum_amount,
        {{ to_decimal('benchmark_in_reporting.target_value') }} as benchmark_target_amount,
        {{ benchmark_status(
            safe_divide('with_total.marketing_spend_amount', 'with_total.qualified_lead_count'),
            'benchmark_in_reporting',
        ) }} as benchmark_status,

        -- booleans
        with_total.is_month_complete

    from with_total
    cross join reporting
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'cost_per_lead_amount'
    left join benchmark_in_reporting
        on with_total.month_start_on = benchmark_in_reporting.month_start_on

)

select * from final
