-- An incremental table, not a view (DECISIONLOG: "Large staging models are incremental"):
-- every reader would otherwise re-run the dedupe over the whole raw history.
{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__tickets') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        ticket_id,
        client_id,
        sla_policy_id,
        endpoint_id,
        assigned_technician_id,

        -- attributes
        priority,
        ticket_type,
        source as ticket_source,
        board,
        tier,
        status,
        coalesce(reopened_count, 0) as reopened_count,

        -- booleans
        coalesce(is_proactive, false) as is_proactive,

        -- timestamps
        created_at,
        first_response_at,
        escalated_at,
        resolved_at,
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

    {{ deduplicate_current_state(
        relation='renamed',
        partition_by='ticket_id',
        order_by='updated_at desc, _delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
