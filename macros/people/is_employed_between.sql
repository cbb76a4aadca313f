{#
    Whether an employee is on the payroll on at least one day from first_day to last_day
    (inclusive): hired by the last day, and not gone before the first (terminated_on is the first
    day no longer employed). The technicians "active in a week" of the satisfaction marts.
#}
{% macro is_employed_between(first_day, last_day, hired_on='hired_on', terminated_on='terminated_on') -%}
    ({{ hired_on }} <= {{ last_day }} and ({{ terminated_on }} is null or {{ terminated_on }} > {{ first_day }}))
{%- endmacro %}
