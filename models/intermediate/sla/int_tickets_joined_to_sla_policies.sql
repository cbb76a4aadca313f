with

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

sla_policies as (

    select * from {{ ref('stg_psa__sla_policies') }}

),

final as (

    select
        -- ids
        tickets.ticket_id,
        tickets.sla_policy_id,
        sla_policies.calendar_id,

        -- attributes
        tickets.priority,
        sla_policies.priority as sla_policy_priority,
        tickets.reopened_count,

        -- booleans
        -- a ticket without a policy, or whose policy is unknown, gets no SLA figures
        sla_policies.sla_policy_id is not null as has_sla_policy,

        -- timestamps
        tickets.created_at,
        tickets.first_response_at,
        tickets.resolved_at,

        -- durations
        sla_policies.response_target_minutes,
        sla_policies.resolution_target_minutes,

        -- lineage
        tickets._delivery_id

    from tickets
    left join sla_policies
        on tickets.sla_policy_id = sla_policies.sla_policy_id

)

select * from final
