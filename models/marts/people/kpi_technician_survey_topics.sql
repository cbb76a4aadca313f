{#
    The in-depth technician survey of seed 000 topic by topic (overall, ease of work, stress and
    workload, onboarding impact, on-call, pay and benefits, career growth), per week and month:
    answers, mean score (0-10) and the share at or above the seed's threshold of 9.
#}

with

periods as (

    select * from {{ ref('int_people_periods') }}
    where period_type in ('week', 'month')

),

employees as (

    select * from {{ ref('dim_employees') }}

),

technician_surveys as (

    select * from {{ ref('stg_surveys__technician_surveys') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

benchmark as (

    select * from benchmarks
    where kpi_name = 'technician_satisfaction_score'

),

-- answers of technicians employed on the day they answered
answers as (

    select
        technician_surveys.technician_survey_response_id,
        technician_surveys.topic,
        technician_surveys.score,
        cast(technician_surveys.responded_at as date) as responded_on
    from technician_surveys
    inner join employees
        on
            technician_surveys.employee_id = employees.employee_id
            and employees.is_technician
            and {{ is_employed_on(
                'cast(technician_surveys.responded_at as date)', 'employees.hired_on', 'employees.terminated_on'
            ) }}

),

topics as (

    select distinct topic
    from technician_surveys

),

period_topics as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.period_end_on,
        periods.is_period_complete,
        topics.topic
    from periods
    cross join topics

),

measured as (

    select
        period_topics.period_type,
        period_topics.period_start_on,
        period_topics.topic,
        count(answers.technician_survey_response_id) as survey_response_count,
        coalesce(sum(answers.score), 0) as survey_score_sum,
        count(case when answers.score >= benchmark.minimum_value then answers.technician_survey_response_id end)
            as survey_at_benchmark_count
    from period_topics
    left join answers
        on
            period_topics.topic = answers.topic
            and period_topics.period_start_on <= answers.responded_on
            and period_topics.period_end_on >= answers.responded_on
    left join benchmark
        on true
    group by 1, 2, 3

),

final as (

    select
        -- period
        period_topics.period_type,
        period_topics.period_start_on,
        period_topics.period_end_on,

        -- attributes
        period_topics.topic,

        -- survey (0-10)
        measured.survey_response_count,
        cast(measured.survey_score_sum as {{ dbt.type_bigint() }}) as survey_score_sum,
        {{ to_decimal(safe_divide('measured.survey_score_sum', 'measured.survey_response_count')) }}
            as mean_survey_score,
        measured.survey_at_benchmark_count,
        {{ safe_divide('measured.survey_at_benchmark_count', 'measured.survey_response_count') }}
            as survey_at_benchmark_rate,

        -- benchmark (seed 000: 9 on 10 or more kept people)
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        {{ benchmark_status(
            safe_divide('measured.survey_score_sum', 'measured.survey_response_count'), 'benchmark'
        ) }} as benchmark_status,

        -- booleans
        period_topics.is_period_complete

    from period_topics
    inner join measured
        on
            period_topics.period_type = measured.period_type
            and period_topics.period_start_on = measured.period_start_on
            and period_topics.topic = measured.topic
    left join benchmark
        on true

)

select * from final
