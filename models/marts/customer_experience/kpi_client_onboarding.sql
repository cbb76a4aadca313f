{#
    Client onboarding of seed 000, client by client: the first 90 days from the start of the
    client's first agreement. The onboarding survey (overall rating, NPS, customer effort score),
    tickets and their escalation in the onboarding vs afterwards, and the weekly pulse of the
    technicians who worked the onboarding tickets during the onboarding weeks.
#}

{%- set alert_rate = (var('escalation_alert_rate', '0.20') | string | trim) or '0.20' -%}

with

clients as (

    select * from {{ ref('dim_clients') }}

),

-- read twice (the history's first month, the classified tickets): inlined, not copied whole
-- first (at 10 M tickets, 3.1-3.4 s -> 2.4-2.9 s)
tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

time_entries as (

    select * from {{ ref('stg_psa__time_entries') }}

),

client_surveys as (

    select * from {{ ref('stg_surveys__client_surveys') }}

),

technician_pulses as (

    select * from {{ ref('stg_surveys__technician_pulses') }}

),

-- the PSA history starts with the month of the first ticket: onboardings that started earlier
-- cannot be measured
history as (

    select cast({{ dbt.date_trunc('month', 'min(created_at)') }} as date) as history_start_on
    from tickets

),

onboarded_clients as (

    select
        clients.client_id,
        clients.first_agreement_started_on,
        clients.onboarding_ends_on
    from clients
    cross join history
    where
        clients.first_agreement_started_on >= history.history_start_on
        and clients.first_agreement_started_on <= {{ as_of_date() }}

),

-- onboarding = created before the end of the first 90 days, as in kpi_escalations_monthly (a
-- ticket raised before the first agreement starts is part of the set-up)
classified_tickets as (

    select
        tickets.ticket_id,
        tickets.client_id,
        tickets.assigned_technician_id,
        tickets.is_escalated,
        tickets.created_on < onboarded_clients.onboarding_ends_on as is_onboarding
    from tickets
    inner join onboarded_clients
        on tickets.client_id = onboarded_clients.client_id
    where tickets.created_on <= {{ as_of_date() }}

),

client_tickets as (

    select
        client_id,
        count(case when is_onboarding then ticket_id end) as onboarding_tickets_created_count,
        count(case when is_onboarding and is_escalated then ticket_id end) as onboarding_tickets_escalated_count,
        count(case when not is_onboarding then ticket_id end) as ongoing_tickets_created_count,
        count(case when not is_onboarding and is_escalated then ticket_id end) as ongoing_tickets_escalated_count
    from classified_tickets
    group by client_id

),

-- who worked the onboarding tickets: logged time on them, or is assigned to them
onboarding_workers as (

    select
        classified_tickets.client_id,
        time_entries.technician_id as employee_id
    from classified_tickets
    inner join time_entries
        on classified_tickets.ticket_id = time_entries.ticket_id
    where classified_tickets.is_onboarding and time_entries.technician_id is not null

    union

    select
        client_id,
        assigned_technician_id as employee_id
    from classified_tickets
    where is_onboarding and assigned_technician_id is not null

),

-- the months in which the weeks overlapping each onboarding start (its first week may start up
-- to 6 days before it): the pulse join below then reads an employee's pulses of 4 or 5 months,
-- not of every week since the employee's first pulse
onboarding_months as (

    {{ month_spine(
        start_date=dbt.dateadd('day', -6, '(select min(first_agreement_started_on) from onboarded_clients)'),
        end_date='(select max(onboarding_ends_on) from onboarded_clients)',
    ) }}

),

onboarding_pulse_months as (

    select
        onboarded_clients.client_id,
        onboarding_months.month_start_on
    from onboarded_clients
    inner join onboarding_months
        on
            onboarding_months.month_start_on
            >= {{ dbt.date_trunc('month', dbt.dateadd('day', -6, 'onboarded_clients.first_agreement_started_on')) }}
            and onboarding_months.month_start_on
            <= {{ dbt.date_trunc('month', dbt.dateadd('day', -1, 'onboarded_clients.onboarding_ends_on')) }}

),

technician_pulses_monthly as (

    select
        technician_pulses.*,
        cast({{ dbt.date_trunc('month', 'technician_pulses.week_start_on') }} as date) as week_month_start_on
    from technician_pulses

),

-- their pulse for the weeks that overlap the onboarding
onboarding_pulse as (

    select
        onboarding_workers.client_id,
        count(distinct onboarding_workers.employee_id) as onboarding_technician_count,
        count(technician_pulses_monthly.pulse_response_id) as onboarding_pulse_response_count,
        sum(technician_pulses_monthly.pulse_score) as onboarding_pulse_score_sum
    from onboarding_workers
    inner join onboarded_clients
        on onboarding_workers.client_id = onboarded_clients.client_id
    -- a left join: a worker without a pulse in the onboarding still counts
    left join onboarding_pulse_months
        on onboarding_workers.client_id = onboarding_pulse_months.client_id
    left join technician_pulses_monthly
        on
            onboarding_workers.employee_id = technician_pulses_monthly.employee_id
            and onboarding_pulse_months.month_start_on = technician_pulses_monthly.week_month_start_on
            and onboarded_clients.onboarding_ends_on > technician_pulses_monthly.week_start_on
            and onboarded_clients.first_agreement_started_on
            <= {{ dbt.dateadd('day', 6, 'technician_pulses_monthly.week_start_on') }}
    group by onboarding_workers.client_id

),

-- the client's answers to the onboarding survey
onboarding_answers as (

    select
        client_id,
        count(*) as survey_response_count,
        count(overall_rating) as overall_rating_response_count,
        sum(overall_rating) as overall_rating_sum,
        count(nps_score) as nps_response_count,
        count(case when nps_score >= 9 then client_survey_response_id end) as promoter_count,
        count(case when nps_score between 7 and 8 then client_survey_response_id end) as passive_count,
        count(case when nps_score <= 6 then client_survey_response_id end) as detractor_count,
        count(effort_score) as effort_response_count,
        sum(effort_score) as effort_score_sum
    from client_surveys
    where survey_type = 'onboarding'
    group by client_id

),

measured as (

    select
        onboarded_clients.client_id,
        onboarded_clients.first_agreement_started_on,
        onboarded_clients.onboarding_ends_on,
        onboarded_clients.onboarding_ends_on <= {{ as_of_date() }} as is_onboarding_complete,
        coalesce(onboarding_answers.survey_response_count, 0) as survey_response_count,
        coalesce(onboarding_answers.overall_rating_response_count, 0) as overall_rating_response_count,
        coalesce(onboarding_answers.overall_rating_sum, 0) as overall_rating_sum,
        coalesce(onboarding_answers.nps_response_count, 0) as nps_response_count,
        coalesce(onboarding_answers.promoter_count, 0) as promoter_count,
        coalesce(onboarding_answers.passive_count, 0) as passive_count,
        coalesce(onboarding_answers.detractor_count, 0) as detractor_count,
        coalesce(onboarding_answers.effort_response_count, 0) as effort_response_count,
        coalesce(onboarding_answers.effort_score_sum, 0) as effort_score_sum,
        coalesce(client_tickets.onboarding_tickets_created_count, 0) as onboarding_tickets_created_count,
        coalesce(client_tickets.onboarding_tickets_escalated_count, 0) as onboarding_tickets_escalated_count,
        coalesce(client_tickets.ongoing_tickets_created_count, 0) as ongoing_tickets_created_count,
        coalesce(client_tickets.ongoing_tickets_escalated_count, 0) as ongoing_tickets_escalated_count,
        coalesce(onboarding_pulse.onboarding_technician_count, 0) as onboarding_technician_count,
        coalesce(onboarding_pulse.onboarding_pulse_response_count, 0) as onboarding_pulse_response_count,
        coalesce(onboarding_pulse.onboarding_pulse_score_sum, 0) as onboarding_pulse_score_sum,
        cast({{ alert_rate }} as {{ type_double() }}) as escalation_alert_threshold_rate
    from onboarded_clients
    left join onboarding_answers
        on onboarded_clients.client_id = onboarding_answers.client_id
    left join client_tickets
        on onboarded_clients.client_id = client_tickets.client_id
    left join onboarding_pulse
        on onboarded_clients.client_id = onboarding_pulse.client_id

),

final as (

    select
        -- ids
        client_id,

        -- dates
        first_agreement_started_on,
        onboarding_ends_on,

        -- onboarding survey: overall rating (1-5)
        survey_response_count,
        overall_rating_response_count,
        cast(overall_rating_sum as {{ dbt.type_bigint() }}) as overall_rating_sum,
        {{ to_decimal(safe_divide('overall_rating_sum', 'overall_rating_response_count')) }}
            as mean_overall_rating,

        -- onboarding survey: NPS (0-10 answers, score -100 to 100)
        nps_response_count,
        promoter_count,
        passive_count,
        detractor_count,
        100 * {{ safe_divide('promoter_count - detractor_count', 'nps_response_count') }} as net_promoter_score,

        -- onboarding survey: customer effort score (1 very hard ... 7 very easy)
        effort_response_count,
        cast(effort_score_sum as {{ dbt.type_bigint() }}) as effort_score_sum,
        {{ to_decimal(safe_divide('effort_score_sum', 'effort_response_count')) }}
            as mean_effort_score,

        -- tickets: onboarding (first 90 days) vs ongoing support
        onboarding_tickets_created_count,
        onboarding_tickets_escalated_count,
        {{ safe_divide('onboarding_tickets_escalated_count', 'onboarding_tickets_created_count') }}
            as onboarding_escalation_rate,
        ongoing_tickets_created_count,
        ongoing_tickets_escalated_count,
        {{ safe_divide('ongoing_tickets_escalated_count', 'ongoing_tickets_created_count') }}
            as ongoing_escalation_rate,
        escalation_alert_threshold_rate,
        coalesce(
            {{ safe_divide('onboarding_tickets_escalated_count', 'onboarding_tickets_created_count') }}
            >= escalation_alert_threshold_rate,
            false
        ) as is_onboarding_escalation_alert,

        -- technicians of the onboarding: their weekly pulse (1-5)
        onboarding_technician_count,
        onboarding_pulse_response_count,
        cast(onboarding_pulse_score_sum as {{ dbt.type_bigint() }}) as onboarding_pulse_score_sum,
        {{ to_decimal(safe_divide('onboarding_pulse_score_sum', 'onboarding_pulse_response_count')) }}
            as mean_onboarding_pulse_score,

        -- booleans
        is_onboarding_complete

    from measured

)

select * from final
