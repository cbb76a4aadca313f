-- An incremental table, not a view (DECISIONLOG: "Large staging models are incremental"):
-- every reader would otherwise re-run the dedupe over the whole raw history.
{{
    config(
        materialized='incremental',
        unique_key=['ticket_id', 'changed_at'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__ticket_status_changes') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        ticket_id,

        -- attributes
        from_status,
        to_status,

        -- booleans
        sla_paused as is_sla_paused,

        -- timestamps
        changed_at,

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
        partition_by='ticket_id, changed_at',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
