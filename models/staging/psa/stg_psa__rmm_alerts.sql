-- An incremental table, not a view (DECISIONLOG: "Large staging models are incremental"):
-- every reader would otherwise re-run the dedupe over the whole raw history.
{{
    config(
        materialized='incremental',
        unique_key='alert_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__rmm_alerts') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        alert_id,
        endpoint_id,
        ticket_id,

        -- attributes
        severity,
        lower(trim(category)) as alert_category,

        -- booleans
        auto_remediated as is_auto_remediated,

        -- timestamps
        raised_at,
        resolved_at,

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
        partition_by='alert_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
