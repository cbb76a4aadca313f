with

source as {{ inline_cte() }} (

    select * from {{ source('hr', 'hr__employees') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        employee_id,
        manager_id,

        -- masked personal data
        {{ mask_pii('full_name') }} as employee_name_hash,
        {{ mask_pii('email') }} as email_hash,

        -- attributes
        department,
        trim(role) as job_title,
        tier,
        termination_type,

        -- dates
        hired_on,
        terminated_on,

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
        partition_by='employee_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
