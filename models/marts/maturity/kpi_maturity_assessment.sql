{#
    The MSP maturity self-assessment of seed 004, one row per assessment: the four sections side by
    side (points, average, stage) and the overall score and stage in English and French, with the
    seed's advice of that stage for each section. Computed in kpi_maturity_assessment_sections.
#}

{%- set sections = [
    ('PO', 'process_operations'),
    ('TA', 'technology_automation'),
    ('CS', 'client_satisfaction'),
    ('RG', 'revenue_growth'),
] -%}

with

assessment_sections as (

    select * from {{ ref('kpi_maturity_assessment_sections') }}

),

final as (

    select
        -- ids
        assessment_id,

        -- dates
        max(assessed_on) as assessed_on,

        -- overall
        -- cast again: PostgreSQL's max() drops the decimal's scale
        cast(max(overall_score) as decimal(18, 2)) as overall_score,
        max(overall_stage_id) as stage_id,
        max(overall_stage_name_en) as stage_name_en,
        max(overall_stage_name_fr) as stage_name_fr,

        {% for section_id, prefix in sections -%}
            -- {{ prefix }} ({{ section_id }})
            max(case when section_id = '{{ section_id }}' then section_points end) as {{ prefix }}_points,
            cast(
                max(case when section_id = '{{ section_id }}' then section_average_score end) as decimal(18, 2)
            ) as {{ prefix }}_average_score,
            max(case when section_id = '{{ section_id }}' then section_stage_id end) as {{ prefix }}_stage_id,
            max(case when section_id = '{{ section_id }}' then overall_stage_advice_en end) as {{ prefix }}_advice_en,
            max(case when section_id = '{{ section_id }}' then overall_stage_advice_fr end) as {{ prefix }}_advice_fr,

        {% endfor -%}
        -- booleans
        {{ dbt.bool_or('is_assessment_complete') }} as is_assessment_complete

    from assessment_sections
    group by assessment_id

)

select * from final
