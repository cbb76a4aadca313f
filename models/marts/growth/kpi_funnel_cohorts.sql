{#
    The funnel followed by cohort: the leads created in a month (and channel), and how many of them
    have, by the as-of date, been qualified, reached an opportunity and won a client.
#}

with

months as (

    select * from {{ ref('int_growth_months') }}

),

leads as (

    select * from {{ ref('int_leads_joined_to_opportunities') }}

),

cohort_leads as (

    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month_start_on,
        channel,
        lead_id,
        -- stages are cumulative: an opportunity implies a qualified lead, a win an opportunity
        is_qualified or has_opportunity or is_won as has_reached_qualified,
        has_opportunity or is_won as has_reached_opportunity,
        is_won
    from leads

),

cohort_counts as (

    select
        cohort_month_start_on,
        channel,
        count(*) as lead_count,
        count(case when has_reached_qualified then lead_id end) as qualified_lead_count,
        count(case when has_reached_opportunity then lead_id end) as opportunity_lead_count,
        count(case when is_won then lead_id end) as won_lead_count
    from cohort_leads
    group by 1, 2

),

channels as (

    select distinct channel
    from leads

    union all

    select 'all' as channel

),

by_channel as (

    select * from cohort_counts

    union all

    select
        cohort_month_start_on,
        'all' as channel,
        sum(lead_count) as lead_count,
        sum(qualified_lead_count) as qualified_lead_count,
        sum(opportunity_lead_count) as opportunity_lead_count,
        sum(won_lead_count) as won_lead_count
    from cohort_counts
    group by 1

),

measured as (

    select
        months.month_start_on as cohort_month_start_on,
        months.is_month_complete,
        channels.channel,
        {{ dbt.datediff('months.month_start_on', 'max(months.month_start_on) over ()', 'month') }}
            as cohort_age_months,
        cast(coalesce(by_channel.lead_count, 0) as {{ dbt.type_bigint() }}) as lead_count,
        cast(coalesce(by_channel.qualified_lead_count, 0) as {{ dbt.type_bigint() }}) as qualified_lead_count,
        cast(coalesce(by_channel.opportunity_lead_count, 0) as {{ dbt.type_bigint() }}) as opportunity_lead_count,
        cast(coalesce(by_channel.won_lead_count, 0) as {{ dbt.type_bigint() }}) as won_lead_count
    from months
    cross join channels
    left join by_channel
        on
            months.month_start_on = by_channel.cohort_month_start_on
            and channels.channel = by_channel.channel

),

final as (

    select
        -- cohort
        cohort_month_start_on,
        channel,
        cast(cohort_age_months as {{ dbt.type_int() }}) as cohort_age_months,

        -- leads of the cohort by the furthest stage reached
        lead_count,
        qualified_lead_count,
        opportunity_lead_count,
        won_lead_count,

        -- conversion
        {{ safe_divide('qualified_lead_count', 'lead_count') }} as lead_to_qualified_rate,
        {{ safe_divide('opportunity_lead_count', 'qualified_lead_count') }} as qualified_to_opportunity_rate,
        {{ safe_divide('won_lead_count', 'opportunity_lead_count') }} as opportunity_to_won_rate,
        {{ safe_divide('won_lead_count', 'lead_count') }} as lead_to_won_rate,

        -- booleans
        is_month_complete as is_cohort_complete

    from measured

)

select * from final
