{#
    RMM alerts per client and month raised (UTC), the client being the owner of the endpoint that
    raised the alert. An alert on an endpoint the PSA does not know has no client and is left out.
#}

with

rmm_alerts as (

    select * from {{ ref('stg_psa__rmm_alerts') }}

),

endpoints as (

    select * from {{ ref('stg_psa__endpoints') }}

),

client_alerts as (

    select
        endpoints.client_id,
        cast({{ dbt.date_trunc('month', 'rmm_alerts.raised_at') }} as date) as month_start_on,
        rmm_alerts.alert_id,
        rmm_alerts.ticket_id is not null as has_ticket,
        -- fixed by automation and never reached a technician: a problem solved at scale
        coalesce(rmm_alerts.is_auto_remediated, false) and rmm_alerts.ticket_id is null
            as is_auto_remediated_without_ticket
    from rmm_alerts
    inner join endpoints
        on rmm_alerts.endpoint_id = endpoints.endpoint_id

),

final as (

    select
        -- ids
        client_id,

        -- dates
        month_start_on,

        -- counts
        count(*) as rmm_alert_count,
        count(case when has_ticket then alert_id end) as alerts_with_ticket_count,
        count(case when is_auto_remediated_without_ticket then alert_id end) as alerts_auto_remediated_count

    from client_alerts
    group by
        client_id,
        month_start_on

)

select * from final
