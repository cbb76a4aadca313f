{#
    Every lead with its path through the funnel: its channel (the campaign's channel when the lead
    has a campaign), when it was created and qualified, its first opportunity and, when a deal of
    the lead was won, the client won (counted once, at the client's first won opportunity).
#}

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

won_opportunities as (

    select * from {{ ref('int_opportunities_won_clients') }}

),

lead_opportunities as (

    select
        lead_id,
        count(*) as opportunity_count,
        min(created_at) as first_opportunity_created_at
    from opportunities
    where lead_id is not null
    group by lead_id

),

lead_wins as (

    select
        lead_id,
        min(won_at) as won_at,
        min(won_client_key) as won_client_key
    from won_opportunities
    where lead_id is not null and is_first_win_of_client
    group by lead_id

),

final as (

    select
        -- ids
        leads.lead_id,
        leads.campaign_id,
        lead_wins.won_client_key,

        -- attributes
        coalesce(campaigns.channel, leads.channel) as channel,
        coalesce(lead_opportunities.opportunity_count, 0) as opportunity_count,

        -- booleans
        leads.is_qualified,
        lead_opportunities.lead_id is not null as has_opportunity,
        lead_wins.lead_id is not null as is_won,

        -- timestamps
        leads.created_at,
        leads.qualified_at,
        lead_opportunities.first_opportunity_created_at,
        lead_wins.won_at

    from leads
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
    left join lead_opportunities
        on leads.lead_id = lead_opportunities.lead_id
    left join lead_wins
        on leads.lead_id = lead_wins.lead_id

)

select * from final
