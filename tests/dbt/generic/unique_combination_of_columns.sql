{#
    The grain test of a compound key (dbt_utils.unique_combination_of_columns): no two rows share
    the same values of all the given columns. Nulls count as equal values (group by semantics).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') %}
    select
        {{ columns }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
