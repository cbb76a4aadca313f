{#
    A number as decimal(18, scale), a tie rounded away from zero on DuckDB and PostgreSQL alike:
    169 / 40 = 4.225 gives 4.23 on both. A direct cast of a double does not agree: PostgreSQL reads
    the double's 15 significant digits (4.225 -> 4.23) while DuckDB rounds its binary value
    (4.2249999999999996 -> 4.22, yet 2.675 -> 2.68). Going through decimal(38, 9) first settles the
    binary noise at the ninth decimal, then the rounding to `scale` is exact decimal arithmetic,
    identical on both. Use it for every double (ratio, mean, converted amount) stored as a decimal.
#}
{% macro to_decimal(expression, scale=2) -%}
    cast(cast({{ expression }} as decimal(38, 9)) as decimal(18, {{ scale }}))
{%- endmacro %}
