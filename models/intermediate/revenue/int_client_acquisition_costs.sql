{#
    The acquisition cost of every client: the marketing spend and sales costs of the month it was
    won, shared equally by the clients won that month (doc block client_acquisition_costs).
#}

with

clients as (

    select * from {{ ref('stg_psa__clients') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

marketing_spend as (

    select * from {{ ref('stg_crm__marketing_spend') }}

),

sales_costs as (

    select * from {{ ref('stg_crm__sales_costs') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

reporting as (

    select distinct reporting_currency
    from fx_rates_monthly

),

-- the client's first won opportunity (the earliest close; ties to the lower id)
won_opportunities_ranked as (

    select
        client_id,
        opportunity_id,
        cast(closed_at as date) as won_on,
        row_number() over (partition by client_id order by closed_at asc, opportunity_id asc) as won_rank
    from opportunities
    where is_won and client_id is not null and closed_at is not null

),

first_agreements as (

    select
        client_id,
        min(started_on) as first_started_on
    from agreements
    group by client_id

),

clients_won as (

    select
        clients.client_id,
        won_opportunities_ranked.opportunity_id as won_opportunity_id,
        case
            when won_opportunities_ranked.opportunity_id is not null then 'won_opportunity'
            -- a client record older than its first agreement in the extract was a client before
            when cast(clients.created_at as date) < first_agreements.first_started_on then 'client_created'
            when first_agreements.first_started_on is not null then 'first_agreement'
        end as won_source,
        case
            when won_opportunities_ranked.opportunity_id is not null then won_opportunities_ranked.won_on
            when cast(clients.created_at as date) < first_agreements.first_started_on
                then cast(clients.created_at as date)
            else first_agreements.first_started_on
        end as won_on
    from clients
    left join won_opportunities_ranked
        on
            clients.client_id = won_opportunities_ranked.client_id
            and won_opportunities_ranked.won_rank = 1
    left join first_agreements
        on clients.client_id = first_agreements.client_id

),

clients_won_monthly as (

    select
        clients_won.*,
        cast({{ dbt.date_trunc('month', 'clients_won.won_on') }} as date) as won_month_start_on
    from clients_won

),

spend_monthly as (

    select
        cast({{ dbt.date_trunc('month', 'marketing_spend.spent_on') }} as date) as month_start_on,
        -- a missing rate fails revenue_every_currency_has_a_rate
        sum(marketing_spend.spend_amount * fx_rates_monthly.rate_to_reporting) as marketing_spend_amount
    from marketing_spend
    left join fx_rates_monthly
        on
            marketing_spend.currency = fx_rates_monthly.currency
            and cast({{ dbt.date_trunc('month', 'marketing_spend.spent_on') }} as date)
            = fx_rates_monthly.month_start_on
    group by {{ dbt.date_trunc('month', 'marketing_spend.spent_on') }}

),

sales_costs_monthly as (

    select
        cast({{ dbt.date_trunc('month', 'sales_costs.incurred_on') }} as date) as month_start_on,
        sum(sales_costs.cost_amount * fx_rates_monthly.rate_to_reporting) as sales_cost_amount
    from sales_costs
    left join fx_rates_monthly
        on
            sales_costs.currency = fx_rates_monthly.currency
            and cast({{ dbt.date_trunc('month', 'sales_costs.incurred_on') }} as date)
            = fx_rates_monthly.month_start_on
    group by {{ dbt.date_trunc('month', 'sales_costs.incurred_on') }}

),

cost_months as (

    select month_start_on from spend_monthly
    union all
    select month_start_on from sales_costs_monthly

),

-- the months the CRM records costs for: from the first month with spend or sales costs to the last
cost_history as (

    select
        min(month_start_on) as first_month_start_on,
        max(month_start_on) as last_month_start_on
    from cost_months

),

won_counts as (

    select
        won_month_start_on,
        count(*) as won_client_count
    from clients_won_monthly
    where won_month_start_on is not null
    group by won_month_start_on

),

joined as (

    select
        clients_won_monthly.*,
        won_counts.won_client_count,
        clients_won_monthly.won_month_start_on >= cost_history.first_month_start_on
        and clients_won_monthly.won_month_start_on <= cost_history.last_month_start_on as has_acquisition_cost,
        spend_monthly.marketing_spend_amount,
        sales_costs_monthly.sales_cost_amount
    from clients_won_monthly
    cross join cost_history
    left join won_counts
        on clients_won_monthly.won_month_start_on = won_counts.won_month_start_on
    left join spend_monthly
        on clients_won_monthly.won_month_start_on = spend_monthly.month_start_on
    left join sales_costs_monthly
        on clients_won_monthly.won_month_start_on = sales_costs_monthly.month_start_on

),

final as (

    select
        -- ids
        joined.client_id,
        joined.won_opportunity_id,

        -- attributes
        joined.won_source,
        reporting.reporting_currency,

        -- dates
        joined.won_on,
        joined.won_month_start_on,

        -- amounts of the month won, in the reporting currency (null outside the CRM's cost history)
        case when joined.has_acquisition_cost then coalesce(joined.marketing_spend_amount, 0) end
            as won_month_marketing_spend_amount,
        case when joined.has_acquisition_cost then coalesce(joined.sales_cost_amount, 0) end
            as won_month_sales_cost_amount,
        cast(joined.won_client_count as bigint) as won_month_client_count,
        case
            when joined.has_acquisition_cost
                then
                    (coalesce(joined.marketing_spend_amount, 0) + coalesce(joined.sales_cost_amount, 0))
                    / joined.won_client_count
        end as acquisition_cost_amount,

        -- booleans
        coalesce(joined.has_acquisition_cost, false) as has_acquisition_cost

    from joined
    cross join reporting

)

select * from final
