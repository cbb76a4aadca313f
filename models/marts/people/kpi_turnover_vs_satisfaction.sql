{#
    Turnover vs satisfaction of seed 000, per month: the technicians' turnover over the trailing 12
    months (the month and the 11 before it) beside their mean satisfaction over the same months,
    in-depth 'overall' topic (0-10) and weekly pulse (1-5), with the tipping point of
    kpi_satisfaction_turnover_bands.
#}

with

periods as (

    select * from {{ ref('int_people_periods') }}

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

bands as (

    select * from {{ ref('kpi_satisfaction_turnover_bands') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

technicians as (

    select
        employee_id,
        termination_type,
        hired_on,
        terminated_on
    from employees
    where is_technician

),

history as (

    select min(first_day_on) as history_start_on
    from periods

),

-- the trailing window of each month: its 11 predecessors and itself, clipped to the history
windows as (

    select
        periods.period_start_on as month_start_on,
        case
            when {{ dbt.dateadd('month', -11, 'periods.period_start_on') }} < history.history_start_on
                then history.history_start_on
            else cast({{ dbt.dateadd('month', -11, 'periods.period_start_on') }} as date)
        end as window_start_on,
        periods.last_day_on as window_end_on,
        {{ dbt.dateadd('month', -11, 'periods.period_start_on') }} >= history.history_start_on
        and periods.is_period_complete as is_window_complete
    from periods
    cross join history
    where periods.period_type = 'month'

),

window_turnover as (

    select
        windows.month_start_on,
        count(
            case
                when {{ is_employed_on(
                    'windows.window_start_on', 'technicians.hired_on', 'technicians.terminated_on'
                ) }}
                    then technicians.employee_id
            end
        ) as technician_headcount_first_day_count,
        count(
            case
                when {{ is_employed_on(
                    'windows.window_end_on', 'technicians.hired_on', 'technicians.terminated_on'
                ) }}
                    then technicians.employee_id
            end
        ) as technician_headcount_last_day_count,
        count(
            case
                when
                    technicians.terminated_on >= windows.window_start_on
                    and technicians.terminated_on <= windows.window_end_on
                    then technicians.employee_id
            end
        ) as technician_departure_count,
        count(
            case
                when
                    technicians.terminated_on >= windows.window_start_on
                    and technicians.terminated_on <= windows.window_end_on
                    and technicians.termination_type = 'voluntary'
                    then technicians.employee_id
            end
        ) as voluntary_technician_departure_count
    from windows
    cross join technicians
    group by 1

),

-- answers of technicians employed when they answered
pulse_answers as (

    select
        technician_pulses.week_start_on,
        technician_pulses.pulse_score
    from technician_pulses
    inner join technicians
        on
            technician_pulses.employee_id = technicians.employee_id
            and {{ is_employed_between(
                'technician_pulses.week_start_on',
                dbt.dateadd('day', 6, 'technician_pulses.week_start_on'),
                'technicians.hired_on',
                'technicians.terminated_on',
            ) }}

),

overall_answers as (

    select
        cast(technician_surveys.responded_at as date) as responded_on,
        technician_surveys.score
    from technician_surveys
    inner join technicians
        on
            technician_surveys.employee_id = technicians.employee_id
            and {{ is_employed_on(
                'cast(technician_surveys.responded_at as date)', 'technicians.hired_on', 'technicians.terminated_on'
            ) }}
    where technician_surveys.topic = 'overall'

),

window_pulse as (

    select
        windows.month_start_on,
        count(*) as pulse_response_count,
        sum(pulse_answers.pulse_score) as pulse_score_sum
    from windows
    inner join pulse_answers
        on
            windows.window_start_on <= pulse_answers.week_start_on
            and windows.window_end_on >= pulse_answers.week_start_on
    group by 1

),

window_overall as (

    select
        windows.month_start_on,
        count(*) as overall_survey_response_count,
        sum(overall_answers.score) as overall_survey_score_sum
    from windows
    inner join overall_answers
        on
            windows.window_start_on <= overall_answers.responded_on
            and windows.window_end_on >= overall_answers.responded_on
    group by 1

),

tipping as (

    select
        max(tipping_point_band) as tipping_point_band,
        max(healthy_turnover_rate) as healthy_turnover_rate
    from bands

),

measured as (

    select
        windows.month_start_on,
        windows.window_start_on,
        windows.window_end_on,
        windows.is_window_complete,
        window_turnover.technician_headcount_first_day_count,
        window_turnover.technician_headcount_last_day_count,
        (
            window_turnover.technician_headcount_first_day_count
            + window_turnover.technician_headcount_last_day_count
        ) / 2.0 as average_technician_headcount,
        window_turnover.technician_departure_count,
        window_turnover.voluntary_technician_departure_count,
        coalesce(window_overall.overall_survey_response_count, 0) as overall_survey_response_count,
        coalesce(window_overall.overall_survey_score_sum, 0) as overall_survey_score_sum,
        coalesce(window_pulse.pulse_response_count, 0) as pulse_response_count,
        coalesce(window_pulse.pulse_score_sum, 0) as pulse_score_sum
    from windows
    inner join window_turnover
        on windows.month_start_on = window_turnover.month_start_on
    left join window_overall
        on windows.month_start_on = window_overall.month_start_on
    left join window_pulse
        on windows.month_start_on = window_pulse.month_start_on

),

final as (

    select
        -- dates
        measured.month_start_on,
        measured.window_start_on,
        measured.window_end_on,

        -- technician turnover over the window
        measured.technician_headcount_first_day_count,
        measured.technician_headcount_last_day_count,
        {{ to_decimal('measured.average_technician_headcount') }} as average_technician_headcount,
        measured.technician_departure_count,
        measured.voluntary_technician_departure_count,
        {{ safe_divide('measured.technician_departure_count', 'measured.average_technician_headcount') }}
            as technician_turnover_rate,
        {{ safe_divide('measured.voluntary_technician_departure_count', 'measured.average_technician_headcount') }}
            as voluntary_technician_turnover_rate,

        -- satisfaction over the window
        measured.overall_survey_response_count,
        cast(measured.overall_survey_score_sum as {{ dbt.type_bigint() }}) as overall_survey_score_sum,
        {{ to_decimal(safe_divide(
            'measured.overall_survey_score_sum', 'measured.overall_survey_response_count'
        )) }} as mean_overall_survey_score,
        measured.pulse_response_count,
        cast(measured.pulse_score_sum as {{ dbt.type_bigint() }}) as pulse_score_sum,
        {{ to_decimal(safe_divide(
            'measured.pulse_score_sum', 'measured.pulse_response_count'
        )) }} as mean_pulse_score,

        -- tipping point (kpi_satisfaction_turnover_bands)
        tipping.healthy_turnover_rate,
        tipping.tipping_point_band,

        -- benchmark: the yearly turnover of seed 002, for complete 12-month windows
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        case
            when measured.is_window_complete
                then {{ benchmark_status(
                    safe_divide('measured.technician_departure_count', 'measured.average_technician_headcount'),
                    'benchmark',
                ) }}
        end as benchmark_status,

        -- booleans
        measured.is_window_complete

    from measured
    cross join tipping
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'employee_turnover_rate'

)

select * from final
