with

source as {{ inline_cte() }} (

    select * from {{ source('crm', 'crm__marketing_spend') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        campaign_id,

        -- attributes
        lower(trim(channel)) as channel,

        -- amounts
        amount as spend_amount,
        currency,

        -- dates
        spend_date as spent_on,

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
        partition_by='spent_on, channel, campaign_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
