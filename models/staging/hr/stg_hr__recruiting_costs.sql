with

source as {{ inline_cte() }} (

    select * from {{ source('hr', 'hr__recruiting_costs') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        cost_id as recruiting_cost_id,
        employee_id,

        -- attributes
        category as cost_category,

        -- amounts
        amount as cost_amount,
        currency,

        -- dates
        incurred_on,

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
        partition_by='recruiting_cost_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
