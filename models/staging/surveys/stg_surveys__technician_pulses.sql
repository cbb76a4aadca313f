with

source as {{ inline_cte() }} (

    select * from {{ source('surveys', 'surveys__technician_pulse') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        response_id as pulse_response_id,
        employee_id,

        -- scores
        score as pulse_score,

        -- dates
        week_start as week_start_on,

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
        partition_by='pulse_response_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
