{#
    Endpoints under management per client on the last day of each served month (the as-of date
    for the current month). An endpoint is managed on day d when added_on <= d and (retired_on is
    null or d < retired_on): retired_on is the first day it is no longer managed. Added and retired
    count the changes since the previous month's count, so that managed = previous managed + added -
    retired; an endpoint retired on or before the day it was added was never managed and counts in
    neither.
#}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

endpoints as (

    select * from {{ ref('stg_psa__endpoints') }}

),

counting_days as (

    select
        client_id,
        month_start_on,
        case
            when month_end_on < {{ as_of_date() }} then month_end_on else {{ as_of_date() }}
        end as endpoints_counted_on
    from client_months

),

final as (

    select
        -- ids
        counting_days.client_id,

        -- dates
        counting_days.month_start_on,
        counting_days.endpoints_counted_on,

        -- counts
        count(
            case
                when
                    endpoints.added_on <= counting_days.endpoints_counted_on
                    and (
                        endpoints.retired_on is null
                        or counting_days.endpoints_counted_on < endpoints.retired_on
                    )
                    then endpoints.endpoint_id
            end
        ) as managed_endpoint_count,
        count(
            case
                when
                    endpoints.added_on >= counting_days.month_start_on
                    and endpoints.added_on <= counting_days.endpoints_counted_on
                    and (endpoints.retired_on is null or endpoints.retired_on > endpoints.added_on)
                    then endpoints.endpoint_id
            end
        ) as endpoints_added_count,
        count(
            case
                when
                    endpoints.retired_on >= counting_days.month_start_on
                    and endpoints.retired_on <= counting_days.endpoints_counted_on
                    and endpoints.retired_on > endpoints.added_on
                    then endpoints.endpoint_id
            end
        ) as endpoints_retired_count

    from counting_days
    left join endpoints
        on counting_days.client_id = endpoints.client_id
    group by
        counting_days.client_id,
        counting_days.month_start_on,
        counting_days.endpoints_counted_on

)

select * from final
