{#
    The month spine of the sales and marketing marts: from the first month the CRM extracts cover
    in full - the latest of the first months of web traffic, marketing spend and leads, so that no
    rate divides one stream by another that is not there yet - to the as-of month (to date).
#}

with

web_traffic as (

    select * from {{ ref('stg_crm__web_traffic') }}

),

marketing_spend as (

    select * from {{ ref('stg_crm__marketing_spend') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

stream_starts as (

    select min(visited_on) as first_on from web_traffic
    union all
    select min(spent_on) as first_on from marketing_spend
    union all
    select min(cast(created_at as date)) as first_on from leads

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'coalesce(max(first_on), ' ~ as_of_date() ~ ')') }} as date)
            as first_month_start_on,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as last_month_start_on
    from stream_starts

),

months as (

    {{ month_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

final as (

    select
        -- dates
        month_start_on,
        month_end_on,

        -- booleans
        cast({{ dbt.dateadd('month', 1, 'month_start_on') }} as timestamp) <= {{ as_of_timestamp() }}
            as is_month_complete

    from months

)

select * from final
