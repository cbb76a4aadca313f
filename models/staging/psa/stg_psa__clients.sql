with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__clients') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        client_id,

        -- attributes
        client_name,
        lower(trim(segment)) as segment,
        trim(industry) as industry,
        upper(trim(country)) as country_code,
        lower(trim(language)) as language_code,
        currency,

        -- timestamps
        created_at,
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
        partition_by='client_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
