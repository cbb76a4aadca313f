{#
    Endpoints under management per client on the last day of each served month (the as-of date
    for the current month). An endpoint is managed on day d when added_on <= d and (retired_on is
    null or d < retired_on): retired_on is the first day it is no longer managed. Added and retired
    count the changes since the previous month's count, so that managed = previous managed + added -
    retired; an endpoint retired on or before the day it was added was never managed and counts in
    neither.

    Counted from the changes, not by testing every endpoint on every counting day (38.9 M pairs at
    11 M tickets): each endpoint comes in the month it was added and leaves in the month it was
    retired (an endpoint retired on or before the day it was added leaves the day it came), on or
    before the as-of date; a client's managed count at a month's counting day is the running sum
    of its changes up to that month, months without service included (DECISIONLOG: "Endpoints are
    counted from their changes").
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

endpoint_changes as (

    -- arrivals: counted as added when the endpoint is ever managed
    select
        client_id,
        cast({{ dbt.date_trunc('month', 'added_on') }} as date) as month_start_on,
        1 as managed_change,
        case when retired_on is null or retired_on > added_on then 1 else 0 end as added_change,
        0 as retired_change
    from endpoints
    where added_on <= {{ as_of_date() }}

    union all

    -- departures: counted as retired when the endpoint was managed before
    select
        client_id,
        cast({{ dbt.date_trunc('month', 'case when retired_on > added_on then retired_on else added_on end') }} as date)
            as month_start_on,
        -1 as managed_change,
        0 as added_change,
        case when retired_on > added_on then 1 else 0 end as retired_change
    from endpoints
    where
        retired_on is not null
        and (case when retired_on > added_on then retired_on else added_on end) <= {{ as_of_date() }}

    union all

    -- every served month, with or without a change
    select
        client_id,
        month_start_on,
        0 as managed_change,
        0 as added_change,
        0 as retired_change
    from client_months

),

client_month_changes as (

    select
        client_id,
        month_start_on,
        sum(managed_change) as managed_change,
        sum(added_change) as added_count,
        sum(retired_change) as retired_count
    from endpoint_changes
    group by
        client_id,
        month_start_on

),

running_counts as (

    select
        client_id,
        month_start_on,
        added_count,
        retired_count,
        sum(managed_change) over (
            partition by client_id
            order by month_start_on
            rows between unbounded preceding and current row
        ) as managed_count
    from client_month_changes

),

final as (

    select
        -- ids
        counting_days.client_id,

        -- dates
        counting_days.month_start_on,
        counting_days.endpoints_counted_on,

        -- counts
        cast(running_counts.managed_count as {{ dbt.type_bigint() }}) as managed_endpoint_count,
        cast(running_counts.added_count as {{ dbt.type_bigint() }}) as endpoints_added_count,
        cast(running_counts.retired_count as {{ dbt.type_bigint() }}) as endpoints_retired_count

    from counting_days
    inner join running_counts
        on
            counting_days.client_id = running_counts.client_id
            and counting_days.month_start_on = running_counts.month_start_on

)

select * from final
