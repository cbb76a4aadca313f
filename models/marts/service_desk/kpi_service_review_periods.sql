{#
    The service review (seed 003) per client for every period length at once: month, quarter
    (QBR), half-year and year. Every figure is computed from the tickets of the period, never from
    the figures of shorter periods: a rate is sum(numerator) / sum(denominator) of the period, a
    median is recomputed from the period's tickets. Each ticket counts in the period of the event
    measured (created: volume and escalation; first response: response time and SLA; resolution:
    resolution time, SLA and first-contact resolution; CSAT: the response's date). The periods of
    a client are those holding at least one of its served months (int_client_months_served); the
    previous period is the calendar's previous one, joined by date (never an older period when the
    client had a gap: then there is none).
#}

{%- set period_types = [('month', 1), ('quarter', 3), ('half_year', 6), ('year', 12)] -%}
{#- the figures compared with the previous period: (column, type of the change) -#}
{%- set compared_columns = [
    ('tickets_created_count', dbt.type_bigint()),
    ('median_first_response_business_minutes', 'decimal(18, 2)'),
    ('mean_first_response_business_minutes', 'decimal(18, 2)'),
    ('median_resolution_business_minutes', 'decimal(18, 2)'),
    ('mean_resolution_business_minutes', 'decimal(18, 2)'),
    ('first_contact_resolution_rate', type_double()),
    ('escalation_rate', type_double()),
    ('sla_response_compliance_rate', type_double()),
    ('sla_resolution_compliance_rate', type_double()),
    ('csat_rate', type_double()),
] -%}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

csat_responses as (

    select * from {{ ref('stg_surveys__csat_responses') }}

),

period_types as (

    {% for period_type, month_count in period_types -%}
        select
            '{{ period_type }}' as period_type,
            {{ month_count }} as period_month_count
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

months as (

    -- each month of the spine with the start of the quarter, half-year and year it is in
    select distinct
        month_start_on,
        cast({{ dbt.date_trunc('quarter', 'month_start_on') }} as date) as quarter_start_on,
        case
            when extract(month from month_start_on) <= 6
                then cast({{ dbt.date_trunc('year', 'month_start_on') }} as date)
            else cast({{ dbt.dateadd('month', 6, dbt.date_trunc('year', 'month_start_on')) }} as date)
        end as half_year_start_on,
        cast({{ dbt.date_trunc('year', 'month_start_on') }} as date) as year_start_on
    from client_months

),

month_periods as (

    select
        months.month_start_on,
        period_types.period_type,
        period_types.period_month_count,
        case period_types.period_type
            when 'month' then months.month_start_on
            when 'quarter' then months.quarter_start_on
            when 'half_year' then months.half_year_start_on
            when 'year' then months.year_start_on
        end as period_start_on
    from months
    cross join period_types

),

periods as (

    select distinct
        period_type,
        period_month_count,
        period_start_on
    from month_periods

),

labelled_periods as (

    select
        period_type,
        period_start_on,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 'period_month_count', 'period_start_on')) }} as date
        ) as period_end_on,
        case period_type
            when 'month'
                then
                    cast(extract(year from period_start_on) as {{ dbt.type_string() }})
                    || '-' || lpad(cast(extract(month from period_start_on) as {{ dbt.type_string() }}), 2, '0')
            when 'quarter'
                then
                    cast(extract(year from period_start_on) as {{ dbt.type_string() }})
                    || '-Q' || cast(extract(quarter from period_start_on) as {{ dbt.type_string() }})
            when 'half_year'
                then
                    cast(extract(year from period_start_on) as {{ dbt.type_string() }})
                    || case when extract(month from period_start_on) <= 6 then '-H1' else '-H2' end
            else cast(extract(year from period_start_on) as {{ dbt.type_string() }})
        end as period_label,
        cast({{ dbt.dateadd('month', 'period_month_count', 'period_start_on') }} as timestamp)
        <= {{ as_of_timestamp() }} as is_period_complete
    from periods

),

client_periods as (

    select
        client_months.client_id,
        month_periods.period_type,
        month_periods.period_month_count,
        month_periods.period_start_on,
        count(*) as served_month_count
    from client_months
    inner join month_periods
        on client_months.month_start_on = month_periods.month_start_on
    group by 1, 2, 3, 4

),

created as (

    select
        tickets.client_id,
        month_periods.period_type,
        month_periods.period_start_on,
        count(*) as tickets_created_count,
        count(case when tickets.is_escalated then tickets.ticket_id end) as tickets_escalated_count
    from tickets
    inner join month_periods
        on cast({{ dbt.date_trunc('month', 'tickets.created_at') }} as date) = month_periods.month_start_on
    group by 1, 2, 3

),

responded as (

    -- tickets with a policy whose first response was measured against it
    select
        tickets.client_id,
        month_periods.period_type,
        month_periods.period_start_on,
        count(*) as sla_tickets_responded_count,
        count(case when tickets.is_response_within_sla then tickets.ticket_id end)
            as tickets_responded_within_sla_count,
        sum(tickets.response_business_minutes) as total_first_response_business_minutes,
        {{ median('tickets.response_business_minutes') }} as median_first_response_business_minutes
    from tickets
    inner join month_periods
        on cast({{ dbt.date_trunc('month', 'tickets.first_response_at') }} as date) = month_periods.month_start_on
    where tickets.has_sla_policy and tickets.is_response_within_sla is not null
    group by 1, 2, 3

),

resolved as (

    select
        tickets.client_id,
        month_periods.period_type,
        month_periods.period_start_on,
        count(*) as tickets_resolved_count,
        -- first-contact resolution: never reopened, never above tier 1, at most one technician
        count(
            case
                when
                    tickets.reopened_count = 0
                    and not tickets.is_escalated
                    and tickets.technician_count <= 1
                    then tickets.ticket_id
            end
        ) as tickets_resolved_first_contact_count,
        count(case when tickets.is_resolution_within_sla is not null then tickets.ticket_id end)
            as sla_tickets_resolved_count,
        count(case when tickets.is_resolution_within_sla then tickets.ticket_id end)
            as tickets_resolved_within_sla_count,
        sum(
            case when tickets.is_resolution_within_sla is not null then tickets.resolution_business_minutes end
        ) as total_resolution_business_minutes,
        {{ median(
            'case when tickets.is_resolution_within_sla is not null then tickets.resolution_business_minutes end'
        ) }} as median_resolution_business_minutes
    from tickets
    inner join month_periods
        on cast({{ dbt.date_trunc('month', 'tickets.resolved_at') }} as date) = month_periods.month_start_on
    where tickets.resolved_at is not null
    group by 1, 2, 3

),

answered as (

    select
        tickets.client_id,
        month_periods.period_type,
        month_periods.period_start_on,
        count(*) as csat_response_count,
        count(case when csat_responses.rating >= 4 then csat_responses.csat_response_id end)
            as positive_csat_response_count
    from csat_responses
    inner join tickets
        on csat_responses.ticket_id = tickets.ticket_id
    inner join month_periods
        on cast({{ dbt.date_trunc('month', 'csat_responses.responded_at') }} as date) = month_periods.month_start_on
    group by 1, 2, 3

),

measured as (

    select
        client_periods.client_id,
        client_periods.period_type,
        client_periods.period_month_count,
        client_periods.period_start_on,
        client_periods.served_month_count,

        -- volume and escalation (tickets created)
        coalesce(created.tickets_created_count, 0) as tickets_created_count,
        coalesce(created.tickets_escalated_count, 0) as tickets_escalated_count,
        {{ safe_divide('created.tickets_escalated_count', 'created.tickets_created_count') }} as escalation_rate,

        -- first response (tickets first answered, with an SLA policy)
        coalesce(responded.sla_tickets_responded_count, 0) as sla_tickets_responded_count,
        coalesce(responded.tickets_responded_within_sla_count, 0) as tickets_responded_within_sla_count,
        {{ safe_divide('responded.tickets_responded_within_sla_count', 'responded.sla_tickets_responded_count') }}
            as sla_response_compliance_rate,
        cast(coalesce(responded.total_first_response_business_minutes, 0) as {{ dbt.type_bigint() }})
            as total_first_response_business_minutes,
        {{ to_decimal('responded.median_first_response_business_minutes') }}
            as median_first_response_business_minutes,
        {{ to_decimal(safe_divide(
            'responded.total_first_response_business_minutes', 'responded.sla_tickets_responded_count'
        )) }} as mean_first_response_business_minutes,

        -- resolution (tickets resolved)
        coalesce(resolved.tickets_resolved_count, 0) as tickets_resolved_count,
        coalesce(resolved.tickets_resolved_first_contact_count, 0) as tickets_resolved_first_contact_count,
        {{ safe_divide('resolved.tickets_resolved_first_contact_count', 'resolved.tickets_resolved_count') }}
            as first_contact_resolution_rate,
        coalesce(resolved.sla_tickets_resolved_count, 0) as sla_tickets_resolved_count,
        coalesce(resolved.tickets_resolved_within_sla_count, 0) as tickets_resolved_within_sla_count,
        {{ safe_divide('resolved.tickets_resolved_within_sla_count', 'resolved.sla_tickets_resolved_count') }}
            as sla_resolution_compliance_rate,
        cast(coalesce(resolved.total_resolution_business_minutes, 0) as {{ dbt.type_bigint() }})
            as total_resolution_business_minutes,
        {{ to_decimal('resolved.median_resolution_business_minutes') }} as median_resolution_business_minutes,
        {{ to_decimal(safe_divide(
            'resolved.total_resolution_business_minutes', 'resolved.sla_tickets_resolved_count'
        )) }} as mean_resolution_business_minutes,

        -- CSAT (responses given)
        coalesce(answered.positive_csat_response_count, 0) as positive_csat_response_count,
        coalesce(answered.csat_response_count, 0) as csat_response_count,
        {{ safe_divide('answered.positive_csat_response_count', 'answered.csat_response_count') }} as csat_rate

    from client_periods
    left join created
        on
            client_periods.client_id = created.client_id
            and client_periods.period_type = created.period_type
            and client_periods.period_start_on = created.period_start_on
    left join responded
        on
            client_periods.client_id = responded.client_id
            and client_periods.period_type = responded.period_type
            and client_periods.period_start_on = responded.period_start_on
    left join resolved
        on
            client_periods.client_id = resolved.client_id
            and client_periods.period_type = resolved.period_type
            and client_periods.period_start_on = resolved.period_start_on
    left join answered
        on
            client_periods.client_id = answered.client_id
            and client_periods.period_type = answered.period_type
            and client_periods.period_start_on = answered.period_start_on

),

final as (

    select
        -- ids
        this_period.client_id,

        -- period
        this_period.period_type,
        this_period.period_start_on,
        labelled_periods.period_end_on,
        labelled_periods.period_label,
        this_period.served_month_count,

        -- volume and escalation
        this_period.tickets_created_count,
        this_period.tickets_escalated_count,
        this_period.escalation_rate,

        -- first response
        this_period.tickets_responded_within_sla_count,
        this_period.sla_tickets_responded_count,
        this_period.sla_response_compliance_rate,
        this_period.total_first_response_business_minutes,
        this_period.median_first_response_business_minutes,
        this_period.mean_first_response_business_minutes,

        -- resolution
        this_period.tickets_resolved_first_contact_count,
        this_period.tickets_resolved_count,
        this_period.first_contact_resolution_rate,
        this_period.tickets_resolved_within_sla_count,
        this_period.sla_tickets_resolved_count,
        this_period.sla_resolution_compliance_rate,
        this_period.total_resolution_business_minutes,
        this_period.median_resolution_business_minutes,
        this_period.mean_resolution_business_minutes,

        -- CSAT
        this_period.positive_csat_response_count,
        this_period.csat_response_count,
        this_period.csat_rate,

        -- against the calendar's previous period (null when the client was not served in it)
        {% for column, change_type in compared_columns -%}
            previous_period.{{ column }} as {{ column }}_previous,
            cast(this_period.{{ column }} - previous_period.{{ column }} as {{ change_type }}) as {{ column }}_change,
        {% endfor %}

        -- booleans
        labelled_periods.is_period_complete

    from measured as this_period
    inner join labelled_periods
        on
            this_period.period_type = labelled_periods.period_type
            and this_period.period_start_on = labelled_periods.period_start_on
    left join measured as previous_period
        on
            this_period.client_id = previous_period.client_id
            and this_period.period_type = previous_period.period_type
            and previous_period.period_start_on = cast(
                {{ dbt.dateadd('month', '-1 * this_period.period_month_count', 'this_period.period_start_on') }} as date
            )

)

select * from final
