{#
    A rate is a fraction in [0, 1] (0.75, never 75); null is allowed (a period with no population).
#}
{% test rate_between_zero_and_one(model, column_name) %}
    select {{ column_name }} as rate_value
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
