{#
    Net promoter score per month and client survey (onboarding, relationship): % promoters (9-10)
    minus % detractors (0-6) of the month's answers, on -100..100, with the three counts, and the
    month's mean overall rating and customer effort score.
#}

with

client_surveys as (

    select * from {{ ref('stg_surveys__client_surveys') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'coalesce(min(responded_at), ' ~ as_of_timestamp() ~ ')') }} as date)
            as first_month_start_on,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as last_month_start_on
    from client_surveys

),

calendar_months as (

    {{ month_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

months as (

    select
        month_start_on,
        cast({{ dbt.dateadd('month', 1, 'month_start_on') }} as timestamp) <= {{ as_of_timestamp() }}
            as is_month_complete
    from calendar_months

),

survey_types as (

    select distinct survey_type
    from client_surveys

),

answers as (

    select
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as month_start_on,
        survey_type,
        count(*) as survey_response_count,
        count(nps_score) as nps_response_count,
        count(case when nps_score >= 9 then client_survey_response_id end) as promoter_count,
        count(case when nps_score between 7 and 8 then client_survey_response_id end) as passive_count,
        count(case when nps_score <= 6 then client_survey_response_id end) as detractor_count,
        count(overall_rating) as overall_rating_response_count,
        sum(overall_rating) as overall_rating_sum,
        count(effort_score) as effort_response_count,
        sum(effort_score) as effort_score_sum
    from client_surveys
    group by 1, 2

),

measured as (

    select
        months.month_start_on,
        months.is_month_complete,
        survey_types.survey_type,
        coalesce(answers.survey_response_count, 0) as survey_response_count,
        coalesce(answers.nps_response_count, 0) as nps_response_count,
        coalesce(answers.promoter_count, 0) as promoter_count,
        coalesce(answers.passive_count, 0) as passive_count,
        coalesce(answers.detractor_count, 0) as detractor_count,
        coalesce(answers.overall_rating_response_count, 0) as overall_rating_response_count,
        coalesce(answers.overall_rating_sum, 0) as overall_rating_sum,
        coalesce(answers.effort_response_count, 0) as effort_response_count,
        coalesce(answers.effort_score_sum, 0) as effort_score_sum
    from months
    cross join survey_types
    left join answers
        on
            months.month_start_on = answers.month_start_on
            and survey_types.survey_type = answers.survey_type

),

final as (

    select
        -- dates
        month_start_on,

        -- attributes
        survey_type,

        -- answers
        survey_response_count,

        -- NPS
        nps_response_count,
        promoter_count,
        passive_count,
        detractor_count,
        {{ safe_divide('promoter_count', 'nps_response_count') }} as promoter_rate,
        {{ safe_divide('detractor_count', 'nps_response_count') }} as detractor_rate,
        100 * {{ safe_divide('promoter_count - detractor_count', 'nps_response_count') }} as net_promoter_score,

        -- overall rating (1-5)
        overall_rating_response_count,
        cast(overall_rating_sum as {{ dbt.type_bigint() }}) as overall_rating_sum,
        {{ to_decimal(safe_divide('overall_rating_sum', 'overall_rating_response_count')) }}
            as mean_overall_rating,

        -- customer effort score (1 very hard ... 7 very easy)
        effort_response_count,
        cast(effort_score_sum as {{ dbt.type_bigint() }}) as effort_score_sum,
        {{ to_decimal(safe_divide('effort_score_sum', 'effort_response_count')) }} as mean_effort_score,

        -- booleans
        is_month_complete

    from measured

)

select * from final
