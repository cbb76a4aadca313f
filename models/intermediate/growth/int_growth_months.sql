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

days as (

    {{ date_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

final as (

    select
        -- dates
        date_day as month_start_on,
        cast({{ dbt.last_day('date_day', 'month') }} as date) as month_end_on,

        -- booleans
        cast({{ dbt.dateadd('month', 1, 'date_day') }} as timestamp) <= {{ as_of_timestamp() }}
            as is_month_complete

    from days
    where extract(day from date_day) = 1

)

select * from final
