{#
    deduplicate on Spark, which has no DISTINCT ON: row_number() over the partition in the given
    order, the first row kept. The row travels as a struct of all its columns and is expanded
    back (`deduplicated.row.*`), so no helper column reaches the model and the same SQL runs on
    Spark 3 and 4 (no QUALIFY, no `* except`).
#}
{% macro spark__deduplicate(relation, partition_by, order_by) -%}
    select deduplicated.row.*
    from (
        select
            struct(*) as row,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as row_rank
        from {{ relation }}
    ) as deduplicated
    where deduplicated.row_rank = 1
{%- endmacro %}
