{#
    The funnel as events: every day, channel and campaign, how many visitors came, leads were
    created, leads were qualified, opportunities were opened and clients were won. Each stage is
    dated by the day it was reached; its channel is the campaign's channel when there is a
    campaign, and opportunities and wins take the channel of their lead ('unattributed' without
    one).
#}

with

web_traffic as (

    select * from {{ ref('stg_crm__web_traffic') }}

),

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

leads as (

    select * from {{ ref('int_leads_joined_to_opportunities') }}

),

won_opportunities as (

    select * from {{ ref('int_opportunities_won_clients') }}

),

events as (

    select
        'visitor' as funnel_stage,
        web_traffic.visited_on as reached_on,
        coalesce(campaigns.channel, web_traffic.channel) as channel,
        web_traffic.campaign_id,
        web_traffic.visitor_count as event_count
    from web_traffic
    left join campaigns
        on web_traffic.campaign_id = campaigns.campaign_id

    union all

    select
        'lead' as funnel_stage,
        cast(created_at as date) as reached_on,
        channel,
        campaign_id,
        1 as event_count
    from leads

    union all

    select
        'qualified_lead' as funnel_stage,
        cast(qualified_at as date) as reached_on,
        channel,
        campaign_id,
        1 as event_count
    from leads
    where qualified_at is not null

    union all

    select
        'opportunity' as funnel_stage,
        cast(opportunities.created_at as date) as reached_on,
        coalesce(leads.channel, 'unattributed') as channel,
        leads.campaign_id,
        1 as event_count
    from opportunities
    left join leads
        on opportunities.lead_id = leads.lead_id

    union all

    select
        'won_client' as funnel_stage,
        cast(won_opportunities.won_at as date) as reached_on,
        coalesce(leads.channel, 'unattributed') as channel,
        leads.campaign_id,
        1 as event_count
    from won_opportunities
    left join leads
        on won_opportunities.lead_id = leads.lead_id
    where won_opportunities.is_first_win_of_client

),

final as (

    select
        -- attributes
        funnel_stage,
        channel,
        campaign_id,

        -- dates
        reached_on,

        -- counts
        sum(event_count) as event_count

    from events
    group by 1, 2, 3, 4

)

select * from final
