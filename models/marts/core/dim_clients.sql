with

clients as (

    select * from {{ ref('stg_psa__clients') }}

),

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

client_agreements as (

    select
        client_id,
        min(started_on) as first_agreement_started_on,
        count(*) as agreement_count
    from agreements
    group by client_id

),

final as (

    select
        -- ids
        clients.client_id,

        -- attributes
        clients.client_name,
        clients.segment,
        clients.industry,
        clients.country_code,
        clients.language_code,
        clients.currency as billing_currency,

        -- agreements
        coalesce(client_agreements.agreement_count, 0) as agreement_count,

        -- dates
        client_agreements.first_agreement_started_on,
        cast(
            {{ dbt.dateadd('day', 90, 'client_agreements.first_agreement_started_on') }} as date
        ) as onboarding_ends_on,

        -- timestamps
        clients.created_at

    from clients
    left join client_agreements
        on clients.client_id = client_agreements.client_id

)

select * from final
