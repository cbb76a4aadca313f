with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__holidays') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        calendar_id,

        -- attributes
        name as holiday_name,

        -- dates
        holiday_date as holiday_on,

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
        partition_by='calendar_id, holiday_on',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
