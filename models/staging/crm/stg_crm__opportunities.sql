with

source as {{ inline_cte() }} (

    select * from {{ source('crm', 'crm__opportunities') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        opportunity_id,
        lead_id,
        client_id,

        -- attributes
        lower(trim(stage)) as stage,

        -- amounts
        amount as expected_mrr_amount,
        currency,

        -- booleans
        closed_at is not null as is_closed,
        is_won,

        -- timestamps
        created_at,
        closed_at,
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
        partition_by='opportunity_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
