-- The quarter rows of kpi_service_review_periods, where every figure is defined and computed.
with

service_review_periods as (

    select * from {{ ref('kpi_service_review_periods') }}

),

final as (

    select *
    from service_review_periods
    where period_type = 'quarter'

)

select * from final
