{#
    Every won opportunity, marking the one that won its client: a client is won once, at its first
    won opportunity (the earliest close, ties to the lower id - the rule of
    int_client_acquisition_costs). A won deal not yet linked to a PSA client counts as a client of
    its own.
#}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

won as (

    select
        opportunity_id,
        lead_id,
        client_id,
        closed_at as won_at,
        coalesce(client_id, 'opportunity:' || opportunity_id) as won_client_key
    from opportunities
    where is_won and closed_at is not null

),

ranked as (

    select
        *,
        row_number() over (partition by won_client_key order by won_at asc, opportunity_id asc) as win_rank
    from won

),

final as (

    select
        -- ids
        opportunity_id,
        lead_id,
        client_id,
        won_client_key,

        -- booleans
        win_rank = 1 as is_first_win_of_client,

        -- timestamps
        won_at

    from ranked

)

select * from final
