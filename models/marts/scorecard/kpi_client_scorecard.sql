{#
    The scorecard of each client: the KPIs the marts hold per client and month, in the long shape
    of kpi_scorecard (doc block kpi_client_scorecard). Values are the client marts' own, except SLA
    compliance, added up over the priorities of kpi_sla_compliance_monthly.

    Incremental (DECISIONLOG: "The client scorecard is rebuilt by client-month"): the values are
    gathered from the marts on every run (cheap: one narrow row per client, month and KPI), and
    compared with the table's; a run rebuilds the client-months whose values, completeness or set
    of KPIs differ, the next month of each (its previous-month columns), and every client's rows
    of a month whose reporting-month flag, labels or benchmarks changed. A client-month no marts
    hold any more is deleted after the build.
#}
{{
    config(
        materialized='incremental',
        unique_key=['client_id', 'month_start_on'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ delete_client_months_not_in([
            ref('int_client_months_served'), ref('fct_client_mrr_monthly')
        ]) }}",
    )
}}

{#- (source CTE, kpi_name, value, numerator, denominator); a value of none = numerator / denominator -#}
{%- set kpis = [
    ('sla_client_months', 'sla_compliance_rate', none, 'tickets_resolved_within_sla_count', 'sla_tickets_resolved_count'),
    ('sla_client_months', 'sla_response_compliance_rate', none, 'tickets_responded_within_sla_count', 'sla_tickets_responded_count'),
    ('sla_client_months', 'month_end_breached_open_ticket_count', 'month_end_breached_open_ticket_count', none, none),
    ('escalations', 'tickets_created_count', 'tickets_created_count', none, none),
    ('tickets_per_endpoint', 'tickets_per_endpoint', 'tickets_per_endpoint', 'tickets_created_count', 'managed_endpoint_count'),
    ('escalations', 'escalation_rate', 'escalation_rate', 'tickets_escalated_count', 'tickets_created_count'),
    ('escalations', 'onboarding_escalation_rate', 'onboarding_escalation_rate', 'onboarding_tickets_escalated_count', 'onboarding_tickets_created_count'),
    ('escalations', 'ongoing_escalation_rate', 'ongoing_escalation_rate', 'ongoing_tickets_escalated_count', 'ongoing_tickets_created_count'),
    ('service_reviews', 'first_contact_resolution_rate', 'first_contact_resolution_rate', 'tickets_resolved_first_contact_count', 'tickets_resolved_count'),
    ('service_reviews', 'mean_first_response_business_minutes', 'mean_first_response_business_minutes', 'total_first_response_business_minutes', 'sla_tickets_responded_count'),
    ('service_reviews', 'mean_resolution_business_minutes', 'mean_resolution_business_minutes', 'total_resolution_business_minutes', 'sla_tickets_resolved_count'),
    ('proactive_it', 'proactive_ticket_rate', 'proactive_ticket_rate', 'proactive_tickets_count', 'tickets_created_count'),
    ('proactive_it', 'self_service_rate', 'self_service_rate', 'self_service_tickets_count', 'tickets_created_count'),
    ('proactive_it', 'alert_auto_remediation_rate', 'alert_auto_remediation_rate', 'alerts_auto_remediated_count', 'rmm_alert_count'),
    ('csat', 'csat_rate', 'csat_rate', 'positive_csat_response_count', 'csat_response_count'),
    ('client_mrr', 'mrr_amount', 'mrr_amount', none, none),
] -%}
{#- what a KPI's rows share in a month (kpi_month_attributes), compared with the table's -#}
{%- set kpi_month_columns = [
    'kpi_name', 'month_start_on', 'kpi_label_en', 'kpi_label_fr', 'kpi_area', 'display_order', 'unit',
    'direction', 'source_model', 'source_column', 'currency', 'benchmark_kpi_name',
    'seed_benchmark_currency', 'benchmark_minimum_value', 'benchmark_target_value',
    'benchmark_best_in_class_value', 'is_reporting_month',
] -%}
{#-
    The literal and computed text columns are cast to the contract's varchar on PostgreSQL, where
    they are `text`: an incremental run compares the new rows' types with the table's
    (on_schema_change='fail'), as in fct_tickets. A no-op on DuckDB.
-#}
{%- set string_type = 'varchar' if target.type == 'postgres' else dbt.type_string() %}

with

catalogue as (

    select * from {{ ref('kpi_benchmarks') }}

),

fx_rates_monthly as (

    select * from {{ ref('int_fx_rates_monthly') }}

),

sla_compliance as (

    select * from {{ ref('kpi_sla_compliance_monthly') }}

),

escalations as (

    select * from {{ ref('kpi_escalations_monthly') }}

),

tickets_per_endpoint as (

    select * from {{ ref('kpi_tickets_per_endpoint_monthly') }}

),

service_reviews as (

    select
        *,
        period_start_on as month_start_on
    from {{ ref('kpi_service_review_monthly') }}

),

proactive_it as (

    select * from {{ ref('kpi_proactive_it_monthly') }}

),

csat as (

    select * from {{ ref('kpi_csat_monthly') }}

),

client_mrr as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

reporting as (

    select max(reporting_currency) as reporting_currency
    from fx_rates_monthly

),

-- the client's month over every priority
sla_client_months as (

    select
        client_id,
        month_start_on,
        sum(tickets_resolved_within_sla_count) as tickets_resolved_within_sla_count,
        sum(sla_tickets_resolved_count) as sla_tickets_resolved_count,
        sum(tickets_responded_within_sla_count) as tickets_responded_within_sla_count,
        sum(sla_tickets_responded_count) as sla_tickets_responded_count,
        sum(month_end_breached_open_ticket_count) as month_end_breached_open_ticket_count
    from sla_compliance
    group by 1, 2

),

kpi_values as (

    {% for source, kpi_name, value, numerator, denominator in kpis -%}
        select
            client_id,
            month_start_on,
            '{{ kpi_name }}' as kpi_name,
            cast({{ value or safe_divide(numerator, denominator) }} as {{ type_double() }}) as kpi_value,
            cast({{ numerator or 'null' }} as {{ type_double() }}) as numerator,
            cast({{ denominator or 'null' }} as {{ type_double() }}) as denominator
        from {{ source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- a month is complete once the as-of time has reached the next month
dated_values as (

    select
        kpi_values.*,
        cast({{ dbt.dateadd('month', 1, 'kpi_values.month_start_on') }} as timestamp) <= {{ as_of_timestamp() }}
            as is_month_complete
    from kpi_values

),

reporting_month as (

    select max(month_start_on) as month_start_on
    from dated_values
    where is_month_complete

),

converted_benchmarks as (

    {{ benchmarks_in_reporting_currency('catalogue', 'fx_rates_monthly') }}

),

-- what a KPI's rows share in a month: its catalogue row, the benchmark judging it (money in
-- the month's reporting currency) and the currency of an amount
kpi_months as (

    select distinct
        kpi_name,
        month_start_on
    from dated_values

),

kpi_month_attributes as (

    select
        kpi_months.kpi_name,
        kpi_months.month_start_on,
        catalogue.kpi_label_en,
        catalogue.kpi_label_fr,
        catalogue.kpi_area,
        cast(catalogue.display_order as {{ dbt.type_int() }}) as display_order,
        catalogue.unit,
        catalogue.direction,
        catalogue.source_model,
        catalogue.source_column,
        case when catalogue.unit = 'amount' then reporting.reporting_currency end as currency,
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.benchmark_currency as seed_benchmark_currency,
        {{ benchmark_figure('minimum_value', 'benchmark', 'converted_benchmarks') }} as benchmark_minimum_value,
        {{ benchmark_figure('target_value', 'benchmark', 'converted_benchmarks') }} as benchmark_target_value,
        {{ benchmark_figure('best_in_class_value', 'benchmark', 'converted_benchmarks') }}
            as benchmark_best_in_class_value,
        coalesce(kpi_months.month_start_on = reporting_month.month_start_on, false) as is_reporting_month
    from kpi_months
    cross join reporting
    cross join reporting_month
    left join catalogue
        on kpi_months.kpi_name = catalogue.kpi_name
    left join catalogue as benchmark
        on coalesce(catalogue.benchmark_kpi_name, catalogue.kpi_name) = benchmark.kpi_name
    left join converted_benchmarks
        on
            benchmark.kpi_name = converted_benchmarks.kpi_name
            and kpi_months.month_start_on = converted_benchmarks.month_start_on

),

{% if is_incremental() -%}
    stored_values as (

        select
            client_id,
            month_start_on,
            kpi_name,
            kpi_value,
            numerator,
            denominator,
            is_month_complete
        from {{ this }}

    ),

    -- the client-months whose values, completeness or set of KPIs differ from the table's
    changed_client_months as (

        select distinct
            coalesce(dated_values.client_id, stored_values.client_id) as client_id,
            coalesce(dated_values.month_start_on, stored_values.month_start_on) as month_start_on
        from dated_values
        full outer join stored_values
            on
                dated_values.client_id = stored_values.client_id
                and dated_values.month_start_on = stored_values.month_start_on
                and dated_values.kpi_name = stored_values.kpi_name
        where
            dated_values.client_id is null
            or stored_values.client_id is null
            or dated_values.is_month_complete <> stored_values.is_month_complete
            {%- for figure in ['kpi_value', 'numerator', 'denominator'] %}
                or dated_values.{{ figure }} is distinct from stored_values.{{ figure }}
            {%- endfor %}

    ),

    -- the months where a KPI's shared columns differ from the table's: the reporting month moved,
    -- an exchange rate or the kpi_benchmarks seed changed (every client's rows of the month)
    changed_months as (

        select distinct month_start_on
        from (
            (
                select {{ kpi_month_columns | join(', ') }}
                from kpi_month_attributes
                except
                select distinct {{ kpi_month_columns | join(', ') }}
                from {{ this }}
            )
            union all
            (
                select distinct {{ kpi_month_columns | join(', ') }}
                from {{ this }}
                except
                select {{ kpi_month_columns | join(', ') }}
                from kpi_month_attributes
            )
        ) as changed_kpi_months

    ),

    client_months_to_rebuild as (

        select
            client_id,
            month_start_on
        from changed_client_months

        union

        -- the next month reads the changed one as its previous month
        select
            client_id,
            cast({{ dbt.dateadd('month', 1, 'month_start_on') }} as date) as month_start_on
        from changed_client_months

        union

        select
            dated_values.client_id,
            dated_values.month_start_on
        from dated_values
        inner join changed_months
            on dated_values.month_start_on = changed_months.month_start_on

    ),

{% endif -%}

judged as (

    select
        dated_values.client_id,
        dated_values.month_start_on,
        dated_values.kpi_name,
        dated_values.kpi_value,
        dated_values.numerator,
        dated_values.denominator,
        dated_values.is_month_complete,
        kpi_month_attributes.kpi_label_en,
        kpi_month_attributes.kpi_label_fr,
        kpi_month_attributes.kpi_area,
        kpi_month_attributes.display_order,
        kpi_month_attributes.unit,
        kpi_month_attributes.direction,
        kpi_month_attributes.source_model,
        kpi_month_attributes.source_column,
        kpi_month_attributes.currency,
        kpi_month_attributes.benchmark_kpi_name,
        kpi_month_attributes.seed_benchmark_currency,
        -- the names benchmark_status reads
        kpi_month_attributes.benchmark_minimum_value as minimum_value,
        kpi_month_attributes.benchmark_target_value as target_value,
        kpi_month_attributes.benchmark_best_in_class_value as best_in_class_value,
        kpi_month_attributes.is_reporting_month
    from dated_values
    inner join kpi_month_attributes
        on
            dated_values.kpi_name = kpi_month_attributes.kpi_name
            and dated_values.month_start_on = kpi_month_attributes.month_start_on
    {% if is_incremental() -%}
        where exists (
            select 1
            from client_months_to_rebuild
            where
                client_months_to_rebuild.client_id = dated_values.client_id
                and client_months_to_rebuild.month_start_on = dated_values.month_start_on
        )
    {%- endif %}

),

-- each value keyed by the month after its own: the next month's row finds it on plain columns,
-- and the join carries one value column instead of every column of judged
previous_month_values as (

    select
        dated_values.client_id,
        dated_values.kpi_name,
        cast({{ dbt.dateadd('month', 1, 'dated_values.month_start_on') }} as date) as next_month_start_on,
        dated_values.kpi_value
    from dated_values
    {% if is_incremental() -%}
        -- the previous month of a rebuilt one only
        where exists (
            select 1
            from client_months_to_rebuild
            where
                client_months_to_rebuild.client_id = dated_values.client_id
                and client_months_to_rebuild.month_start_on
                = cast({{ dbt.dateadd('month', 1, 'dated_values.month_start_on') }} as date)
        )
    {%- endif %}

),

final as (

    select
        -- ids
        judged.client_id,

        -- dates
        judged.month_start_on,

        -- the KPI (kpi_benchmarks)
        cast(judged.kpi_name as {{ string_type }}) as kpi_name,
        judged.kpi_label_en,
        judged.kpi_label_fr,
        judged.kpi_area,
        judged.display_order,
        judged.unit,
        judged.direction,

        -- value
        judged.kpi_value,
        judged.numerator,
        judged.denominator,
        cast(judged.currency as {{ string_type }}) as currency,

        -- benchmark, in the KPI's unit (money in the reporting currency)
        judged.benchmark_kpi_name,
        judged.seed_benchmark_currency,
        judged.minimum_value as benchmark_minimum_value,
        judged.target_value as benchmark_target_value,
        judged.best_in_class_value as benchmark_best_in_class_value,
        -- a month to date is never judged
        cast(
            case
                when judged.is_month_complete then {{ benchmark_status('judged.kpi_value', 'judged') }}
            end as {{ string_type }}
        ) as benchmark_status,

        -- against the client's previous calendar month
        previous_month.kpi_value as previous_kpi_value,
        judged.kpi_value - previous_month.kpi_value as kpi_value_change,
        cast(
            {{ kpi_trend('judged.kpi_value - previous_month.kpi_value', 'judged.direction') }} as {{ string_type }}
        ) as trend,

        -- lineage
        judged.source_model,
        judged.source_column,

        -- booleans
        judged.is_month_complete,
        judged.is_reporting_month

    from judged
    left join previous_month_values as previous_month
        on
            judged.client_id = previous_month.client_id
            and judged.kpi_name = previous_month.kpi_name
            and judged.month_start_on = previous_month.next_month_start_on

)

select * from final
