{#
    var turnover_healthy_rate (MSPKPI_TURNOVER_HEALTHY_RATE, default 0.15, seed 002's "below 15 %
    is healthy") as a SQL literal, checked at compile time: a fraction in [0, 1], so that 15 (a
    percentage) fails the build instead of making every turnover healthy.
#}
{% macro turnover_healthy_rate() -%}
    {%- set rate = (var('turnover_healthy_rate', '0.15') | string | trim) or '0.15' -%}
    {%- if not modules.re.fullmatch('(0?\\.[0-9]+|0|1|1\\.0*)', rate) -%}
        {{ exceptions.raise_compiler_error(
            'var turnover_healthy_rate (MSPKPI_TURNOVER_HEALTHY_RATE) must be a fraction in [0, 1] such as 0.15, not "'
            ~ rate ~ '"'
        ) }}
    {%- endif -%}
    cast({{ rate }} as {{ type_double() }})
{%- endmacro %}
