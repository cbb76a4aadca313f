with

source as {{ inline_cte() }} (

    select * from {{ source('surveys', 'surveys__technician_surveys') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        response_id as technician_survey_response_id,
        employee_id,

        -- attributes
        topic,

        -- scores
        score,

        -- timestamps
        responded_at,

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
        partition_by='technician_survey_response_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
