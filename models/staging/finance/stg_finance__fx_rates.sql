with

source as {{ inline_cte() }} (

    select * from {{ source('finance', 'finance__fx_rates') }}

),

renamed as {{ inline_cte() }} (

    select
        -- attributes
        currency,

        -- rates
        rate_to_reporting,

        -- dates
        rate_date as rate_on,

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
        partition_by='rate_on, currency',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
