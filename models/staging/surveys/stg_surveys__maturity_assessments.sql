with

source as {{ inline_cte() }} (

    select * from {{ source('surveys', 'surveys__maturity_assessments') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        assessment_id,
        upper(trim(statement_id)) as statement_id,

        -- scores
        points,

        -- dates
        assessed_on,

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
        partition_by='assessment_id, statement_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
