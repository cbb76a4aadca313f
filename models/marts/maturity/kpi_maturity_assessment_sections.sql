{#
    The MSP maturity self-assessment of seed 004, section by section: points (1-5 per statement,
    five statements), section average = points / 5 and its stage, beside the assessment's overall
    score (the mean of the four section averages) and stage, and the seed's advice for the section.
#}

with

answers as (

    select * from {{ ref('stg_surveys__maturity_assessments') }}

),

statements as (

    select * from {{ ref('maturity_statements') }}

),

stages as (

    select * from {{ ref('maturity_stages') }}

),

advice as (

    select * from {{ ref('maturity_advice') }}

),

assessments as (

    select
        assessment_id,
        max(assessed_on) as assessed_on
    from answers
    group by assessment_id

),

sections as (

    select
        section_id,
        min(section_order) as section_order,
        min(section_name_en) as section_name_en,
        min(section_name_fr) as section_name_fr,
        count(*) as statement_count
    from statements
    group by section_id

),

-- every section of every assessment, answered or not
section_points as (

    select
        assessments.assessment_id,
        assessments.assessed_on,
        sections.section_id,
        sections.section_order,
        sections.section_name_en,
        sections.section_name_fr,
        sections.statement_count,
        count(answers.statement_id) as answered_statement_count,
        coalesce(sum(answers.points), 0) as section_points
    from assessments
    cross join sections
    left join statements
        on sections.section_id = statements.section_id
    left join answers
        on
            assessments.assessment_id = answers.assessment_id
            and statements.statement_id = answers.statement_id
    group by
        assessments.assessment_id,
        assessments.assessed_on,
        sections.section_id,
        sections.section_order,
        sections.section_name_en,
        sections.section_name_fr,
        sections.statement_count

),

-- the seed's arithmetic: section average = points / 5 (its number of statements), overall score
-- = mean of the section averages; kept as decimals so that a score on a stage boundary (3.00) is
-- not read as 2.9999...
averaged as (

    select
        *,
        cast(cast(section_points as decimal(18, 4)) / statement_count as decimal(18, 4)) as section_average_score
    from section_points

),

scored as (

    select
        *,
        cast(avg(section_average_score) over (partition by assessment_id) as decimal(18, 4)) as overall_score,
        sum(answered_statement_count) over (partition by assessment_id) as assessment_answered_count,
        sum(statement_count) over (partition by assessment_id) as assessment_statement_count
    from averaged

),

-- a score is at the stage where min_score <= score < max_score (the top stage is open-ended)
staged as (

    select
        scored.*,
        section_stage.stage_id as section_stage_id,
        section_stage.stage_name_en as section_stage_name_en,
        section_stage.stage_name_fr as section_stage_name_fr,
        overall_stage.stage_id as overall_stage_id,
        overall_stage.stage_name_en as overall_stage_name_en,
        overall_stage.stage_name_fr as overall_stage_name_fr
    from scored
    left join stages as section_stage
        on
            scored.section_average_score >= section_stage.min_score
            and (section_stage.max_score is null or scored.section_average_score < section_stage.max_score)
    left join stages as overall_stage
        on
            scored.overall_score >= overall_stage.min_score
            and (overall_stage.max_score is null or scored.overall_score < overall_stage.max_score)

),

final as (

    select
        -- ids
        staged.assessment_id,
        staged.section_id,

        -- dates
        staged.assessed_on,

        -- section
        staged.section_order,
        staged.section_name_en,
        staged.section_name_fr,
        staged.answered_statement_count,
        cast(staged.section_points as {{ dbt.type_bigint() }}) as section_points,
        cast(staged.section_average_score as decimal(18, 2)) as section_average_score,
        staged.section_stage_id,
        staged.section_stage_name_en,
        staged.section_stage_name_fr,
        section_stage_advice.advice_en as section_stage_advice_en,
        section_stage_advice.advice_fr as section_stage_advice_fr,

        -- the assessment as a whole
        cast(staged.overall_score as decimal(18, 2)) as overall_score,
        staged.overall_stage_id,
        staged.overall_stage_name_en,
        staged.overall_stage_name_fr,
        overall_stage_advice.advice_en as overall_stage_advice_en,
        overall_stage_advice.advice_fr as overall_stage_advice_fr,

        -- booleans
        staged.assessment_answered_count = staged.assessment_statement_count as is_assessment_complete

    from staged
    left join advice as section_stage_advice
        on
            staged.section_id = section_stage_advice.section_id
            and staged.section_stage_id = section_stage_advice.stage_id
    left join advice as overall_stage_advice
        on
            staged.section_id = overall_stage_advice.section_id
            and staged.overall_stage_id = overall_stage_advice.stage_id

)

select * from final
