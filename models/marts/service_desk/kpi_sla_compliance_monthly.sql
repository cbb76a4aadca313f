{#
    SLA compliance per month, client and priority. Each ticket counts in the month of the event
    measured: its first response for the response SLA, its resolution for the resolution SLA, its
    creation for the volume and the tickets without a policy. The breached backlog is a stock,
    counted at the month's last instant (the as-of time for the current month).

    Incremental (DECISIONLOG: "SLA compliance is rebuilt by client-month"): a run rebuilds, for
    each client with a ticket delivered since the table's last delivery (in any of the ticket's
    versions: int_ticket_months_logged), every month from that ticket's creation to the as-of
    month (the ticket's events and the month ends it stayed open through);
    every client-month whose measurement instant or completeness moved (the current month, the
    month the as-of time has completed) or that is newly served; and every client-month when the
    priorities or the benchmark changed. A client-month no longer served is deleted after the
    build.
#}
-- depends_on: {{ ref('int_ticket_months_logged') }}
{{
    config(
        materialized='incremental',
        unique_key=['client_id', 'month_start_on'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ delete_client_months_not_in([ref('int_client_months_served')]) }}",
    )
}}

{#-
    The text columns are cast to the contract's varchar on PostgreSQL, where they are `text`: an
    incremental run compares the new rows' types with the table's (on_schema_change='fail'), as in
    fct_tickets. A no-op on DuckDB.
-#}
{%- set string_type = 'varchar' if target.type == 'postgres' else dbt.type_string() %}
{#- the benchmark columns every row carries, compared with the table's on an incremental run #}
{%- set benchmark_columns = 'kpi_name, minimum_value, target_value, best_in_class_value' %}
{#- the last delivery of fct_tickets already in the table, on an incremental run #}
{%- if is_incremental() %}
    {%- set tickets_high_water_mark = incremental_high_water_mark('_tickets_delivery_id') %}
{%- endif %}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

all_tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

priorities as (

    select distinct priority
    from all_tickets

),

{% if is_incremental() %}

    stored_client_months as (

        select distinct
            client_id,
            month_start_on,
            backlog_measured_at,
            is_month_complete
        from {{ this }}

    ),

    -- the benchmark columns every row carries (the join of `final`)
    sla_benchmark as (

        select
            benchmark.kpi_name,
            benchmark.minimum_value,
            benchmark.target_value,
            benchmark.best_in_class_value
        from (select 1 as anchor) as anchor
        left join benchmarks as benchmark
            on benchmark.kpi_name = 'sla_compliance_rate'

    ),

    stored_benchmark as (

        select distinct
            benchmark_kpi_name as kpi_name,
            benchmark_minimum_value as minimum_value,
            benchmark_target_value as target_value,
            benchmark_best_in_class_value as best_in_class_value
        from {{ this }}

    ),

    -- every client-month when a priority appeared or disappeared, or the benchmark changed
    everything_changed as (

        select 1 as is_everything_changed
        where
            exists (select priority from priorities except select priority from {{ this }})
            or exists (select priority from {{ this }} except select priority from priorities)
            or exists (
                select {{ benchmark_columns }} from sla_benchmark
                except
                select {{ benchmark_columns }} from stored_benchmark
            )
            or exists (
                select {{ benchmark_columns }} from stored_benchmark
                except
                select {{ benchmark_columns }} from sla_benchmark
            )

    ),

    -- delivered since the last build (a ticket row, time entries, status changes or SLA figures)
    tickets_to_recount as (

        select ticket_id
        from {{ ref('fct_tickets') }}
        where _delivery_id > {{ tickets_high_water_mark }}

    ),

    -- per client, from the creation month of such a ticket (in any of its versions: a ticket
    -- moved to another client changes its old client too) to the as-of month
    client_first_months as (

        select
            logged.client_id,
            min(logged.month_start_on) as month_start_on
        from {{ ref('int_ticket_months_logged') }} as logged
        where
            logged.event_source = 'ticket'
            and logged.ticket_id in (select tickets_to_recount.ticket_id from tickets_to_recount)
        group by logged.client_id

    ),

    client_months_to_rebuild as (

        select
            client_months.client_id,
            client_months.month_start_on
        from client_months
        inner join client_first_months
            on
                client_months.client_id = client_first_months.client_id
                and client_months.month_start_on >= client_first_months.month_start_on

        union

        -- newly served, or measured at another instant (the current month: the as-of time; a
        -- month the as-of time has completed)
        select
            client_months.client_id,
            client_months.month_start_on
        from client_months
        left join stored_client_months
            on
                client_months.client_id = stored_client_months.client_id
                and client_months.month_start_on = stored_client_months.month_start_on
        where
            stored_client_months.client_id is null
            or client_months.measured_at <> stored_client_months.backlog_measured_at
            or client_months.is_month_complete <> stored_client_months.is_month_complete

        union

        select
            client_months.client_id,
            client_months.month_start_on
        from client_months
        cross join everything_changed

    ),

    -- per client, the first instant a rebuilt month needs: a ticket is read when it was open at
    -- or after it, or had an event after it
    client_read_windows as (

        select
            client_id,
            cast(min(month_start_on) as timestamp) as read_from_at
        from client_months_to_rebuild
        group by client_id

    ),
{% endif %}

tickets as (

    select all_tickets.*
    from all_tickets
    {% if is_incremental() -%}
        inner join client_read_windows
            on all_tickets.client_id = client_read_windows.client_id
        where
            all_tickets.resolved_at is null
            or all_tickets.resolved_at >= client_read_windows.read_from_at
            or all_tickets.created_at >= client_read_windows.read_from_at
            or all_tickets.first_response_at >= client_read_windows.read_from_at
    {%- endif %}

),

spine as (

    select
        client_months.client_id,
        client_months.month_start_on,
        client_months.measured_at,
        client_months.is_month_complete,
        priorities.priority
    from client_months
    cross join priorities
    {% if is_incremental() -%}
        inner join client_months_to_rebuild
            on
                client_months.client_id = client_months_to_rebuild.client_id
                and client_months.month_start_on = client_months_to_rebuild.month_start_on
    {%- endif %}

),

-- the last delivery of fct_tickets this build reads: the table's high-water mark
tickets_delivery as (

    select max(_delivery_id) as delivery_id
    from {{ ref('fct_tickets') }}

),

created as (

    select
        client_id,
        priority,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start_on,
        count(*) as tickets_created_count,
        count(case when not has_sla_policy then ticket_id end) as tickets_without_sla_policy_count
    from tickets
    group by 1, 2, 3

),

responded as (

    -- tickets with a policy whose first response was measured against it
    select
        client_id,
        priority,
        cast({{ dbt.date_trunc('month', 'first_response_at') }} as date) as month_start_on,
        count(*) as sla_tickets_responded_count,
        count(case when is_response_within_sla then ticket_id end) as tickets_responded_within_sla_count
    from tickets
    where has_sla_policy and is_response_within_sla is not null
    group by 1, 2, 3

),

resolved as (

    select
        client_id,
        priority,
        cast({{ dbt.date_trunc('month', 'resolved_at') }} as date) as month_start_on,
        count(case when has_sla_policy and is_resolution_within_sla is not null then ticket_id end)
            as sla_tickets_resolved_count,
        count(case when has_sla_policy and is_resolution_within_sla then ticket_id end)
            as tickets_resolved_within_sla_count,
        count(case when not has_sla_policy then ticket_id end) as tickets_resolved_without_sla_policy_count
    from tickets
    where resolved_at is not null
    group by 1, 2, 3

),

-- the tickets with a policy that can be open at a measurement instant (a month end): the first instant after a
-- ticket's creation is the next month's start or the as-of time, and a ticket resolved before it
-- is open at none (most tickets), so the join below reads a few tickets per client-month
open_sla_tickets as (

    select *
    from tickets
    where
        has_sla_policy
        and (
            resolved_at is null
            or resolved_at >= least(
                cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'created_at')) }} as timestamp),
                {{ as_of_timestamp() }}
            )
        )

),

backlog as (

    -- tickets with a policy open at the measurement instant; breached when that instant's minute
    -- is past the due minute (the rule of is_breached_open, applied at each month end)
    select
        spine.client_id,
        spine.priority,
        spine.month_start_on,
        count(*) as month_end_open_sla_ticket_count,
        count(
            case
                when {{ dbt.date_trunc('minute', 'spine.measured_at') }} > open_sla_tickets.resolution_due_at
                    then open_sla_tickets.ticket_id
            end
        ) as month_end_breached_open_ticket_count
    from spine
    inner join open_sla_tickets
        on
            spine.client_id = open_sla_tickets.client_id
            and spine.priority = open_sla_tickets.priority
            and spine.measured_at > open_sla_tickets.created_at
            and (
                open_sla_tickets.resolved_at is null
                or spine.measured_at <= open_sla_tickets.resolved_at
            )
    group by 1, 2, 3

),

final as (

    select
        -- ids
        cast(spine.client_id as {{ string_type }}) as client_id,

        -- dates
        spine.month_start_on,

        -- attributes
        spine.priority,

        -- volume and coverage
        coalesce(created.tickets_created_count, 0) as tickets_created_count,
        coalesce(created.tickets_without_sla_policy_count, 0) as tickets_without_sla_policy_count,
        coalesce(resolved.tickets_resolved_without_sla_policy_count, 0)
            as tickets_resolved_without_sla_policy_count,

        -- response SLA
        coalesce(responded.tickets_responded_within_sla_count, 0) as tickets_responded_within_sla_count,
        coalesce(responded.sla_tickets_responded_count, 0) as sla_tickets_responded_count,
        {{ safe_divide(
            'responded.tickets_responded_within_sla_count', 'responded.sla_tickets_responded_count'
        ) }} as sla_response_compliance_rate,

        -- resolution SLA
        coalesce(resolved.tickets_resolved_within_sla_count, 0) as tickets_resolved_within_sla_count,
        coalesce(resolved.sla_tickets_resolved_count, 0) as sla_tickets_resolved_count,
        {{ safe_divide(
            'resolved.tickets_resolved_within_sla_count', 'resolved.sla_tickets_resolved_count'
        ) }} as sla_resolution_compliance_rate,

        -- breached backlog at the month's end
        coalesce(backlog.month_end_open_sla_ticket_count, 0) as month_end_open_sla_ticket_count,
        coalesce(backlog.month_end_breached_open_ticket_count, 0) as month_end_breached_open_ticket_count,

        -- benchmark of the resolution compliance (seed 002's "SLA compliance")
        benchmark.kpi_name as benchmark_kpi_name,
        benchmark.minimum_value as benchmark_minimum_value,
        benchmark.target_value as benchmark_target_value,
        benchmark.best_in_class_value as benchmark_best_in_class_value,
        cast(
            {{ benchmark_status(
                safe_divide('resolved.tickets_resolved_within_sla_count', 'resolved.sla_tickets_resolved_count'),
                'benchmark',
            ) }} as {{ string_type }}
        ) as benchmark_status,

        -- booleans
        spine.is_month_complete,

        -- timestamps
        spine.measured_at as backlog_measured_at,

        -- lineage
        coalesce(tickets_delivery.delivery_id, 0) as _tickets_delivery_id

    from spine
    cross join tickets_delivery
    left join created
        on
            spine.client_id = created.client_id
            and spine.priority = created.priority
            and spine.month_start_on = created.month_start_on
    left join responded
        on
            spine.client_id = responded.client_id
            and spine.priority = responded.priority
            and spine.month_start_on = responded.month_start_on
    left join resolved
        on
            spine.client_id = resolved.client_id
            and spine.priority = resolved.priority
            and spine.month_start_on = resolved.month_start_on
    left join backlog
        on
            spine.client_id = backlog.client_id
            and spine.priority = backlog.priority
            and spine.month_start_on = backlog.month_start_on
    left join benchmarks as benchmark
        on benchmark.kpi_name = 'sla_compliance_rate'

)

select * from final
