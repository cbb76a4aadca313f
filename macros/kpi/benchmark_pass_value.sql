{#
    The value a KPI must reach to leave below_target under benchmark_status: the laxer of the
    best-in-class figure and the target (the minimum when the seed gives no target), i.e. the
    lower of the two for higher_is_better and the higher for lower_is_better (least and greatest
    skip nulls). SLA compliance: 0.95, not the aim of 1.00. Null when the seed gives no figure.
#}
{% macro benchmark_pass_value(direction, minimum_value, target_value, best_in_class_value) -%}
    case {{ direction }}
        when 'higher_is_better'
            then least({{ best_in_class_value }}, coalesce({{ target_value }}, {{ minimum_value }}))
        when 'lower_is_better'
            then greatest({{ best_in_class_value }}, coalesce({{ target_value }}, {{ minimum_value }}))
    end
{%- endmacro %}
