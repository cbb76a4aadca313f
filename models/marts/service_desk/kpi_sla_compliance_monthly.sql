{#
    SLA compliance per month, client and priority. Each ticket counts in the month of the event
    measured: its first response for the response SLA, its resolution for the resolution SLA, its
    creation for the volume and the tickets without a policy. The breached backlog is a stock,
    counted at the month's last instant (the as-of time for the current month).
#}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

benchmarks as (

    select * from {{ ref('kpi_benchmarks') }}

),

priorities as (

    select distinct priority
    from tickets

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
        spine.client_id,

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
        {{ benchmark_status(
            safe_divide('resolved.tickets_resolved_within_sla_count', 'resolved.sla_tickets_resolved_count'),
            'benchmark',
        ) }} as benchmark_status,

        -- booleans
        spine.is_month_complete,

        -- timestamps
        spine.measured_at as backlog_measured_at

    from spine
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
