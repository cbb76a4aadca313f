{#
    post_hook of an incremental mart by client and month: after an incremental run, delete the
    client-months that none of `client_month_relations` holds any more (an agreement shortened,
    the only ticket of a client's month moved to another client). delete+insert replaces only the
    client-months the run rebuilds; a client-month with nothing left to build would stay
    otherwise. Nothing on a full build (the table was just built from those relations) and on
    Spark, whose parquet tables take no DELETE (this project's Spark target builds in full only).
#}
{% macro delete_client_months_not_in(client_month_relations) -%}
    {%- if target.type == 'spark' or not is_incremental() -%}
        {{ return('select 1') }}
    {%- endif -%}
    delete from {{ this }} as stored
    where
        {%- for relation in client_month_relations %}
            {{ 'and ' if not loop.first }}not exists (
                select 1
                from {{ relation }} as scored
                where
                    scored.client_id = stored.client_id
                    and scored.month_start_on = stored.month_start_on
            )
        {%- endfor %}
{%- endmacro %}
