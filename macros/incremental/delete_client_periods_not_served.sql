{#
    post_hook of an incremental mart by client and period (period_start_on, period_end_on): after
    an incremental run, delete the client periods that no longer hold a served month of
    `client_months` (an agreement shortened, a ticket moved to another client). delete+insert only
    replaces the keys the run rebuilds; a period with nothing left to build would stay otherwise.
    Nothing on a full build (the table was just built from the spine) and on Spark, whose parquet
    tables take no DELETE (this project's Spark target builds in full only).
#}
{% macro delete_client_periods_not_served(client_months) -%}
    {%- if target.type == 'spark' or not is_incremental() -%}
        {{ return('select 1') }}
    {%- endif -%}
    delete from {{ this }} as stored
    where not exists (
        select 1
        from {{ client_months }} as served
        where
            served.client_id = stored.client_id
            and served.month_start_on >= stored.period_start_on
            and served.month_start_on <= stored.period_end_on
    )
{%- endmacro %}
