{#
    CSAT per client and month answered: positive responses (rating >= 4 on 1-5, the happy faces)
    / responses. Seed 002: 85 of 100 -> 85 %; at least 75 %, the best reach 90 %.
#}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

csat_responses as (

    select * from {{ ref('stg_surveys__csat_responses') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

answered as (

    -- the client of a response is the client of the rated ticket
    select
        tickets.client_id,
        cast({{ dbt.date_trunc('month', 'csat_responses.responded_at') }} as date) as month_start_on,
        count(*) as csat_response_count,
        count(case when csat_responses.rating >= 4 then csat_responses.csat_response_id end)
            as positive_csat_response_count,
        sum(csat_responses.rating) as csat_rating_sum
    from csat_responses
    inner join tickets
        on csat_responses.ticket_id = tickets.ticket_id
    group by 1, 2

),

final as (

    select
        -- ids
        client_months.client_id,

        -- dates
        client_months.month_start_on,

        -- CSAT
        coalesce(answered.positive_csat_response_count, 0) as positive_csat_response_count,
        coalesce(answered.csat_response_count, 0) as csat_response_count,
        {{ safe_divide('answered.positive_csat_response_count', 'answered.csat_response_count') }} as csat_rate,

        -- mean rating
        cast(coalesce(answered.csat_rating_sum, 0) as {{ dbt.type_bigint() }}) as csat_rating_sum,
        {{ to_decimal(safe_divide(
            'answered.csat_rating_sum', 'answered.csat_response_count'
        )) }} as mean_csat_rating,

        -- benchmark
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        benchmark.best_in_class_value as benchmark_best_in_class_value,
        {{ benchmark_status(
            safe_divide('answered.positive_csat_response_count', 'answered.csat_response_count'),
            'benchmark',
        ) }} as benchmark_status,

        -- booleans
        client_months.is_month_complete

    from client_months
    left join answered
        on
            client_months.client_id = answered.client_id
            and client_months.month_start_on = answered.month_start_on
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'csat_rate'

)

select * from final
