-- Incremental (DECISIONLOG: "The SLA engine and fct_tickets are incremental"): a run recomputes
-- the tickets whose row or status changes were delivered after the table's last delivery, plus
-- every open ticket (its figures run until the as-of time); every ticket when SLA reference data
-- (calendars, holidays, policies) was delivered since. delete+insert replaces those tickets.
{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#
    Business minutes without a per-minute expansion. Every instant (created, first response,
    resolution or as-of, pause start and end) is mapped to its business-minute offset on its
    calendar: the business minutes from the start of the calendar to that instant (macros in
    macros/sla/business_minute_offset.sql). The business minutes between two instants are the
    difference of their offsets; a due instant is the inverse lookup of an offset.

    Both lookups are range lookups; each is turned into an equi-join on a bucket plus a range
    filter, because a range join that also has an equality key runs as a hash join on that key
    alone, i.e. every instant against every day of its calendar (DuckDB, 5 million instants:
    12 s that way, 0.1 s bucketed):
    - instant -> day: each calendar day is listed under the two or three UTC dates it spans;
    - offset -> day: each business day is listed under the 1440-minute blocks of offsets it spans.
#}
{%- set offset_block_minutes = 1440 -%}
{#- the last delivery already measured, on an incremental run (delivery ids only grow: see
    deduplicate_current_state) #}
{%- set high_water_mark = incremental_high_water_mark() if is_incremental() else none %}

{#
    The model reads int_tickets_joined_to_sla_policies and stg_psa__ticket_status_changes in two
    places each rather than through one import CTE: DuckDB materialises a CTE read twice, which
    would copy the whole history on every incremental run; read twice, each read keeps only the
    columns and rows it needs.
#}
with

calendar_days as (

    select * from {{ ref('int_calendar_business_intervals') }}

),

sla_reference_deliveries as (

    -- the last delivery of SLA reference data: any change to it can move every ticket's figures
    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__calendars') }}
    union all
    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__holidays') }}
    union all
    select max(_delivery_id) as delivery_id from {{ ref('stg_psa__sla_policies') }}

),

sla_reference_delivery as (

    select coalesce(max(delivery_id), 0) as delivery_id
    from sla_reference_deliveries

),
{% if is_incremental() %}
    tickets_to_measure as (

        select changed_tickets.ticket_id
        from {{ ref('int_tickets_joined_to_sla_policies') }} as changed_tickets
        cross join sla_reference_delivery
        where
            changed_tickets._delivery_id > {{ high_water_mark }}
            -- an open ticket's figures are "so far", up to the as-of time
            or changed_tickets.resolved_at is null
            -- new calendars, holidays or policies: every ticket
            or sla_reference_delivery.delivery_id > {{ high_water_mark }}

        union

        select new_status_changes.ticket_id
        from {{ ref('stg_psa__ticket_status_changes') }} as new_status_changes
        where new_status_changes._delivery_id > {{ high_water_mark }}

    ),
{% endif %}
tickets as (

    -- filtered first: the business-hours lookups below only see the tickets being measured
    select all_tickets.*
    from {{ ref('int_tickets_joined_to_sla_policies') }} as all_tickets
    {% if is_incremental() -%}
        where all_tickets.ticket_id in (select tickets_to_measure.ticket_id from tickets_to_measure)
    {%- endif %}

),

status_changes as (

    select
        all_status_changes.ticket_id,
        all_status_changes.changed_at,
        all_status_changes.is_sla_paused,
        all_status_changes._delivery_id
    from {{ ref('stg_psa__ticket_status_changes') }} as all_status_changes
    {% if is_incremental() -%}
        where all_status_changes.ticket_id in (select tickets_to_measure.ticket_id from tickets_to_measure)
    {%- endif %}

),

pauses as (

    {% if is_incremental() -%}
        -- the rule of int_ticket_sla_pauses, on the status changes of the measured tickets only
        {{ sla_pauses('status_changes') }}
    {%- else -%}
        select
            ticket_id,
            pause_started_at,
            pause_ended_at
        from {{ ref('int_ticket_sla_pauses') }}
    {%- endif %}

),

status_change_deliveries as (

    select
        ticket_id,
        max(_delivery_id) as delivery_id
    from status_changes
    group by ticket_id

),

spread as (

    -- a local day lasts at most 25 hours: it spans at most three UTC dates, and a business day
    -- at most three blocks of offsets
    select 0 as step
    union all
    select 1 as step
    union all
    select 2 as step

),

sla_tickets as (

    select
        ticket_id,
        sla_policy_id,
        calendar_id,
        has_sla_policy,
        response_target_minutes,
        resolution_target_minutes,
        created_at,
        first_response_at,
        resolved_at,
        _delivery_id,
        {{ as_of_timestamp() }} as as_of_at,
        -- a first response logged before the ticket was created counts as immediate
        case
            when first_response_at < created_at then created_at else first_response_at
        end as response_clock_stopped_at,
        -- an open ticket's clock runs until the as-of time
        coalesce(resolved_at, {{ as_of_timestamp() }}) as resolution_clock_stopped_at
    from tickets
    where has_sla_policy

),

sla_ticket_spans as (

    select
        *,
        -- the span pauses are clipped to: from creation to the later clock stop
        case
            when response_clock_stopped_at > resolution_clock_stopped_at then response_clock_stopped_at
            else resolution_clock_stopped_at
        end as measured_until_at
    from sla_tickets

),

clipped_pauses as (

    select
        pauses.ticket_id,
        sla_ticket_spans.calendar_id,
        case
            when pauses.pause_started_at < sla_ticket_spans.created_at then sla_ticket_spans.created_at
            else pauses.pause_started_at
        end as pause_started_at,
        -- a pause still running ends at the end of the span
        case
            when
                pauses.pause_ended_at is null
                or pauses.pause_ended_at > sla_ticket_spans.measured_until_at
                then sla_ticket_spans.measured_until_at
            else pauses.pause_ended_at
        end as pause_ended_at
    from pauses
    inner join sla_ticket_spans
        on pauses.ticket_id = sla_ticket_spans.ticket_id

),

ticket_pauses as (

    select *
    from clipped_pauses
    where pause_started_at < pause_ended_at

),

calendar_days_by_utc_date as (

    select
        calendar_days.calendar_id,
        cast({{ dbt.dateadd('day', 'spread.step', 'cast(calendar_days.day_started_at as date)') }} as date)
            as utc_date_on,
        calendar_days.day_started_at,
        calendar_days.day_ended_at,
        calendar_days.opens_at,
        calendar_days.business_minutes,
        calendar_days.cumulative_business_minutes_before
    from calendar_days
    cross join spread
    where
        {{ dbt.dateadd('day', 'spread.step', 'cast(calendar_days.day_started_at as date)') }}
        < calendar_days.day_ended_at

),

ticket_offsets as (

    select
        sla_ticket_spans.*,
        {{ business_minute_offset('created_day', 'sla_ticket_spans.created_at') }} as created_offset,
        {{ business_minute_offset('response_day', 'sla_ticket_spans.response_clock_stopped_at') }}
            as response_offset,
        {{ business_minute_offset('resolution_day', 'sla_ticket_spans.resolution_clock_stopped_at') }}
            as resolution_offset
    from sla_ticket_spans
    left join calendar_days_by_utc_date as created_day
        on {{ instant_in_calendar_day('created_day', 'sla_ticket_spans.calendar_id', 'sla_ticket_spans.created_at') }}
    left join calendar_days_by_utc_date as response_day
        on
            {{ instant_in_calendar_day(
                'response_day', 'sla_ticket_spans.calendar_id', 'sla_ticket_spans.response_clock_stopped_at'
            ) }}
    left join calendar_days_by_utc_date as resolution_day
        on
            {{ instant_in_calendar_day(
                'resolution_day', 'sla_ticket_spans.calendar_id', 'sla_ticket_spans.resolution_clock_stopped_at'
            ) }}

),

pause_offsets as (

    select
        ticket_pauses.ticket_id,
        {{ business_minute_offset('pause_start_day', 'ticket_pauses.pause_started_at') }} as pause_started_offset,
        {{ business_minute_offset('pause_end_day', 'ticket_pauses.pause_ended_at') }} as pause_ended_offset
    from ticket_pauses
    left join calendar_days_by_utc_date as pause_start_day
        on
            {{ instant_in_calendar_day(
                'pause_start_day', 'ticket_pauses.calendar_id', 'ticket_pauses.pause_started_at'
            ) }}
    left join calendar_days_by_utc_date as pause_end_day
        on {{ instant_in_calendar_day('pause_end_day', 'ticket_pauses.calendar_id', 'ticket_pauses.pause_ended_at') }}

),

ticket_paused_minutes as (

    -- each pause counts for the part of it inside each clock's span (offsets are monotonic, so
    -- clipping offsets is clipping instants)
    select
        pause_offsets.ticket_id,
        -- DuckDB sums bigints into a 128-bit integer: back to bigint
        cast(sum(
            greatest(
                least(pause_offsets.pause_ended_offset, ticket_offsets.resolution_offset)
                - pause_offsets.pause_started_offset,
                0
            )
        ) as {{ dbt.type_bigint() }}) as paused_business_minutes,
        cast(sum(
            case
                when ticket_offsets.response_offset is not null
                    then greatest(
                        least(pause_offsets.pause_ended_offset, ticket_offsets.response_offset)
                        - pause_offsets.pause_started_offset,
                        0
                    )
            end
        ) as {{ dbt.type_bigint() }}) as response_paused_business_minutes
    from pause_offsets
    inner join ticket_offsets
        on pause_offsets.ticket_id = ticket_offsets.ticket_id
    group by pause_offsets.ticket_id

),

ticket_minutes as (

    select
        ticket_offsets.ticket_id,
        ticket_offsets.sla_policy_id,
        ticket_offsets.calendar_id,
        ticket_offsets.has_sla_policy,
        ticket_offsets._delivery_id,
        ticket_offsets.resolved_at,
        ticket_offsets.as_of_at,
        ticket_offsets.response_target_minutes,
        ticket_offsets.resolution_target_minutes,
        coalesce(ticket_paused_minutes.paused_business_minutes, 0) as paused_business_minutes,
        case
            when ticket_offsets.response_offset is not null
                then coalesce(ticket_paused_minutes.response_paused_business_minutes, 0)
        end as response_paused_business_minutes,
        -- greatest() skips nulls in DuckDB and PostgreSQL: a missing offset must stay null
        case
            when ticket_offsets.response_offset is not null and ticket_offsets.created_offset is not null
                then
                    greatest(ticket_offsets.response_offset - ticket_offsets.created_offset, 0)
                    - coalesce(ticket_paused_minutes.response_paused_business_minutes, 0)
        end as response_business_minutes,
        -- to the resolution, or so far (as-of time) while open
        case
            when ticket_offsets.resolution_offset is not null and ticket_offsets.created_offset is not null
                then
                    greatest(ticket_offsets.resolution_offset - ticket_offsets.created_offset, 0)
                    - coalesce(ticket_paused_minutes.paused_business_minutes, 0)
        end as elapsed_business_minutes,
        ticket_offsets.created_offset
        + ticket_offsets.resolution_target_minutes
        + coalesce(ticket_paused_minutes.paused_business_minutes, 0) as resolution_due_offset
    from ticket_offsets
    left join ticket_paused_minutes
        on ticket_offsets.ticket_id = ticket_paused_minutes.ticket_id

),

business_days as (

    select
        calendar_id,
        opens_at,
        business_minutes,
        cumulative_business_minutes_before,
        cast(
            floor(cumulative_business_minutes_before / {{ offset_block_minutes }}.0) as {{ dbt.type_bigint() }}
        ) as first_offset_block,
        cast(
            floor((cumulative_business_minutes_before + business_minutes - 1) / {{ offset_block_minutes }}.0)
            as {{ dbt.type_bigint() }}
        ) as last_offset_block
    from calendar_days
    where business_minutes > 0

),

business_days_by_offset_block as (

    select
        business_days.*,
        business_days.first_offset_block + spread.step as offset_block
    from business_days
    cross join spread
    where business_days.first_offset_block + spread.step <= business_days.last_offset_block

),

ticket_due_offsets as (

    select
        ticket_minutes.*,
        cast(
            floor(ticket_minutes.resolution_due_offset / {{ offset_block_minutes }}.0) as {{ dbt.type_bigint() }}
        ) as offset_block
    from ticket_minutes

),

measured_tickets as (

    -- the last minute still within the target: the due offset falls in [start, end) of a business
    -- day, so a deadline that lands on a closing time is shown as the next opening (the clock does
    -- not run in between). At most one business day matches; none leaves the due time null.
    select
        ticket_due_offsets.*,
        {{ dbt.dateadd(
            'minute',
            'ticket_due_offsets.resolution_due_offset - business_days_by_offset_block.cumulative_business_minutes_before',
            'business_days_by_offset_block.opens_at',
        ) }} as resolution_due_at
    from ticket_due_offsets
    left join business_days_by_offset_block
        on
            ticket_due_offsets.calendar_id = business_days_by_offset_block.calendar_id
            and ticket_due_offsets.offset_block = business_days_by_offset_block.offset_block
            and ticket_due_offsets.resolution_due_offset
            >= business_days_by_offset_block.cumulative_business_minutes_before
            and ticket_due_offsets.resolution_due_offset
            < business_days_by_offset_block.cumulative_business_minutes_before
            + business_days_by_offset_block.business_minutes

),

-- every ticket once: those with a policy carry their figures through the CTEs above, those
-- without are added back with none (a union, not a join of every ticket to its figures: at 10 M
-- tickets that join and the due time's took about 13 s of the model's 40 s)
ticket_figures as (

    select
        ticket_id,
        sla_policy_id,
        calendar_id,
        has_sla_policy,
        resolved_at,
        as_of_at,
        response_target_minutes,
        resolution_target_minutes,
        response_business_minutes,
        elapsed_business_minutes,
        paused_business_minutes,
        response_paused_business_minutes,
        resolution_due_at,
        _delivery_id
    from measured_tickets

    union all

    select
        ticket_id,
        sla_policy_id,
        calendar_id,
        has_sla_policy,
        resolved_at,
        null as as_of_at,
        response_target_minutes,
        resolution_target_minutes,
        null as response_business_minutes,
        null as elapsed_business_minutes,
        null as paused_business_minutes,
        null as response_paused_business_minutes,
        null as resolution_due_at,
        _delivery_id
    from tickets
    where not has_sla_policy

),

final as (

    select
        -- ids
        ticket_figures.ticket_id,
        ticket_figures.sla_policy_id,
        ticket_figures.calendar_id,

        -- booleans
        ticket_figures.has_sla_policy,
        case
            when ticket_figures.response_business_minutes is not null
                then ticket_figures.response_business_minutes <= ticket_figures.response_target_minutes
        end as is_response_within_sla,
        case
            when ticket_figures.has_sla_policy and ticket_figures.resolved_at is not null
                then ticket_figures.elapsed_business_minutes <= ticket_figures.resolution_target_minutes
        end as is_resolution_within_sla,
        case
            when ticket_figures.has_sla_policy
                then
                    ticket_figures.resolved_at is null
                    and ticket_figures.elapsed_business_minutes > ticket_figures.resolution_target_minutes
        end as is_breached_open,
        case
            when ticket_figures.has_sla_policy
                then
                    ticket_figures.resolved_at is null
                    and ticket_figures.elapsed_business_minutes <= ticket_figures.resolution_target_minutes
        end as is_sla_active,

        -- timestamps (UTC)
        ticket_figures.resolution_due_at,
        -- only an open ticket depends on it: a resolved one keeps the figures it was measured with
        case when ticket_figures.resolved_at is null then ticket_figures.as_of_at end as as_of_at,

        -- durations (business minutes of the policy's calendar)
        ticket_figures.response_target_minutes,
        ticket_figures.resolution_target_minutes,
        ticket_figures.response_business_minutes,
        case
            when ticket_figures.resolved_at is not null then ticket_figures.elapsed_business_minutes
        end as resolution_business_minutes,
        ticket_figures.paused_business_minutes,
        ticket_figures.response_paused_business_minutes,

        -- lineage: the last delivery of the data measured (ticket row, status changes, SLA
        -- reference data); the high-water mark of incremental runs here and in fct_tickets
        cast(greatest(
            ticket_figures._delivery_id,
            coalesce(status_change_deliveries.delivery_id, 0),
            sla_reference_delivery.delivery_id
        ) as {{ dbt.type_bigint() }}) as _delivery_id

    from ticket_figures
    cross join sla_reference_delivery
    left join status_change_deliveries
        on ticket_figures.ticket_id = status_change_deliveries.ticket_id

)

select * from final
