{#
    The sales and marketing funnel of seed 002 per month and channel: visitors -> leads ->
    qualified leads -> opportunities -> won clients, each counted in the month the stage was
    reached, with the conversion of each step and of the whole funnel. 50 leads of 1,000 visitors
    -> 0.05; at least 2 to 5 % from the web.
#}

with

months as (

    select * from {{ ref('int_growth_months') }}

),

events as (

    select * from {{ ref('int_funnel_events_unioned') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

monthly_events as (

    select
        cast({{ dbt.date_trunc('month', 'reached_on') }} as date) as month_start_on,
        channel,
        sum(case when funnel_stage = 'visitor' then event_count else 0 end) as visitor_count,
        sum(case when funnel_stage = 'lead' then event_count else 0 end) as lead_count,
        sum(case when funnel_stage = 'qualified_lead' then event_count else 0 end) as qualified_lead_count,
        sum(case when funnel_stage = 'opportunity' then event_count else 0 end) as opportunity_count,
        sum(case when funnel_stage = 'won_client' then event_count else 0 end) as won_client_count
    from events
    group by 1, 2

),

-- every channel, and 'all' for the total of the month
channels as (

    select distinct channel
    from events

    union all

    select 'all' as channel

),

by_channel as (

    select
        month_start_on,
        channel,
        visitor_count,
        lead_count,
        qualified_lead_count,
        opportunity_count,
        won_client_count
    from monthly_events

    union all

    select
        month_start_on,
        'all' as channel,
        sum(visitor_count) as visitor_count,
        sum(lead_count) as lead_count,
        sum(qualified_lead_count) as qualified_lead_count,
        sum(opportunity_count) as opportunity_count,
        sum(won_client_count) as won_client_count
    from monthly_events
    group by 1

),

measured as (

    select
        months.month_start_on,
        months.is_month_complete,
        channels.channel,
        cast(coalesce(by_channel.visitor_count, 0) as {{ dbt.type_bigint() }}) as visitor_count,
        cast(coalesce(by_channel.lead_count, 0) as {{ dbt.type_bigint() }}) as lead_count,
        cast(coalesce(by_channel.qualified_lead_count, 0) as {{ dbt.type_bigint() }}) as qualified_lead_count,
        cast(coalesce(by_channel.opportunity_count, 0) as {{ dbt.type_bigint() }}) as opportunity_count,
        cast(coalesce(by_channel.won_client_count, 0) as {{ dbt.type_bigint() }}) as won_client_count
    from months
    cross join channels
    left join by_channel
        on
            months.month_start_on = by_channel.month_start_on
            and channels.channel = by_channel.channel

),

final as (

    select
        -- dates
        measured.month_start_on,

        -- attributes
        measured.channel,

        -- stages, each in the month it was reached
        measured.visitor_count,
        measured.lead_count,
        measured.qualified_lead_count,
        measured.opportunity_count,
        measured.won_client_count,

        -- conversion of each step, and of the whole funnel
        {{ safe_divide('measured.lead_count', 'measured.visitor_count') }} as web_conversion_rate,
        {{ safe_divide('measured.qualified_lead_count', 'measured.lead_count') }} as lead_to_qualified_rate,
        {{ safe_divide('measured.opportunity_count', 'measured.qualified_lead_count') }}
            as qualified_to_opportunity_rate,
        {{ safe_divide('measured.won_client_count', 'measured.opportunity_count') }} as opportunity_to_won_rate,
        {{ safe_divide('measured.won_client_count', 'measured.visitor_count') }} as visitor_to_won_rate,

        -- benchmark of the visitor -> lead step
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        {{ benchmark_status(safe_divide('measured.lead_count', 'measured.visitor_count'), 'benchmark') }}
            as benchmark_status,

        -- booleans
        measured.is_month_complete

    from measured
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'web_conversion_rate'

)

select * from final
