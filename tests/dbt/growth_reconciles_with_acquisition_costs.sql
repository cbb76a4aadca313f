-- One definition of the converted marketing spend and of a won client: for every month with a
-- client won inside the CRM's cost history, the spend of int_marketing_spend_monthly (by channel,
-- summed) equals the month's spend of int_client_acquisition_costs; the spend of
-- kpi_cost_per_lead_monthly (channel 'all') equals int_marketing_spend_monthly in every month of the
-- growth history; and the clients won through an opportunity of kpi_client_acquisition_cost_monthly
-- are the won clients of kpi_funnel_monthly (channel 'all'). Returns the months that disagree (by
-- more than a cent for amounts).
with

spend_by_channel as (

    select
        month_start_on,
        sum(marketing_spend_amount) as marketing_spend_amount
    from {{ ref('int_marketing_spend_monthly') }}
    group by month_start_on

),

acquisition_months as (

    select
        won_month_start_on as month_start_on,
        max(won_month_marketing_spend_amount) as marketing_spend_amount
    from {{ ref('int_client_acquisition_costs') }}
    where has_acquisition_cost
    group by won_month_start_on

),

cost_per_lead_months as (

    select
        month_start_on,
        marketing_spend_amount
    from {{ ref('kpi_cost_per_lead_monthly') }}
    where channel = 'all'

),

funnel_wins as (

    select
        month_start_on,
        won_client_count
    from {{ ref('kpi_funnel_monthly') }}
    where channel = 'all'

),

acquisition_wins as (

    select
        month_start_on,
        won_opportunity_client_count
    from {{ ref('kpi_client_acquisition_cost_monthly') }}

),

disagreements as (

    select
        'int_client_acquisition_costs' as compared_with,
        acquisition_months.month_start_on,
        acquisition_months.marketing_spend_amount as expected_amount,
        coalesce(spend_by_channel.marketing_spend_amount, 0) as actual_amount
    from acquisition_months
    left join spend_by_channel
        on acquisition_months.month_start_on = spend_by_channel.month_start_on

    union all

    select
        'kpi_cost_per_lead_monthly' as compared_with,
        cost_per_lead_months.month_start_on,
        coalesce(spend_by_channel.marketing_spend_amount, 0) as expected_amount,
        cost_per_lead_months.marketing_spend_amount as actual_amount
    from cost_per_lead_months
    left join spend_by_channel
        on cost_per_lead_months.month_start_on = spend_by_channel.month_start_on

    union all

    select
        'kpi_client_acquisition_cost_monthly' as compared_with,
        funnel_wins.month_start_on,
        funnel_wins.won_client_count as expected_amount,
        coalesce(acquisition_wins.won_opportunity_client_count, 0) as actual_amount
    from funnel_wins
    left join acquisition_wins
        on funnel_wins.month_start_on = acquisition_wins.month_start_on

)

select *
from disagreements
where abs(expected_amount - actual_amount) > 0.01
