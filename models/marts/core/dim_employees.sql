with

employees as (

    select * from {{ ref('stg_hr__employees') }}

),

final as (

    select
        -- ids
        employee_id,
        manager_id,

        -- masked personal data
        employee_name_hash,
        email_hash,

        -- attributes
        department,
        job_title,
        tier,
        termination_type,

        -- booleans
        -- a technician works the service desk, or has a support tier whatever the department
        (department = 'service_desk' or tier is not null) as is_technician,

        -- dates
        hired_on,
        terminated_on

    from employees

)

select * from final
