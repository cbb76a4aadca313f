{#
    A stable, salted key in place of a personal value (a name, an e-mail): md5 of the salt followed
    by the lower-cased, trimmed value, so that "Ann@X.com " and "ann@x.com" give the same key and a
    null stays null. The salt is MSPKPI_PII_SALT (var pii_salt), empty by default.
#}
{% macro mask_pii(column) -%}
    md5({{ dbt.string_literal(dbt.escape_single_quotes(var('pii_salt', ''))) }} || lower(trim({{ column }})))
{%- endmacro %}
