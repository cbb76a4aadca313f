-- The funnel counts each visitor, lead, qualification, opportunity and won client of the CRM once,
-- in the month the stage was reached: over the months of the growth history, the 'all' rows of
-- kpi_funnel_monthly equal the staging counts dated in those months (a client is won once, at its
-- first won opportunity), and the channels add up to 'all' (kpi_cost_per_lead_monthly too).
-- Returns one row per measure that disagrees.
with

months as (

    select
        min(month_start_on) as first_month_start_on,
        max(month_end_on) as last_month_end_on
    from {{ ref('int_growth_months') }}

),

first_wins as (

    select
        coalesce(client_id, 'opportunity:' || opportunity_id) as won_client_key,
        min(closed_at) as won_at
    from {{ ref('stg_crm__opportunities') }}
    where is_won and closed_at is not null
    group by coalesce(client_id, 'opportunity:' || opportunity_id)

),

staged_days as (

    select
        'visitor' as measure,
        visited_on as reached_on,
        visitor_count as event_count
    from {{ ref('stg_crm__web_traffic') }}
    union all
    select
        'lead' as measure,
        cast(created_at as date) as reached_on,
        1 as event_count
    from {{ ref('stg_crm__leads') }}
    union all
    select
        'qualified_lead' as measure,
        cast(qualified_at as date) as reached_on,
        1 as event_count
    from {{ ref('stg_crm__leads') }}
    where qualified_at is not null
    union all
    select
        'opportunity' as measure,
        cast(created_at as date) as reached_on,
        1 as event_count
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        'won_client' as measure,
        cast(won_at as date) as reached_on,
        1 as event_count
    from first_wins

),

expected as (

    select
        staged_days.measure,
        sum(staged_days.event_count) as expected_count
    from staged_days
    cross join months
    where
        staged_days.reached_on >= months.first_month_start_on
        and staged_days.reached_on <= months.last_month_end_on
    group by staged_days.measure

),

funnel as (

    select * from {{ ref('kpi_funnel_monthly') }}

),

funnel_totals as (

    {% for measure in ['visitor', 'lead', 'qualified_lead', 'opportunity', 'won_client'] -%}
        select
            '{{ measure }}' as measure,
            sum(case when channel = 'all' then {{ measure }}_count else 0 end) as all_count,
            sum(case when channel <> 'all' then {{ measure }}_count else 0 end) as channel_count
        from funnel
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

cost_per_lead_totals as (

    select
        'cost_per_lead_spend' as measure,
        sum(case when channel = 'all' then marketing_spend_amount else 0 end) as all_amount,
        sum(case when channel <> 'all' then marketing_spend_amount else 0 end) as channel_amount
    from {{ ref('kpi_cost_per_lead_monthly') }}

)

select
    funnel_totals.measure,
    expected.expected_count as compared_count,
    funnel_totals.all_count,
    funnel_totals.channel_count
from funnel_totals
left join expected
    on funnel_totals.measure = expected.measure
where
    funnel_totals.all_count <> coalesce(expected.expected_count, 0)
    or funnel_totals.all_count <> funnel_totals.channel_count

union all

select
    measure,
    null as compared_count,
    all_amount as all_count,
    channel_amount as channel_count
from cost_per_lead_totals
where abs(all_amount - channel_amount) > 0.01
