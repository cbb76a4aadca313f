{#
    The status of a KPI value against its row of the kpi_benchmarks seed (joined under the alias
    `benchmark`): best_in_class when it reaches the seed's best-in-class figure, on_target when it
    reaches the target (the minimum when the seed gives no target), else below_target. "Reaches"
    is >= for higher_is_better and <= for lower_is_better. Best in class is checked first: for SLA
    compliance the seed's best-in-class figure (95 %) is laxer than its aim (100 %), so every value
    from 95 % is best in class. Null when the value is null, the KPI has no benchmark row, or the
    seed gives no figure at all.
#}
{% macro benchmark_status(value, benchmark) -%}
    case
        when {{ value }} is null then null
        when {{ benchmark }}.direction = 'higher_is_better'
            then
                case
                    when {{ value }} >= {{ benchmark }}.best_in_class_value then 'best_in_class'
                    when {{ value }} >= coalesce({{ benchmark }}.target_value, {{ benchmark }}.minimum_value)
                        then 'on_target'
                    when
                        coalesce(
                            {{ benchmark }}.target_value,
                            {{ benchmark }}.minimum_value,
                            {{ benchmark }}.best_in_class_value
                        ) is not null
                        then 'below_target'
                end
        when {{ benchmark }}.direction = 'lower_is_better'
            then
                case
                    when {{ value }} <= {{ benchmark }}.best_in_class_value then 'best_in_class'
                    when {{ value }} <= coalesce({{ benchmark }}.target_value, {{ benchmark }}.minimum_value)
                        then 'on_target'
                    when
                        coalesce(
                            {{ benchmark }}.target_value,
                            {{ benchmark }}.minimum_value,
                            {{ benchmark }}.best_in_class_value
                        ) is not null
                        then 'below_target'
                end
    end
{%- endmacro %}
