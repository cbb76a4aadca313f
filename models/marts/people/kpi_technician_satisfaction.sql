{#
    Technician job satisfaction of seed 000 per week and month: the weekly pulse ("how was your
    week?", 1-5) with its response rate among the technicians active in the week and its share of
    low scores, beside the in-depth survey's 'overall' topic (0-10). Topic by topic:
    kpi_technician_survey_topics.
#}

with

periods as (

    select * from {{ ref('int_people_periods') }}
    where period_type in ('week', 'month')

),

employees as (

    select * from {{ ref('dim_employees') }}

),

technician_pulses as (

    select * from {{ ref('stg_surveys__technician_pulses') }}

),

technician_surveys as (

    select * from {{ ref('stg_surveys__technician_surveys') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

technicians as (

    select
        employee_id,
        hired_on,
        terminated_on
    from employees
    where is_technician

),

weeks as (

    select
        period_start_on as week_start_on,
        period_end_on as week_end_on
    from periods
    where period_type = 'week'

),

-- a technician is active in a week when employed on at least one of its days
technician_weeks as (

    select
        weeks.week_start_on,
        technicians.employee_id
    from weeks
    inner join technicians
        on {{ is_employed_between(
            'weeks.week_start_on', 'weeks.week_end_on', 'technicians.hired_on', 'technicians.terminated_on'
        ) }}

),

weekly_pulse as (

    select
        technician_weeks.week_start_on,
        count(distinct technician_weeks.employee_id) as technician_week_count,
        count(distinct case when technician_pulses.pulse_response_id is not null then technician_weeks.employee_id end)
            as responding_technician_week_count,
        count(technician_pulses.pulse_response_id) as pulse_response_count,
        sum(technician_pulses.pulse_score) as pulse_score_sum,
        -- low = the two sad faces of the 1-5 scale
        count(case when technician_pulses.pulse_score <= 2 then technician_pulses.pulse_response_id end)
            as low_pulse_response_count
    from technician_weeks
    left join technician_pulses
        on
            technician_weeks.employee_id = technician_pulses.employee_id
            and technician_weeks.week_start_on = technician_pulses.week_start_on
    group by 1

),

-- a week belongs to the month of its Monday
period_pulse as (

    select
        periods.period_type,
        periods.period_start_on,
        sum(weekly_pulse.technician_week_count) as technician_week_count,
        sum(weekly_pulse.responding_technician_week_count) as responding_technician_week_count,
        sum(weekly_pulse.pulse_response_count) as pulse_response_count,
        sum(weekly_pulse.pulse_score_sum) as pulse_score_sum,
        sum(weekly_pulse.low_pulse_response_count) as low_pulse_response_count
    from periods
    inner join weekly_pulse
        on
            periods.period_start_on <= weekly_pulse.week_start_on
            and periods.period_end_on >= weekly_pulse.week_start_on
    group by 1, 2

),

-- in-depth answers of technicians employed on the day they answered
overall_answers as (

    select
        technician_surveys.technician_survey_response_id,
        technician_surveys.score,
        cast(technician_surveys.responded_at as date) as responded_on
    from technician_surveys
    inner join technicians
        on
            technician_surveys.employee_id = technicians.employee_id
            and {{ is_employed_on(
                'cast(technician_surveys.responded_at as date)', 'technicians.hired_on', 'technicians.terminated_on'
            ) }}
    where technician_surveys.topic = 'overall'

),

benchmark as (

    select * from benchmarks
    where kpi_name = 'technician_satisfaction_score'

),

period_overall as (

    select
        periods.period_type,
        periods.period_start_on,
        count(*) as overall_survey_response_count,
        sum(overall_answers.score) as overall_survey_score_sum,
        count(
            case
                when overall_answers.score >= benchmark.minimum_value
                    then overall_answers.technician_survey_response_id
            end
        ) as overall_survey_at_benchmark_count
    from periods
    inner join overall_answers
        on
            periods.period_start_on <= overall_answers.responded_on
            and periods.period_end_on >= overall_answers.responded_on
    left join benchmark
        on true
    group by 1, 2

),

measured as (

    select
        periods.period_type,
        periods.period_start_on,
        periods.period_end_on,
        periods.is_period_complete,
        coalesce(period_pulse.technician_week_count, 0) as technician_week_count,
        coalesce(period_pulse.responding_technician_week_count, 0) as responding_technician_week_count,
        coalesce(period_pulse.pulse_response_count, 0) as pulse_response_count,
        coalesce(period_pulse.pulse_score_sum, 0) as pulse_score_sum,
        coalesce(period_pulse.low_pulse_response_count, 0) as low_pulse_response_count,
        coalesce(period_overall.overall_survey_response_count, 0) as overall_survey_response_count,
        coalesce(period_overall.overall_survey_score_sum, 0) as overall_survey_score_sum,
        coalesce(period_overall.overall_survey_at_benchmark_count, 0) as overall_survey_at_benchmark_count
    from periods
    left join period_pulse
        on
            periods.period_type = period_pulse.period_type
            and periods.period_start_on = period_pulse.period_start_on
    left join period_overall
        on
            periods.period_type = period_overall.period_type
            and periods.period_start_on = period_overall.period_start_on

),

final as (

    select
        -- period
        measured.period_type,
        measured.period_start_on,
        measured.period_end_on,

        -- pulse (1-5)
        cast(measured.technician_week_count as {{ dbt.type_bigint() }}) as technician_week_count,
        cast(measured.responding_technician_week_count as {{ dbt.type_bigint() }}) as responding_technician_week_count,
        {{ safe_divide('measured.responding_technician_week_count', 'measured.technician_week_count') }}
            as pulse_response_rate,
        cast(measured.pulse_response_count as {{ dbt.type_bigint() }}) as pulse_response_count,
        cast(measured.pulse_score_sum as {{ dbt.type_bigint() }}) as pulse_score_sum,
        {{ to_decimal(safe_divide('measured.pulse_score_sum', 'measured.pulse_response_count')) }}
            as mean_pulse_score,
        cast(measured.low_pulse_response_count as {{ dbt.type_bigint() }}) as low_pulse_response_count,
        {{ safe_divide('measured.low_pulse_response_count', 'measured.pulse_response_count') }}
            as low_pulse_response_rate,

        -- in-depth survey, topic 'overall' (0-10)
        cast(measured.overall_survey_response_count as {{ dbt.type_bigint() }}) as overall_survey_response_count,
        cast(measured.overall_survey_score_sum as {{ dbt.type_bigint() }}) as overall_survey_score_sum,
        {{ to_decimal(safe_divide(
            'measured.overall_survey_score_sum', 'measured.overall_survey_response_count'
        )) }} as mean_overall_survey_score,
        cast(measured.overall_survey_at_benchmark_count as {{ dbt.type_bigint() }})
            as overall_survey_at_benchmark_count,
        {{ safe_divide('measured.overall_survey_at_benchmark_count', 'measured.overall_survey_response_count') }}
            as overall_survey_at_benchmark_rate,

        -- benchmark (seed 000: 9 on 10 or more kept people)
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        {{ benchmark_status(
            safe_divide('measured.overall_survey_score_sum', 'measured.overall_survey_response_count'), 'benchmark'
        ) }} as benchmark_status,

        -- booleans
        measured.is_period_complete

    from measured
    left join benchmark
        on true

)

select * from final
