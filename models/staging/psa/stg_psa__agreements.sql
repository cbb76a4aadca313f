with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__agreements') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        agreement_id,
        client_id,

        -- attributes
        agreement_type,
        billing_cycle,
        case billing_cycle
            when 'monthly' then 1
            when 'quarterly' then 3
            when 'annual' then 12
        end as billing_cycle_months,

        -- amounts
        amount as billing_cycle_amount,
        currency,

        -- dates
        start_date as started_on,
        end_date as ended_on,
        cancelled_on,

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
        partition_by='agreement_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
