-- An incremental table, not a view (DECISIONLOG: "Large staging models are incremental"):
-- every reader would otherwise re-run the dedupe over the whole raw history.
{{
    config(
        materialized='incremental',
        unique_key='time_entry_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__time_entries') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        time_entry_id,
        ticket_id,
        technician_id,

        -- quantities
        hours as worked_hours,

        -- booleans
        billable as is_billable,

        -- timestamps
        started_at,

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
        partition_by='time_entry_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
