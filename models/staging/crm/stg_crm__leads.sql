with

source as {{ inline_cte() }} (

    select * from {{ source('crm', 'crm__leads') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        lead_id,
        campaign_id,

        -- attributes
        lower(trim(channel)) as channel,
        company_name,

        -- masked personal data
        {{ mask_pii('contact_email') }} as contact_email_hash,

        -- booleans
        qualified_at is not null as is_qualified,

        -- timestamps
        created_at,
        qualified_at,
        updated_at,

        -- lineage
        _source_file,
        _source_line,
        _delivery_id,
        _loaded_at

    from source

),

deduped as (

    {{ deduplicate(
        relation='renamed',
        partition_by='lead_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
