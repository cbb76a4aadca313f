{#
    Seed 000's proactive IT per client and month: proactive vs reactive tickets and self-service
    (by month created), RMM alerts and the alerts fixed by automation without a ticket, "problems
    solved at scale" (by month raised).
#}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

alert_counts as (

    select * from {{ ref('int_rmm_alerts_counted_monthly') }}

),

created as (

    select
        client_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start_on,
        count(*) as tickets_created_count,
        count(case when is_proactive then ticket_id end) as proactive_tickets_count,
        count(case when not is_proactive then ticket_id end) as reactive_tickets_count,
        count(case when ticket_source = 'self_service' then ticket_id end) as self_service_tickets_count
    from tickets
    group by 1, 2

),

final as (

    select
        -- ids
        client_months.client_id,

        -- dates
        client_months.month_start_on,

        -- tickets: proactive vs reactive
        coalesce(created.tickets_created_count, 0) as tickets_created_count,
        coalesce(created.proactive_tickets_count, 0) as proactive_tickets_count,
        coalesce(created.reactive_tickets_count, 0) as reactive_tickets_count,
        {{ safe_divide('created.proactive_tickets_count', 'created.tickets_created_count') }}
            as proactive_ticket_rate,

        -- self-service
        coalesce(created.self_service_tickets_count, 0) as self_service_tickets_count,
        {{ safe_divide('created.self_service_tickets_count', 'created.tickets_created_count') }}
            as self_service_rate,

        -- RMM alerts: problems solved at scale
        coalesce(alert_counts.rmm_alert_count, 0) as rmm_alert_count,
        coalesce(alert_counts.alerts_with_ticket_count, 0) as alerts_with_ticket_count,
        coalesce(alert_counts.alerts_auto_remediated_count, 0) as alerts_auto_remediated_count,
        {{ safe_divide('alert_counts.alerts_auto_remediated_count', 'alert_counts.rmm_alert_count') }}
            as alert_auto_remediation_rate,

        -- booleans
        client_months.is_month_complete

    from client_months
    left join created
        on
            client_months.client_id = created.client_id
            and client_months.month_start_on = created.month_start_on
    left join alert_counts
        on
            client_months.client_id = alert_counts.client_id
            and client_months.month_start_on = alert_counts.month_start_on

)

select * from final
