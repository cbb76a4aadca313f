with

source as {{ inline_cte() }} (

    select * from {{ source('crm', 'crm__sales_costs') }}

),

renamed as {{ inline_cte() }} (

    select
        -- attributes
        lower(trim(category)) as cost_category,

        -- amounts
        amount as cost_amount,
        currency,

        -- dates
        cost_date as incurred_on,

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
        partition_by='incurred_on, cost_category',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
