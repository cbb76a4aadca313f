with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__endpoints') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        endpoint_id,
        client_id,

        -- attributes
        endpoint_type,
        os as operating_system,

        -- dates
        added_on,
        retired_on,

        -- timestamps
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
        partition_by='endpoint_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
