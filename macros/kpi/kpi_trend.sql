{#
    Whether a KPI got better or worse since the previous period, from its change (this minus
    previous) and its direction: improved, worsened or unchanged; null when either value is missing
    or the KPI has no good direction (neutral, e.g. ticket volume).
#}
{% macro kpi_trend(change, direction) -%}
    case
        when {{ change }} is null or {{ direction }} not in ('higher_is_better', 'lower_is_better') then null
        when {{ change }} = 0 then 'unchanged'
        when ({{ change }} > 0) = ({{ direction }} = 'higher_is_better') then 'improved'
        else 'worsened'
    end
{%- endmacro %}
