{#
    MRR movements are classified in the client's own currency, so all recurring agreements of a
    client must be in one currency (int_client_mrr_monthly would otherwise value the client's MRR
    in the first of them). A failing row names the client and its currencies: fix the agreement
    extract, or split the client.
#}

with

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

final as (

    select
        client_id,
        min(currency) as first_currency,
        max(currency) as last_currency,
        count(distinct currency) as currency_count
    from agreements
    where
        agreement_type in ('managed_services', 'block_hours')
        and billing_cycle <> 'one_time'
    group by client_id
    having count(distinct currency) > 1

)

select * from final
