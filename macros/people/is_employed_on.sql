{#
    Whether an employee is on the payroll on a day: hired on or before it, and not yet gone
    (terminated_on is the first day no longer employed, an exclusive bound). The one definition of
    headcount of the people marts: headcount on day d = employees for which this is true.
#}
{% macro is_employed_on(day, hired_on='hired_on', terminated_on='terminated_on') -%}
    ({{ hired_on }} <= {{ day }} and ({{ terminated_on }} is null or {{ terminated_on }} > {{ day }}))
{%- endmacro %}
