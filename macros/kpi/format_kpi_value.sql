{#
    A KPI value as text for a sentence, by its unit: a rate as a percentage with one decimal
    ("86.1 %"), an amount with two decimals and its currency ("1234.50 EUR"), minutes and counts
    as whole numbers, ratios and scores with two decimals. Rounded through to_decimal, so that
    PostgreSQL writes what DuckDB writes. Null stays null.
#}
{% macro format_kpi_value(value, unit, currency='null') -%}
    {%- set percent = to_decimal('100 * (' ~ value ~ ')', 1) -%}
    {%- set two_decimals = to_decimal(value, 2) -%}
    {%- set whole = to_decimal(value, 0) -%}
    case {{ unit }}
        when 'rate' then cast({{ percent }} as {{ dbt.type_string() }}) || ' %'
        when 'amount' then cast({{ two_decimals }} as {{ dbt.type_string() }}) || coalesce(' ' || {{ currency }}, '')
        when 'minutes' then cast(cast({{ whole }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || ' min'
        when 'count' then cast(cast({{ whole }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast({{ two_decimals }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
