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

    Incremental (DECISIONLOG: "The service review is rebuilt by client period"): a run rebuilds the
    client periods that changed since the table's last delivery, and the next period of each
    (whose previous-period columns read it): the periods holding a month that a changed ticket
    counts in, in any of its versions (int_ticket_months_logged), a served month gained or lost,
    and the periods the as-of time has just completed. The previous-period figures of a period
    not rebuilt are read from the table. A period no longer served is deleted after the build.
#}
-- depends_on: {{ ref('int_ticket_months_logged') }}
{{
    config(
        materialized='incremental',
        unique_key=['client_id', 'period_type', 'period_start_on'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ delete_client_periods_not_served(ref('int_client_months_served')) }}",
    )
}}

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

{#
    The text columns are cast to the contract's varchar on PostgreSQL, where the spine's client_id
    and the literals are `text`: an incremental run compares the new rows' types with the table's
    (on_schema_change='fail'), as in fct_tickets. A no-op on DuckDB.
#}
{%- set string_type = 'varchar' if target.type == 'postgres' else dbt.type_string() %}
{#- the last delivery of each input already in the table, on an incremental run #}
{%- if is_incremental() %}
    {%- set tickets_high_water_mark = incremental_high_water_mark('_tickets_delivery_id') %}
    {%- set csat_high_water_mark = incremental_high_water_mark('_csat_responses_delivery_id') %}
{%- endif %}
{#- the join of a month (`__month__`) to the periods it counts in (client_periods and the event
    CTEs; `__client__` becomes the relation holding the client): every period of the month on a
    full build; on an incremental run, only the client's periods rebuilt, in one join
    (rebuilt_month_periods) rather than every period and then the rebuilt ones -#}
{%- set periods_of_month -%}
    {% if is_incremental() -%}
        inner join rebuilt_month_periods as month_periods
            on
                __client__.client_id = month_periods.client_id
                and __month__ = month_periods.month_start_on
    {%- else -%}
        inner join month_periods
            on __month__ = month_periods.month_start_on
    {%- endif %}
{%- endset %}
{#- the month each event counts in (the event CTEs) -#}
{%- set event_month = {} -%}
{%- for event, column in [
    ('created', 'tickets.created_at'),
    ('first_response', 'tickets.first_response_at'),
    ('resolved', 'tickets.resolved_at'),
    ('responded', 'csat_responses.responded_at'),
] -%}
    {%- do event_month.update({event: 'cast(' ~ dbt.date_trunc('month', column) ~ ' as date)'}) -%}
{%- endfor %}

with

client_months as (

    select * from {{ ref('int_client_months_served') }}

),

tickets as {{ inline_cte() }} (

    select * from {{ ref('fct_tickets') }}

),

csat_responses as {{ inline_cte() }} (

    select * from {{ ref('stg_surveys__csat_responses') }}

),
{% if is_incremental() %}

    stored_periods as {{ inline_cte() }} (

        select * from {{ this }}

    ),

    changed_tickets as (

        -- ticket row, time entries, SLA figures or a CSAT response delivered since the last build
        select changed_rows.ticket_id
        from tickets as changed_rows
        where changed_rows._delivery_id > {{ tickets_high_water_mark }}

        union

        select new_responses.ticket_id
        from csat_responses as new_responses
        where new_responses._delivery_id > {{ csat_high_water_mark }}

    ),

    served_months_gained as (

        select
            client_months.client_id,
            client_months.month_start_on
        from client_months
        where not exists (
            select 1
            from stored_periods
            where
                stored_periods.period_type = 'month'
                and stored_periods.client_id = client_months.client_id
                and stored_periods.period_start_on = client_months.month_start_on
        )

    ),

    served_months_lost as (

        select
            stored_periods.client_id,
            stored_periods.period_start_on as month_start_on
        from stored_periods
        where
            stored_periods.period_type = 'month'
            and not exists (
                select 1
                from client_months
                where
                    client_months.client_id = stored_periods.client_id
                    and client_months.month_start_on = stored_periods.period_start_on
            )

    ),

    changed_client_months as (

        -- every client-month a changed ticket counts in, or counted in before its last change
        select
            logged.client_id,
            logged.month_start_on
        from {{ ref('int_ticket_months_logged') }} as logged
        where logged.ticket_id in (select changed_tickets.ticket_id from changed_tickets)

        union

        select * from served_months_gained

        union

        select * from served_months_lost

    ),
{% endif %}

period_types as (

    {% for period_type, month_count in period_types -%}
        select
            '{{ period_type }}' as period_type,
            {{ month_count }} as period_month_count
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

spine_months as (

    select month_start_on from client_months
    {% if is_incremental() -%}
        -- a month no client is served in any more still has periods to rebuild
        union
        select month_start_on from changed_client_months
    {%- endif %}

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
    from spine_months

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

{% if is_incremental() %}

    changed_periods as (

        select distinct
            changed_client_months.client_id,
            month_periods.period_type,
            month_periods.period_month_count,
            month_periods.period_start_on
        from changed_client_months
        inner join month_periods
            on changed_client_months.month_start_on = month_periods.month_start_on

    ),

    periods_to_rebuild as (

        select
            client_id,
            period_type,
            period_start_on
        from changed_periods

        union

        -- the next period, whose previous-period columns read the changed one
        select
            client_id,
            period_type,
            cast({{ dbt.dateadd('month', 'period_month_count', 'period_start_on') }} as date) as period_start_on
        from changed_periods

        union

        -- the periods the as-of time has completed since they were built
        select
            stored_periods.client_id,
            stored_periods.period_type,
            stored_periods.period_start_on
        from stored_periods
        inner join labelled_periods
            on
                stored_periods.period_type = labelled_periods.period_type
                and stored_periods.period_start_on = labelled_periods.period_start_on
        where labelled_periods.is_period_complete and not stored_periods.is_period_complete

    ),

    client_read_windows as (

        -- per client, from the first day to the end of the periods rebuilt
        select
            periods_to_rebuild.client_id,
            cast(min(periods_to_rebuild.period_start_on) as timestamp) as read_from_at,
            cast({{ dbt.dateadd('day', 1, 'max(labelled_periods.period_end_on)') }} as timestamp) as read_to_at
        from periods_to_rebuild
        inner join labelled_periods
            on
                periods_to_rebuild.period_type = labelled_periods.period_type
                and periods_to_rebuild.period_start_on = labelled_periods.period_start_on
        group by periods_to_rebuild.client_id

    ),

    -- each month of a period rebuilt, per client, with that period
    rebuilt_month_periods as (

        select
            periods_to_rebuild.client_id,
            month_periods.month_start_on,
            month_periods.period_type,
            month_periods.period_month_count,
            month_periods.period_start_on
        from periods_to_rebuild
        inner join month_periods
            on
                periods_to_rebuild.period_type = month_periods.period_type
                and periods_to_rebuild.period_start_on = month_periods.period_start_on

    ),
{% endif %}

client_periods as (

    select
        client_months.client_id,
        month_periods.period_type,
        month_periods.period_month_count,
        month_periods.period_start_on,
        count(*) as served_month_count
    from client_months
    {{ periods_of_month
        | replace('__client__', 'client_months')
        | replace('__month__', 'client_months.month_start_on') }}
    group by 1, 2, 3, 4

),

tickets_read as (

    select tickets.*
    from tickets
    {% if is_incremental() -%}
        -- the client's tickets with an event (created, answered, resolved) in its read window
        inner join client_read_windows
            on tickets.client_id = client_read_windows.client_id
        where
            least(
                tickets.created_at,
                coalesce(tickets.first_response_at, tickets.created_at),
                coalesce(tickets.resolved_at, tickets.created_at)
            ) < client_read_windows.read_to_at
            and greatest(
                tickets.created_at,
                coalesce(tickets.first_response_at, tickets.created_at),
                coalesce(tickets.resolved_at, tickets.created_at)
            ) >= client_read_windows.read_from_at
    {%- endif %}

),

created as (

    select
        tickets.client_id,
        month_periods.period_type,
        month_periods.period_start_on,
        count(*) as tickets_created_count,
        count(case when tickets.is_escalated then tickets.ticket_id end) as tickets_escalated_count
    from tickets_read as tickets
    {{ periods_of_month | replace('__client__', 'tickets') | replace('__month__', event_month.created) }}
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
    from tickets_read as tickets
    {{ periods_of_month | replace('__client__', 'tickets') | replace('__month__', event_month.first_response) }}
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
    from tickets_read as tickets
    {{ periods_of_month | replace('__client__', 'tickets') | replace('__month__', event_month.resolved) }}
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
    {{ periods_of_month | replace('__client__', 'tickets') | replace('__month__', event_month.responded) }}
    {% if is_incremental() -%}
        where csat_responses.responded_at >= (select min(client_read_windows.read_from_at) from client_read_windows)
    {%- endif %}
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

{% if is_incremental() %}

    previous_periods as (

        -- the figures of the periods rebuilt, and of the stored periods otherwise
        select
            client_id,
            period_type,
            period_start_on,
            {{ compared_columns | map(attribute=0) | join(',\n            ') }}
        from measured

        union all

        select
            client_id,
            period_type,
            period_start_on,
            {{ compared_columns | map(attribute=0) | join(',\n            ') }}
        from stored_periods
        where not exists (
            select 1
            from periods_to_rebuild
            where
                periods_to_rebuild.client_id = stored_periods.client_id
                and periods_to_rebuild.period_type = stored_periods.period_type
                and periods_to_rebuild.period_start_on = stored_periods.period_start_on
        )

    ),
{% endif %}

deliveries_read as (

    -- the last delivery of each input (0 without rows): each input's high-water mark, since
    -- different files (and so deliveries) bring tickets and CSAT responses
    select
        cast(coalesce(
            (select max(fct_tickets_read._delivery_id) from tickets as fct_tickets_read), 0
        ) as {{ dbt.type_bigint() }}) as tickets_delivery_id,
        cast(coalesce(
            (select max(responses_read._delivery_id) from csat_responses as responses_read), 0
        ) as {{ dbt.type_bigint() }}) as csat_responses_delivery_id

),

final as (

    select
        -- ids
        cast(this_period.client_id as {{ string_type }}) as client_id,

        -- period
        cast(this_period.period_type as {{ string_type }}) as period_type,
        this_period.period_start_on,
        labelled_periods.period_end_on,
        cast(labelled_periods.period_label as {{ string_type }}) as period_label,
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
        labelled_periods.is_period_complete,

        -- lineage: the last delivery of each input read when the row was built; the high-water
        -- marks of incremental runs
        deliveries_read.tickets_delivery_id as _tickets_delivery_id,
        deliveries_read.csat_responses_delivery_id as _csat_responses_delivery_id

    from measured as this_period
    cross join deliveries_read
    inner join labelled_periods
        on
            this_period.period_type = labelled_periods.period_type
            and this_period.period_start_on = labelled_periods.period_start_on
    left join {{ 'previous_periods' if is_incremental() else 'measured' }} as previous_period
        on
            this_period.client_id = previous_period.client_id
            and this_period.period_type = previous_period.period_type
            and previous_period.period_start_on = cast(
                {{ dbt.dateadd('month', '-1 * this_period.period_month_count', 'this_period.period_start_on') }} as date
            )

)

select * from final
