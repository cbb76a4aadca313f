with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__sla_policies') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        sla_policy_id,
        calendar_id,

        -- attributes
        priority,

        -- durations
        response_target_minutes,
        resolution_target_minutes,

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
        partition_by='sla_policy_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
