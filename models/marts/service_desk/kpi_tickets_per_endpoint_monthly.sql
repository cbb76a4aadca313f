{#
    Tickets created in the month / endpoints under management on the month's last day (the as-of
    date for the current month). Seed 002: 1,000 tickets / 500 endpoints -> 2; mature MSPs aim for
    fewer than 1.
#}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

endpoint_counts as (

    select * from {{ ref('int_endpoints_counted_at_month_end') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

created as (

    select
        client_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start_on,
        count(*) as tickets_created_count
    from tickets
    group by 1, 2

),

final as (

    select
        -- ids
        client_months.client_id,

        -- dates
        client_months.month_start_on,
        endpoint_counts.endpoints_counted_on,

        -- tickets per endpoint
        coalesce(created.tickets_created_count, 0) as tickets_created_count,
        endpoint_counts.managed_endpoint_count,
        {{ safe_divide('coalesce(created.tickets_created_count, 0)', 'endpoint_counts.managed_endpoint_count') }}
            as tickets_per_endpoint,

        -- endpoint movements of the month
        endpoint_counts.endpoints_added_count,
        endpoint_counts.endpoints_retired_count,

        -- benchmark
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        benchmark.best_in_class_value as benchmark_best_in_class_value,
        -- a month-to-date flow is not comparable with a monthly benchmark
        case
            when client_months.is_month_complete
                then {{ benchmark_status(
                    safe_divide('coalesce(created.tickets_created_count, 0)', 'endpoint_counts.managed_endpoint_count'),
                    'benchmark',
                ) }}
        end as benchmark_status,

        -- booleans
        client_months.is_month_complete

    from client_months
    inner join endpoint_counts
        on
            client_months.client_id = endpoint_counts.client_id
            and client_months.month_start_on = endpoint_counts.month_start_on
    left join created
        on
            client_months.client_id = created.client_id
            and client_months.month_start_on = created.month_start_on
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'tickets_per_endpoint'

)

select * from final
