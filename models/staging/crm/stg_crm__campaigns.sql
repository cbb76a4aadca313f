with

source as {{ inline_cte() }} (

    select * from {{ source('crm', 'crm__campaigns') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        campaign_id,

        -- attributes
        campaign_name,
        lower(trim(channel)) as channel,

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
        partition_by='campaign_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
