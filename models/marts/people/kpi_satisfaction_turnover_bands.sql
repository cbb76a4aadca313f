{#
    The turnover-vs-satisfaction tipping point of seed 000. Each technician is placed by the last
    'overall' score (0-10) of the in-depth survey answered while employed: before leaving for a
    leaver, the latest for a stayer. For each band b, the technicians whose last score is >= b are
    followed from their first answer to their departure or the as-of date, and their turnover is
    departures / technician-years (a yearly rate). The tipping point is the lowest band from which
    that turnover stays under var turnover_healthy_rate in every band above.
#}

with

employees as (

    select * from {{ ref('dim_employees') }}

),

technician_surveys as (

    select * from {{ ref('stg_surveys__technician_surveys') }}

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

overall_answers as (

    select
        technician_surveys.employee_id,
        technician_surveys.score,
        cast(technician_surveys.responded_at as date) as responded_on,
        row_number() over (
            partition by technician_surveys.employee_id
            order by technician_surveys.responded_at desc, technician_surveys.technician_survey_response_id desc
        ) as recency_rank,
        min(cast(technician_surveys.responded_at as date)) over (
            partition by technician_surveys.employee_id
        ) as first_responded_on
    from technician_surveys
    inner join technicians
        on
            technician_surveys.employee_id = technicians.employee_id
            and {{ is_employed_on(
                'cast(technician_surveys.responded_at as date)', 'technicians.hired_on', 'technicians.terminated_on'
            ) }}
    where
        technician_surveys.topic = 'overall'
        and cast(technician_surveys.responded_at as date) <= {{ as_of_date() }}

),

-- one row per technician with a score: followed from the first answer to the departure, or to
-- the as-of date for a stayer
scored_technicians as (

    select
        technicians.employee_id,
        overall_answers.score as last_overall_score,
        overall_answers.first_responded_on,
        coalesce(technicians.terminated_on <= {{ as_of_date() }}, false) as has_departed,
        coalesce(
            technicians.terminated_on <= {{ as_of_date() }} and technicians.termination_type = 'voluntary', false
        ) as has_departed_voluntarily,
        coalesce(
            technicians.terminated_on <= {{ as_of_date() }} and technicians.termination_type = 'involuntary', false
        ) as has_departed_involuntarily,
        {{ dbt.datediff(
            'overall_answers.first_responded_on',
            'case when technicians.terminated_on <= ' ~ as_of_date() ~ ' then technicians.terminated_on else '
            ~ as_of_date() ~ ' end',
            'day',
        ) }} as followed_day_count
    from technicians
    inner join overall_answers
        on
            technicians.employee_id = overall_answers.employee_id
            and overall_answers.recency_rank = 1

),

-- the 0-10 scale of the survey, in bands of 1
bands as (

    {% for band in range(11) -%}
        select {{ band }} as satisfaction_band
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

measured as (

    select
        bands.satisfaction_band,
        count(case when scored_technicians.last_overall_score = bands.satisfaction_band then 1 end)
            as band_technician_count,
        count(
            case
                when scored_technicians.last_overall_score = bands.satisfaction_band and scored_technicians.has_departed
                    then 1
            end
        ) as band_departure_count,
        count(scored_technicians.employee_id) as technician_count,
        count(case when scored_technicians.has_departed then 1 end) as departure_count,
        count(case when scored_technicians.has_departed_voluntarily then 1 end) as voluntary_departure_count,
        count(case when scored_technicians.has_departed_involuntarily then 1 end) as involuntary_departure_count,
        coalesce(sum(scored_technicians.followed_day_count), 0) as followed_day_count
    from bands
    left join scored_technicians
        on bands.satisfaction_band <= scored_technicians.last_overall_score
    group by 1

),

rated as (

    select
        *,
        -- a year of 365.25 days: technician-years followed = the band's average headcount x years
        followed_day_count / 365.25 as technician_years,
        {{ safe_divide('departure_count', 'followed_day_count / 365.25') }} as technician_turnover_rate,
        {{ safe_divide('voluntary_departure_count', 'followed_day_count / 365.25') }}
            as voluntary_technician_turnover_rate,
        {{ turnover_healthy_rate() }} as healthy_turnover_rate
    from measured

),

-- the worst turnover of this band and every band above it (bands without technicians are skipped)
running as (

    select
        *,
        max(technician_turnover_rate) over (
            order by satisfaction_band desc
            rows between unbounded preceding and current row
        ) as worst_turnover_rate_from_band
    from rated

),

tipping as (

    select min(satisfaction_band) as tipping_point_band
    from running
    where
        technician_count > 0
        and worst_turnover_rate_from_band < healthy_turnover_rate

),

final as (

    select
        -- band
        running.satisfaction_band,

        -- technicians whose last score is exactly the band
        running.band_technician_count,
        running.band_departure_count,

        -- technicians whose last score is the band or above
        running.technician_count,
        running.departure_count,
        running.voluntary_departure_count,
        running.involuntary_departure_count,
        cast(running.technician_years as decimal(18, 2)) as technician_years,
        running.technician_turnover_rate,
        running.voluntary_technician_turnover_rate,

        -- tipping point
        running.healthy_turnover_rate,
        tipping.tipping_point_band,

        -- booleans
        coalesce(running.technician_turnover_rate < running.healthy_turnover_rate, false) as is_turnover_healthy,
        coalesce(running.satisfaction_band = tipping.tipping_point_band, false) as is_tipping_point

    from running
    cross join tipping

)

select * from final
