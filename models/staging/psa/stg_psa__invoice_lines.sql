-- An incremental table, not a view (DECISIONLOG: "Large staging models are incremental"):
-- every reader would otherwise re-run the dedupe over the whole raw history.
{{
    config(
        materialized='incremental',
        unique_key='invoice_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as {{ inline_cte() }} (

    select * from {{ source('psa', 'psa__invoice_lines') }}

),

renamed as {{ inline_cte() }} (

    select
        -- ids
        invoice_line_id,
        invoice_id,
        client_id,
        agreement_id,

        -- attributes
        revenue_type,

        -- amounts
        amount as line_amount,
        currency,

        -- dates
        invoice_date as invoiced_on,

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
        partition_by='invoice_line_id',
        order_by='_delivery_id desc, _source_line desc',
    ) }}

),

final as (

    select * from deduped

)

select * from final
