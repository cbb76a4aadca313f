{#
    Escalated tickets (above tier 1) / tickets, by month created, split into the client's
    onboarding (its first 90 days, from its first agreement's start) and ongoing support. A client
    whose month escalation rate reaches var escalation_alert_rate (MSPKPI_ESCALATION_ALERT_RATE,
    default 0.20) is flagged.
#}

{%- set alert_rate = (var('escalation_alert_rate', '0.20') | string | trim) or '0.20' -%}
{%- if not modules.re.fullmatch('(0?\\.[0-9]+|0|1|1\\.0*)', alert_rate) -%}
    {{ exceptions.raise_compiler_error(
        'var escalation_alert_rate (MSPKPI_ESCALATION_ALERT_RATE) must be a fraction in [0, 1] such as 0.20, not "'
        ~ alert_rate ~ '"'
    ) }}
{%- endif %}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

classified_tickets as (

    select
        tickets.client_id,
        tickets.ticket_id,
        tickets.is_escalated,
        cast({{ dbt.date_trunc('month', 'tickets.created_at') }} as date) as month_start_on,
        -- onboarding = before the end of the first 90 days (a ticket raised before the first
        -- agreement starts is part of the set-up); a client without agreements has no onboarding
        coalesce(tickets.created_on < clients.onboarding_ends_on, false) as is_onboarding
    from tickets
    left join clients
        on tickets.client_id = clients.client_id

),

created as (

    select
        client_id,
        month_start_on,
        count(*) as tickets_created_count,
        count(case when is_escalated then ticket_id end) as tickets_escalated_count,
        count(case when is_onboarding then ticket_id end) as onboarding_tickets_created_count,
        count(case when is_onboarding and is_escalated then ticket_id end) as onboarding_tickets_escalated_count,
        count(case when not is_onboarding then ticket_id end) as ongoing_tickets_created_count,
        count(case when not is_onboarding and is_escalated then ticket_id end) as ongoing_tickets_escalated_count
    from classified_tickets
    group by 1, 2

),

measured as (

    select
        client_months.client_id,
        client_months.month_start_on,
        client_months.is_month_complete,
        coalesce(created.tickets_escalated_count, 0) as tickets_escalated_count,
        coalesce(created.tickets_created_count, 0) as tickets_created_count,
        coalesce(created.onboarding_tickets_escalated_count, 0) as onboarding_tickets_escalated_count,
        coalesce(created.onboarding_tickets_created_count, 0) as onboarding_tickets_created_count,
        coalesce(created.ongoing_tickets_escalated_count, 0) as ongoing_tickets_escalated_count,
        coalesce(created.ongoing_tickets_created_count, 0) as ongoing_tickets_created_count,
        cast({{ alert_rate }} as {{ type_double() }}) as escalation_alert_threshold_rate
    from client_months
    left join created
        on
            client_months.client_id = created.client_id
            and client_months.month_start_on = created.month_start_on

),

final as (

    select
        -- ids
        client_id,

        -- dates
        month_start_on,

        -- all tickets
        tickets_escalated_count,
        tickets_created_count,
        {{ safe_divide('tickets_escalated_count', 'tickets_created_count') }} as escalation_rate,

        -- onboarding: the client's first 90 days
        onboarding_tickets_escalated_count,
        onboarding_tickets_created_count,
        {{ safe_divide('onboarding_tickets_escalated_count', 'onboarding_tickets_created_count') }}
            as onboarding_escalation_rate,

        -- ongoing support
        ongoing_tickets_escalated_count,
        ongoing_tickets_created_count,
        {{ safe_divide('ongoing_tickets_escalated_count', 'ongoing_tickets_created_count') }}
            as ongoing_escalation_rate,

        -- alert
        escalation_alert_threshold_rate,
        coalesce(
            {{ safe_divide('tickets_escalated_count', 'tickets_created_count') }} >= escalation_alert_threshold_rate,
            false
        ) as is_escalation_alert,

        -- booleans
        is_month_complete

    from measured

)

select * from final
